"""Selection: once the window closes the project's method picks the provider (draw, lowest price,
composite, direct), with the abnormally-low-quote justification in between."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from agencies.models import Agency
from marketplace import audit
from marketplace.policy import Policy, current_policy
from projects import draw as draw_rules
from projects import selection as rules
from projects.eligibility import refusal_reasons
from projects.models import Project, Registration
from projects.notifications import announce_offer
from projects.selectors import agency_facts, requirements_of, split_eligible
from projects.states import PROJECT, registration_open, selection_may_run

from ._base import deadline_after, local_date, locked, now_or, require
from .registration import close_locked

M = Project.Method
S = Project.Status
J = Registration.Justification


def fail_locked(project: Project, now: dt.datetime, reason: str, by=None, detail: dict | None = None) -> None:
    """流标 of a locked project, with the reason and the selection detail that led to it."""
    fields = PROJECT.advance(project, "fail", now=now)
    project.failed_reason = reason
    if detail is not None:
        project.selection_detail = audit.normalise(detail)
    project.save(update_fields=[*fields, "failed_reason", "selection_detail"])
    audit.record(action="projects.round_failed", by=by, obj=project, organisation=project.owner_id, now=now,
                 reason=reason, data={"round": project.round_no, **(detail or {})})


def offer_locked(project: Project, registration: Registration, now: dt.datetime, policy: Policy, *,
                 transition: str = "offer") -> None:
    """Offer the job to `registration` (confirmation due in `confirm_within_wd` working days)."""
    fields = PROJECT.advance(project, transition, now=now)
    registration.offer = Registration.Offer.OFFERED
    registration.offered_at = now
    # The confirmation deadline runs from the moment the agency's members are told (same transaction).
    announce_offer(project, registration, now=now,
                   deadline_from=lambda notified_at: deadline_after(notified_at, policy.confirm_within_wd, policy))
    registration.save(update_fields=["offer", "offered_at", "confirm_by"])
    project.selected = registration
    project.selected_at = now
    project.save(update_fields=[*fields, "selected", "selected_at", "selection_order", "offer_index",
                                "draw_record", "selection_detail", "policy_version"])


def _selected(project: Project, winner: Registration, now: dt.datetime, by, **data) -> None:
    audit.record(action="projects.provider_selected", by=by, obj=project, organisation=project.owner_id, now=now,
                 reason=project.direct_reason if data.get("method") == M.DIRECT else "",
                 data={"agency": winner.agency_id, "uscc": winner.agency.uscc, **data})


def select_provider(*, by, project: Project, now: dt.datetime | None = None, beacon: str | None = None) -> Project:
    """Run the project's selection method once the window has closed (draw, lowest price, composite).

    Closing the window commits on its own first, so a composite project whose scores are still missing
    stays closed (awaiting the panel) when the selection itself is refused. Both steps lock the
    project row: two concurrent clicks produce exactly one close and one selection.
    """
    require(by, "projects.edit", project)
    now = now_or(now)
    with transaction.atomic():
        row = locked(project)
        if registration_open(row) and row.method != M.DIRECT:
            close_locked(row, now, by)
    return _select_locked(by=by, project=project, now=now, beacon=beacon)


@transaction.atomic
def _select_locked(*, by, project: Project, now: dt.datetime, beacon: str | None) -> Project:
    policy = current_policy()
    project = locked(project)
    if registration_open(project) and project.method != M.DIRECT:
        close_locked(project, now, by)
    if not selection_may_run(project):
        raise ValidationError("选取已进行或项目不在可选取状态 / selection already done or not possible now")
    eligible, excluded = split_eligible(project, on=local_date(now))
    method = rules.effective_method(project)
    if method == M.DIRECT:
        raise ValidationError("直接选取请指定机构 / direct selection names the agency")
    if rules.round_fails(len(eligible), policy):
        fail_locked(project, now, f"符合条件的报名不足 {policy.draw_min_candidates} 家 / fewer than "
                    f"{policy.draw_min_candidates} eligible registrants", by,
                    {"eligible": [r.agency.uscc for r in eligible], "excluded": excluded,
                     "policy_version": policy.version})
        return project
    project.policy_version = policy.version
    if method == M.DRAW:
        return _select_draw(project, eligible, excluded, now, policy, by, beacon)
    if method == M.LOWEST:
        return select_lowest(project, eligible, excluded, now, policy, by)
    if method == M.COMPOSITE:
        return _select_composite(project, eligible, excluded, now, policy, by)
    raise ValidationError("未知的选取方式 / unknown method")


def _select_draw(project, eligible, excluded, now, policy, by, beacon) -> Project:
    if beacon and not project.beacon_source:
        raise ValidationError("本项目未事先公布信标来源，不能使用信标 / no beacon was named in advance")
    if beacon is not None:
        project.beacon = beacon
        project.save(update_fields=["beacon"])
    by_uscc = {r.agency.uscc: r for r in eligible}
    record = draw_rules.build_record(project_code=project.code, closed_at=project.closed_at,
                                     secret=project.draw_secret, beacon=project.beacon,
                                     eligible=by_uscc, excluded=excluded)
    project.draw_record = record
    project.selection_order = record["order"]
    project.selection_detail = {"method": "draw", "excluded": excluded, "policy_version": policy.version}
    project.offer_index = 0
    first = by_uscc[record["order"][0]]
    offer_locked(project, first, now, policy)
    _selected(project, first, now, by, method="draw", draw_record=record, policy_version=policy.version)
    return project


def _quotes(regs: list[Registration]) -> list[rules.Quote]:
    return [rules.Quote(r.agency.uscc, r.quote, r.quote_submitted_at or r.registered_at) for r in regs]


def _flag_low_quote(project, winner: Registration, detail: dict, now, policy, by) -> Project:
    """The lowest quote is abnormally low: its agency must justify it before anyone is offered the job."""
    if winner.justification != J.SUBMITTED:
        winner.justification = J.REQUIRED
        winner.justification_due = deadline_after(now, policy.abnormal_justify_wd, policy)
        winner.save(update_fields=["justification", "justification_due"])
    fields = PROJECT.advance(project, "await_evaluation", now=now)
    project.save(update_fields=[*fields, "selection_detail", "selection_order", "offer_index", "policy_version"])
    audit.record(action="projects.low_quote_flagged", by=by, obj=winner, organisation=project.owner_id,
                 now=now, data={"project": project.pk, "code": project.code, "uscc": winner.agency.uscc})
    return project


def select_lowest(project, eligible, excluded, now, policy, by) -> Project:
    """竞价选取 over the eligible sealed quotes (re-run after each low-quote decision)."""
    rejected = {r.agency.uscc for r in eligible if r.justification == J.REJECTED}
    result = rules.lowest_price(_quotes(eligible), policy, rejected_justifications=rejected)
    by_uscc = {r.agency.uscc: r for r in eligible}
    detail = {"method": "lowest", "order": result.order, "abnormal": sorted(result.abnormal),
              "quotes": {u: str(by_uscc[u].quote) for u in by_uscc}, "excluded": excluded,
              "rejected_justifications": sorted(rejected), "policy_version": policy.version}
    project.selection_detail = audit.normalise(detail)
    project.selection_order = result.order
    project.offer_index = 0
    if result.winner is None:
        fail_locked(project, now, "没有有效报价 / no valid quote left", by, detail)
        return project
    winner = by_uscc[result.winner]
    if result.winner in result.abnormal and winner.justification != J.ACCEPTED:
        return _flag_low_quote(project, winner, detail, now, policy, by)
    offer_locked(project, winner, now, policy)
    project.awarded_price = winner.quote
    project.save(update_fields=["awarded_price"])
    _selected(project, winner, now, by, method="lowest", price=winner.quote, detail=detail)
    return project


def _select_composite(project, eligible, excluded, now, policy, by) -> Project:
    missing = [r.agency.uscc for r in eligible if r.technical_score is None]
    if missing:
        raise ValidationError(f"评审小组尚未给出全部技术分（{len(missing)} 家）/ technical scores missing")
    entries = [(q, r.technical_score, r.agency.credit_score) for q, r in zip(_quotes(eligible), eligible, strict=True)]
    lines = rules.composite(entries, price_weight=project.price_weight, technical_weight=project.technical_weight,
                            credit_weight=project.credit_weight, policy=policy)
    by_uscc = {r.agency.uscc: r for r in eligible}
    detail = {"method": "composite", "weights": [project.price_weight, project.technical_weight,
                                                 project.credit_weight],
              "lines": [{"uscc": ln.uscc, "quote": str(ln.quote), "price_score": str(ln.price_score),
                         "technical": str(ln.technical), "credit_score": ln.credit_score,
                         "credit_points": str(ln.credit_points), "total": str(ln.total)} for ln in lines],
              "excluded": excluded, "policy_version": policy.version}
    project.selection_detail = detail
    project.selection_order = [ln.uscc for ln in lines]
    project.offer_index = 0
    winner = by_uscc[lines[0].uscc]
    offer_locked(project, winner, now, policy)
    project.awarded_price = winner.quote
    project.save(update_fields=["awarded_price"])
    _selected(project, winner, now, by, method="composite", detail=detail)
    return project


@transaction.atomic
def enter_technical_score(*, by, registration: Registration, score, now: dt.datetime | None = None) -> Registration:
    """The owner's evaluation panel enters a technical score (0..technical weight) after the window closes."""
    project = locked(Project, registration.project_id)
    require(by, "projects.edit", project)
    if project.method != M.COMPOSITE or not selection_may_run(project):
        raise ValidationError("现在不能评分 / scores cannot be entered now")
    try:
        value = Decimal(str(score))
    except InvalidOperation:
        raise ValidationError("技术分不是数字 / the technical score is not a number")
    if not 0 <= value <= project.technical_weight:
        raise ValidationError(f"技术分须在 0–{project.technical_weight} 之间 / technical score out of range")
    registration.technical_score = value
    registration.save(update_fields=["technical_score"])
    audit.record(action="projects.technical_scored", by=by, obj=registration, organisation=project.owner_id,
                 now=now_or(now), data={"project": project.pk, "code": project.code, "score": value})
    return registration


