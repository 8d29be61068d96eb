"""Reads: public lists, dashboards' queues, and `whose_turn` (who must act next, since when, by when)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from projects.models import Objection, Project, Registration
from projects.states import PUBLIC_STATUSES

S = Project.Status


def public_projects(*, service_type: str = "", region: str = "", method: str = "", status: str = "") -> QuerySet:
    qs = (Project.objects.filter(status__in=PUBLIC_STATUSES)
          .select_related("owner", "service_type", "region", "selected__agency")
          .annotate(registration_count=Count("registrations")))
    if service_type:
        qs = qs.filter(service_type_id=service_type)
    if region:
        qs = qs.filter(Q(region_id=region) | Q(region__parent_id=region) | Q(region__parent__parent_id=region))
    if method:
        qs = qs.filter(method=method)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-published_at", "-id")


def project_detail(code: str) -> Project:
    return (Project.objects.select_related("owner", "service_type__department", "region", "selected__agency",
                                           "direct_agency")
            .prefetch_related("required_qualifications", "required_practitioners", "avoided", "revisions")
            .get(code=code))


def owner_projects(owner) -> QuerySet:
    return (Project.objects.filter(owner=owner).select_related("service_type", "selected__agency")
            .prefetch_related("objections", "registrations").order_by("-created_at"))


def agency_registrations(agency) -> QuerySet:
    return (Registration.objects.filter(agency=agency).select_related("project", "project__service_type")
            .order_by("-registered_at"))


def open_offers(agency) -> QuerySet:
    return agency_registrations(agency).filter(offer=Registration.Offer.OFFERED, project__status=S.CONFIRMING)


def objections_queue(user) -> list[Objection]:
    from marketplace.permissions import can

    open_ = Objection.objects.filter(outcome="").select_related("project__region", "project__service_type",
                                                                  "registration__agency")
    return [o for o in open_ if can(user, "projects.answer_objection", o)]


@dataclass(frozen=True)
class Turn:
    party: str  # "owner" | "agency" | "regulator" | "platform" | ""
    label: str
    since: dt.datetime | dt.date | None
    due: dt.datetime | dt.date | None = None

    @property
    def overdue_on(self):
        return self.due


def whose_turn(project: Project, today: dt.date | None = None) -> Turn:
    """Who must act next on `project`, since when and by when (for public pages and dashboards)."""
    today = today or timezone.localdate()
    st = project.status
    if st == S.DRAFT:
        return Turn("owner", "业主编辑并发布公告 / owner to publish", project.created_at)
    if st == S.PUBLISHED:
        if project.method == Project.Method.DIRECT:
            return Turn("owner", "业主指定机构 / owner to name the agency", project.published_at)
        return Turn("agency", "机构报名中 / agencies registering", project.published_at, project.registration_deadline)
    if st == S.CLOSED:
        return Turn("owner", "业主组织选取 / owner to run the selection", project.closed_at)
    if st == S.SELECTING:
        # Iterating .all() uses a prefetch when the caller made one (dashboards), one query otherwise.
        pending = next((r for r in project.registrations.all()
                        if r.justification == Registration.Justification.REQUIRED), None)
        if pending:
            return Turn("agency", "机构提交低价书面说明 / agency to justify its low quote", project.status_since,
                        pending.justification_due)
        return Turn("owner", "业主评审或决定低价说明 / owner to evaluate or decide", project.status_since)
    if st == S.CONFIRMING:
        sel = project.selected
        return Turn("agency", "中选机构确认 / selected agency to confirm", sel.offered_at if sel else None,
                    sel.confirm_by if sel else None)
    if st == S.PUBLICITY:
        open_obj = min((o for o in project.objections.all() if not o.outcome), key=lambda o: o.answer_due_on,
                       default=None)
        if open_obj:
            return Turn("regulator", "监管部门答复质疑 / regulator to answer an objection", open_obj.filed_at,
                        open_obj.answer_due_on)
        if today > project.publicity_ends_on:
            return Turn("platform", "公示期满，等待转入合同签订 / publicity over", project.publicity_ends_on)
        return Turn("", "中选公示中 / result publicity", project.publicity_starts_on, project.publicity_ends_on)
    if st == S.CONTRACTING:
        if project.contract_signed_on:
            return Turn("owner", "业主上传合同扫描件 / owner to upload the contract", project.contract_signed_on,
                        project.contract_upload_due_on)
        return Turn("owner", "业主签订合同 / owner to sign the contract", project.status_since,
                    project.contract_due_on)
    if st == S.FAILED:
        return Turn("owner", "流标，业主可重新发布 / failed; owner may re-publish", project.status_since)
    return Turn("", project.get_status_display(), project.status_since)
