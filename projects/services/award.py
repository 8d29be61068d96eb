"""Award: the offered agency confirms (or declines and the next in order is offered), the result is
publicised, objections are filed and answered, and the publicity ends."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from agencies.credit import record_credit_event
from marketplace import audit, workdays
from marketplace.policy import Policy, current_policy
from projects import draw as draw_rules
from projects.models import Objection, Project, Registration
from projects.states import PROJECT

from ._base import local_date, locked, now_or, require
from .selection import fail_locked, offer_locked

S = Project.Status
OFFERED = Registration.Offer.OFFERED


def _is_open_offer(project: Project, registration: Registration) -> bool:
    return (PROJECT.can(project, "confirm") and project.selected_id == registration.pk
            and registration.offer == OFFERED)


def _result_published(project: Project, registration: Registration, now: dt.datetime, by) -> None:
    audit.record(action="projects.selection_confirmed", by=by, obj=registration,
                 organisation=registration.agency.organisation_id, now=now,
                 data={"project": project.pk, "code": project.code, "agency": registration.agency_id})
    audit.record(action="projects.result_published", by=by, obj=project, organisation=project.owner_id, now=now,
                 data={"code": project.code, "agency": registration.agency_id, "uscc": registration.agency.uscc,
                       "price": project.awarded_price, "publicity_ends_on": project.publicity_ends_on,
                       "draw_record": project.draw_record})


@transaction.atomic
def confirm_selection(*, by, registration: Registration, now: dt.datetime | None = None) -> Project:
    """The offered agency confirms within `confirm_within_wd`; the result publicity starts."""
    require(by, "projects.register", registration.agency)
    now = now_or(now)
    policy = current_policy()
    project = locked(Project, registration.project_id)
    registration = locked(registration)
    if not _is_open_offer(project, registration):
        raise ValidationError("没有待确认的中选 / there is no selection to confirm")
    if now > registration.confirm_by:
        raise ValidationError("确认期限已过 / the confirmation deadline has passed")
    registration.offer = Registration.Offer.CONFIRMED
    registration.offer_answered_at = now
    registration.save(update_fields=["offer", "offer_answered_at"])
    fields = PROJECT.advance(project, "confirm", now=now)
    today = local_date(now)
    project.publicity_starts_on = today
    project.publicity_ends_on = workdays.add_working_days(today, policy.publicity_wd)
    if project.awarded_price is None:
        project.awarded_price = registration.quote
    project.save(update_fields=[*fields, "publicity_starts_on", "publicity_ends_on", "awarded_price"])
    _result_published(project, registration, now, by)
    return project


def _offer_next(project: Project, now: dt.datetime, policy: Policy, by) -> bool:
    """Offer the job to the next agency in the selection order that has not answered yet; False if none is left."""
    order = project.selection_order or []
    while project.offer_index < len(order):
        nxt = project.registrations.select_related("agency").filter(agency__uscc=order[project.offer_index]).first()
        if nxt is not None and nxt.offer == "":
            offer_locked(project, nxt, now, policy)
            audit.record(action="projects.provider_selected", by=by, obj=project, organisation=project.owner_id,
                         now=now, data={"method": project.method, "agency": nxt.agency_id, "uscc": nxt.agency.uscc,
                                        "fallback": project.offer_index, "draw_record": project.draw_record})
            return True
        if project.draw_record and project.draw_record.get("selected") == order[project.offer_index]:
            # Keep the published record's `selected` in step with whom the job is actually offered.
            project.draw_record = draw_rules.with_abandoned(project.draw_record, order[project.offer_index])
        project.offer_index += 1
    return False


def _abandon_locked(project: Project, registration: Registration, now: dt.datetime, *, outcome: str,
                    reason: str, by=None) -> None:
    """The offered agency declined or let the offer expire: `abandon` on its credit, then the next in order."""
    registration.offer = outcome
    registration.offer_answered_at = now
    registration.refusal_reason = reason
    registration.save(update_fields=["offer", "offer_answered_at", "refusal_reason"])
    record_credit_event(agency=registration.agency, code="abandon", date=local_date(now),
                        cause=f"{project.code} 放弃中选：{reason}", cause_obj=registration, by=by)
    if project.draw_record:
        project.draw_record = draw_rules.with_abandoned(project.draw_record, registration.agency.uscc)
    project.offer_index += 1
    audit.record(action="projects.selection_abandoned", by=by, obj=registration,
                 organisation=registration.agency.organisation_id, now=now, reason=reason,
                 data={"project": project.pk, "code": project.code, "agency": registration.agency_id,
                       "outcome": outcome})
    if _offer_next(project, now, current_policy(), by):
        return
    project.selected = None
    project.save(update_fields=["selected", "offer_index", "draw_record"])
    fail_locked(project, now, "候选机构均未确认 / no candidate confirmed", by)


@transaction.atomic
def refuse_selection(*, by, registration: Registration, reason: str, now: dt.datetime | None = None) -> Project:
    """The offered agency declines: an `abandon` credit event, and the next in order is offered the job."""
    require(by, "projects.register", registration.agency)
    if not (reason or "").strip():
        raise ValidationError("请说明放弃理由 / a reason is required")
    now = now_or(now)
    project = locked(Project, registration.project_id)
    registration = locked(registration)
    if not _is_open_offer(project, registration):
        raise ValidationError("没有待确认的中选 / there is no selection to answer")
    _abandon_locked(project, registration, now, outcome=Registration.Offer.REFUSED, reason=reason.strip(), by=by)
    return project


def expire_confirmations(now: dt.datetime | None = None) -> int:
    """Sweep: an offer not confirmed by its deadline is abandoned (idempotent; safe against a racing confirm)."""
    now = now_or(now)
    n = 0
    due = Registration.objects.filter(offer=OFFERED, confirm_by__lt=now,
                                      project__status=S.CONFIRMING).values_list("pk", "project_id")
    for reg_pk, project_pk in list(due):
        with transaction.atomic():
            project = locked(Project, project_pk)
            registration = locked(Registration, reg_pk)
            if not _is_open_offer(project, registration) or registration.confirm_by >= now:
                continue
            _abandon_locked(project, registration, now, outcome=Registration.Offer.EXPIRED,
                            reason="逾期未确认 / not confirmed in time")
            n += 1
    return n


# ---- publicity and objections ------------------------------------------------------------------


@transaction.atomic
def file_objection(*, by, project: Project, registration: Registration, text: str,
                   now: dt.datetime | None = None) -> Objection:
    """质疑: only a registrant, only inside the publicity window; pauses the award until answered."""
    require(by, "projects.register", registration.agency)
    now = now_or(now)
    policy = current_policy()
    project = locked(project)
    if registration.project_id != project.pk:
        raise PermissionDenied("只有报名机构可以质疑 / only registrants may object")
    if registration.pk == project.selected_id:
        raise ValidationError("中选机构不能对自己的中选结果提出质疑 / the selected agency cannot object to its own award")
    today = local_date(now)
    if not PROJECT.can(project, "withdraw_result") or today > project.publicity_ends_on:
        raise ValidationError("不在公示期内，不能质疑 / objections only inside the publicity window")
    if len((text or "").strip()) < 10:
        raise ValidationError("请写明质疑事项和理由 / state the objection and its grounds")
    objection = Objection.objects.create(project=project, registration=registration, text=text.strip(),
                                         filed_at=now, filed_by=by,
                                         answer_due_on=workdays.add_working_days(today, policy.objection_answer_wd))
    audit.record(action="projects.objection_filed", by=by, obj=objection,
                 organisation=registration.agency.organisation_id, now=now,
                 data={"project": project.pk, "code": project.code, "agency": registration.agency_id,
                       "due": objection.answer_due_on})
    return objection


def _withdraw_result(project: Project, objection: Objection, now: dt.datetime, by) -> None:
    """An upheld objection: the selected agency is excluded and the selection may run again."""
    selected = project.selected
    selected.excluded_reason = f"质疑成立：{objection.answer}"
    selected.offer = ""
    selected.save(update_fields=["excluded_reason", "offer"])
    fields = PROJECT.advance(project, "withdraw_result", now=now)
    project.selected = None
    project.draw_record = None
    project.awarded_price = None
    project.publicity_starts_on = project.publicity_ends_on = None
    project.save(update_fields=[*fields, "selected", "draw_record", "awarded_price", "publicity_starts_on",
                                "publicity_ends_on"])
    audit.record(action="projects.result_withdrawn", by=by, obj=project, organisation=project.owner_id, now=now,
                 reason=objection.answer, data={"code": project.code, "objection": objection.pk})


@transaction.atomic
def answer_objection(*, by, objection: Objection, upheld: bool, answer: str,
                     now: dt.datetime | None = None) -> Objection:
    """The competent regulator answers; an upheld objection withdraws the result (selection re-runs
    without the objected-to agency), a rejected one lets the award proceed."""
    require(by, "projects.answer_objection", objection)
    now = now_or(now)
    if not (answer or "").strip():
        raise ValidationError("请填写答复 / an answer is required")
    project = locked(Project, objection.project_id)
    objection = locked(objection)
    if not objection.is_open:
        raise ValidationError("该质疑已答复 / already answered")
    objection.outcome = Objection.Outcome.UPHELD if upheld else Objection.Outcome.REJECTED
    objection.answer = answer.strip()
    objection.answered_at = now
    objection.answered_by = by
    objection.save(update_fields=["outcome", "answer", "answered_at", "answered_by"])
    audit.record(action="projects.objection_answered", by=by, obj=objection, now=now, reason=answer,
                 data={"project": project.pk, "code": project.code, "upheld": upheld})
    if upheld and PROJECT.can(project, "withdraw_result"):
        _withdraw_result(project, objection, now, by)
    return objection


@transaction.atomic
def end_publicity(*, project: Project, now: dt.datetime | None = None, by=None) -> Project:
    """After the publicity window (and with no open objection) the contract clock starts."""
    now = now_or(now)
    policy = current_policy()
    project = locked(project)
    if not PROJECT.can(project, "end_publicity"):
        raise ValidationError("项目不在公示期 / not in publicity")
    if local_date(now) <= project.publicity_ends_on:
        raise ValidationError("公示期尚未结束 / the publicity window has not ended")
    if project.objections.filter(outcome="").exists():
        raise ValidationError("有未答复的质疑，暂停授予 / an objection is pending; the award is paused")
    fields = PROJECT.advance(project, "end_publicity", now=now)
    last_answer = project.objections.order_by("-answered_at").values_list("answered_at", flat=True).first()
    start = max(project.publicity_ends_on, local_date(last_answer)) if last_answer else project.publicity_ends_on
    project.contract_due_on = workdays.add_working_days(start, policy.contract_sign_wd)
    project.save(update_fields=[*fields, "contract_due_on"])
    audit.record(action="projects.publicity_ended", by=by, obj=project, organisation=project.owner_id, now=now,
                 data={"code": project.code, "contract_due_on": project.contract_due_on})
    return project


def end_publicity_due(now: dt.datetime | None = None) -> int:
    """Sweep: end every publicity whose window has passed and has no open objection (idempotent)."""
    now = now_or(now)
    n = 0
    for project in Project.objects.filter(status=S.PUBLICITY, publicity_ends_on__lt=local_date(now)):
        try:
            end_publicity(project=project, now=now)
            n += 1
        except ValidationError:
            continue
    return n
