"""The notifications the agencies app declares (see `marketplace.notify_registry`): admission and change
reviews due (to the regulators covering the agency), status and grade changes (to the agency). It also
gives the kernel an agency's default subscription: its own services in its own region."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_noop as _

from agencies.models import Agency, ChangeRequest
from agencies.permissions import _service_departments
from marketplace import subscriptions
from marketplace.notify import label
from marketplace.notify_registry import Message, notification, regulators_covering


def _agency(pk) -> Agency | None:
    return Agency.objects.select_related("organisation").prefetch_related("services__service_type").filter(
        pk=pk).first()


def _regulators(agency: Agency) -> list:
    departments = _service_departments(agency)
    return regulators_covering(agency, departments or None)


@notification("agencies.application_submitted", kind="admission_due", label=_("入驻申请待审核"), deadline=True,
              title=_("入驻申请待审核：%(name)s"),
              body=_("%(name)s 提交了入驻申请，请在 %(deadline)s 前完成审核。"))
def application_submitted(entry):
    agency = _agency(int(entry.object_id))
    if agency is None:
        return []
    return [Message(recipients=_regulators(agency), params={"name": agency.name}, deadline=entry.data["due_on"],
                    url=reverse("agencies:review_detail", args=[agency.pk]))]


@notification("agencies.change_submitted", kind="change_due", label=_("变更待审核"), deadline=True,
              title=_("信息变更待审核：%(name)s"),
              body=_("%(name)s 提交了信息变更申请，请在 %(deadline)s 前审核。"))
def change_submitted(entry):
    change = ChangeRequest.objects.filter(pk=int(entry.object_id)).first()
    agency = _agency(entry.data["agency"])
    if change is None or agency is None:
        return []
    return [Message(recipients=_regulators(agency), params={"name": agency.name}, deadline=entry.data["due_on"],
                    url=reverse("agencies:review_queue"))]


@notification("agencies.status_changed", kind="agency_status", label=_("机构状态变更"),
              title=_("机构状态变更：%(status)s"),
              body=_("贵机构在中介超市的状态已变更为：%(status)s。"))
def status_changed(entry):
    agency = _agency(int(entry.object_id))
    if agency is None or agency.organisation_id is None:
        return []
    return [Message(recipients=agency.organisation, params={"status": label(agency.get_status_display())},
                    url=reverse("agencies:manage", args=[agency.pk]))]


@notification("agencies.credit_updated", kind="grade_change", label=_("信用等级变化"),
              title=_("信用等级变化：%(grade)s"),
              body=_("贵机构的信用等级由 %(previous)s 变为 %(grade)s，当前信用分 %(score)s。"))
def grade_changed(entry):
    previous, grade = entry.data.get("previous"), entry.data.get("grade")
    if not previous or previous == grade:
        return []
    agency = Agency.objects.select_related("organisation").filter(pk=int(entry.object_id)).first()
    if agency is None or agency.organisation_id is None:
        return []
    return [Message(recipients=agency.organisation,
                    params={"previous": previous, "grade": grade, "score": entry.data["score"]},
                    url=reverse("agencies:storefront", args=[agency.uscc]))]


@subscriptions.register_default
def agency_default(user):
    """An agency member's default subscription: the agency's own services in its own region."""
    agency = Agency.objects.filter(organisation__memberships__user=user).prefetch_related("services").first()
    if agency is None:
        return None
    return [s.service_type_id for s in agency.services.all()], [agency.region_id] if agency.region_id else []