@transaction.atomic
def select_direct(*, by, project: Project, agency: Agency, now: dt.datetime | None = None) -> Project:
    """直接选取: the owner names an eligible agency; the reason and the fiscal limit were checked at publication."""
    require(by, "projects.edit", project)
    now = now_or(now)
    policy = current_policy()
    project = locked(project)
    if project.method != M.DIRECT or not PROJECT.can(project, "select_direct"):
        raise ValidationError("只有已发布的直接选取项目可以指定机构 / only a published direct project can name an agency")
    rules.check_direct(funding=project.funding, ceiling=project.ceiling, reason=project.direct_reason, policy=policy)
    today = local_date(now)
    reasons = refusal_reasons(agency_facts(agency, on=today), requirements_of(project), on=today)
    if reasons:
        raise ValidationError([str(r) for r in reasons])
    registration, _ = Registration.objects.get_or_create(project=project, agency=agency,
                                                         defaults={"registered_at": now, "registered_by": by})
    project.closed_at = now
    project.selection_order = [agency.uscc]
    project.offer_index = 0
    project.policy_version = policy.version
    project.selection_detail = {"method": "direct", "reason": project.direct_reason, "policy_version": policy.version}
    project.direct_agency = agency
    project.save(update_fields=["closed_at", "direct_agency"])
    offer_locked(project, registration, now, policy, transition="select_direct")
    _selected(project, registration, now, by, method="direct")
    return project


# ---- abnormally low quotes -------------------------------------------------------------------


@transaction.atomic
def submit_justification(*, by, registration: Registration, text: str, now: dt.datetime | None = None):
    require(by, "projects.register", registration.agency)
    now = now_or(now)
    locked(Project, registration.project_id)
    registration = locked(registration)
    if registration.justification != J.REQUIRED:
        raise ValidationError("无需说明 / no justification is requested")
    if registration.justification_due and now > registration.justification_due:
        raise ValidationError("说明期限已过 / the justification deadline has passed")
    if len((text or "").strip()) < 10:
        raise ValidationError("书面说明过短 / the written justification is too short")
    registration.justification = J.SUBMITTED
    registration.justification_text = text.strip()
    registration.save(update_fields=["justification", "justification_text"])
    audit.record(action="projects.low_quote_justified", by=by, obj=registration,
                 organisation=registration.agency.organisation_id, now=now, data={"project": registration.project_id})
    return registration


@transaction.atomic
def decide_justification(*, by, registration: Registration, accept: bool, now: dt.datetime | None = None):
    """The owner accepts (the low quote wins) or rejects it (the next lowest wins)."""
    now = now_or(now)
    project = locked(Project, registration.project_id)
    require(by, "projects.edit", project)
    registration = locked(registration)
    if project.status != S.SELECTING or registration.justification not in (J.SUBMITTED, J.REQUIRED):
        raise ValidationError("没有待决定的低价说明 / no justification to decide")
    if registration.justification == J.REQUIRED and accept:
        raise ValidationError("机构尚未提交说明 / the agency has not justified its quote yet")
    registration.justification = J.ACCEPTED if accept else J.REJECTED
    registration.save(update_fields=["justification"])
    audit.record(action="projects.low_quote_decided", by=by, obj=registration, organisation=project.owner_id,
                 now=now, data={"project": project.pk, "code": project.code, "accepted": accept})
    eligible, excluded = split_eligible(project, on=local_date(now))
    select_lowest(project, eligible, excluded, now, current_policy(), by)
    return project


def expire_justifications(now: dt.datetime | None = None) -> int:
    """Sweep: a low quote not justified in time counts as rejected (idempotent)."""
    now = now_or(now)
    n = 0
    for reg in Registration.objects.filter(justification=J.REQUIRED, justification_due__lt=now,
                                           project__status=S.SELECTING):
        with transaction.atomic():
            project = locked(Project, reg.project_id)
            reg = locked(reg)
            if reg.justification != J.REQUIRED or project.status != S.SELECTING:
                continue
            reg.justification = J.REJECTED
            reg.save(update_fields=["justification"])
            audit.record(action="projects.low_quote_decided", obj=reg, organisation=project.owner_id, now=now,
                         data={"project": project.pk, "code": project.code, "accepted": False, "expired": True})
            eligible, excluded = split_eligible(project, on=local_date(now))
            select_lowest(project, eligible, excluded, now, current_policy(), None)
            n += 1
    return n
