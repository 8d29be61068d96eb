"""Reads: public lists, dashboards' queues, `whose_turn` (who must act next, since when, by when), the
actions a detail page offers, and the facts eligibility is judged on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from agencies.models import Agency, Blacklist
from projects import selection as rules
from projects.eligibility import AgencyFacts, PractitionerFacts, QualificationFacts, Requirements, refusal_reasons
from projects.models import Objection, Project, Registration
from projects.states import PROJECT, PUBLIC_STATUSES, quotes_visible, registration_open, selection_may_run

S = Project.Status
M = Project.Method


def public_projects(*, service_type: str = "", region: str = "", method: str = "", status: str = "") -> QuerySet:
    qs = (Project.objects.filter(status__in=PUBLIC_STATUSES)
          .select_related("owner", "service_type", "region", "selected__agency")
          # A correlated count, evaluated for the page's rows only (a GROUP BY over the join would
          # aggregate every public posting before the LIMIT).
          .annotate(registration_count=Coalesce(Subquery(
              Registration.objects.filter(project=OuterRef("pk")).order_by().values("project")
              .annotate(n=Count("pk")).values("n")[:1]), 0)))
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


# ---- the actions a detail page offers -------------------------------------------------------------


def project_actions(project: Project, *, is_owner: bool, is_agency: bool, my_reg: Registration | None,
                    now: dt.datetime, today: dt.date) -> frozenset[str]:
    """What this visitor may do on the detail page now: the machine's open transitions, narrowed by role,
    method, dates and the visitor's own registration."""
    open_ = PROJECT.allowed(project)
    found = set()
    if is_owner:
        found |= _owner_actions(project, open_, now, today)
    if is_agency and registration_open(project) and project.method != M.DIRECT:
        if my_reg is None:
            found.add("register")
        elif M.LOWEST in (project.method, project.invitation_then) or project.method == M.COMPOSITE:
            found.add("requote")
    if my_reg is not None:
        if my_reg.offer == Registration.Offer.OFFERED and "confirm" in open_:
            found.add("answer_offer")
        if my_reg.justification == Registration.Justification.REQUIRED:
            found.add("justify")
        # The selected agency does not object to its own award.
        if "withdraw_result" in open_ and project.publicity_ends_on >= today and project.selected_id != my_reg.pk:
            found.add("object")
    return frozenset(found)


def _owner_actions(project: Project, open_: frozenset[str], now: dt.datetime, today: dt.date) -> set[str]:
    found = {name for name in ("publish", "revise", "cancel", "republish") if name in open_}
    if "select_direct" in open_ and project.method == M.DIRECT:
        found.add("select_direct")
    deadline_passed = project.registration_deadline is not None and project.registration_deadline <= now
    if project.method != M.DIRECT and (selection_may_run(project) or ("close" in open_ and deadline_passed)):
        found.add("run_selection")
    if project.method == M.COMPOSITE and quotes_visible(project) and "await_evaluation" in open_:
        found.add("score")
    if "end_publicity" in open_ and project.publicity_ends_on < today:
        found.add("end_publicity")
    if "start_service" in open_:
        found.add("contract")
    return found


# ---- eligibility facts ----------------------------------------------------------------------------


def requirements_of(project: Project) -> Requirements:
    invited = None
    if project.method == M.INVITATION:
        invited = frozenset(project.invited_agencies.values_list("uscc", flat=True))
    return Requirements(
        service_type=project.service_type_id,
        method=rules.effective_method(project),
        qualifications=tuple(project.required_qualifications.values_list("qualification_type", "min_level")),
        qual_mode=project.qual_mode,
        practitioners=tuple(project.required_practitioners.values_list("kind", "count")),
        avoided=dict(project.avoided.values_list("uscc", "reason")),
        invited=invited,
    )


def agency_facts(agency: Agency, *, on: dt.date) -> AgencyFacts:
    blacklisted = Blacklist.objects.filter(uscc=agency.uscc, starts_on__lte=on, ends_on__gte=on).exists()
    serious = agency.credit_events.filter(code="serious_dishonesty", state="counted").exists()
    return AgencyFacts(
        uscc=agency.uscc, status=agency.status, grade=agency.credit_grade, suspended_until=agency.suspended_until,
        service_types=frozenset(agency.services.values_list("service_type_id", flat=True)),
        qualifications=tuple(QualificationFacts(q.qualification_type, q.level, q.valid_from, q.valid_to)
                             for q in agency.qualifications.all()),
        practitioners=tuple(PractitionerFacts(p.qualification_kind, p.valid_to) for p in agency.practitioners.all()),
        legal_rep_id=agency.legal_rep_id, blacklisted=blacklisted, serious_dishonesty=serious,
    )


def legal_reps_registered(project: Project) -> set[str]:
    """The legal representatives of the agencies registered so far (a second agency of theirs is refused)."""
    return {rep for rep in project.registrations.values_list("agency__legal_rep_id", flat=True) if rep}


def split_eligible(project: Project, *, on: dt.date) -> tuple[list[Registration], list[dict]]:
    """Re-check every registrant on the selection date: (eligible registrations, excluded with reasons)."""
    req = requirements_of(project)
    eligible, excluded = [], []
    seen_reps: set[str] = set()
    for reg in project.registrations.select_related("agency").order_by("registered_at", "id"):
        reasons = [str(r) for r in refusal_reasons(agency_facts(reg.agency, on=on), req, on=on,
                                                   earlier_legal_reps=seen_reps)]
        if reg.agency.legal_rep_id:
            seen_reps.add(reg.agency.legal_rep_id)
        reasons += _quote_problems(project, reg)
        if reasons:
            excluded.append({"uscc": reg.agency.uscc, "reason": "；".join(reasons)})
        else:
            eligible.append(reg)
    return eligible, excluded


def _quote_problems(project: Project, reg: Registration) -> list[str]:
    problems = [reg.excluded_reason] if reg.excluded_reason else []
    if reg.quote is None:
        if rules.quote_required(project):
            problems.append("未报价 / no quote")
        return problems
    try:
        rules.check_quote_band(reg.quote, floor=project.floor, ceiling=project.ceiling)
    except ValidationError as exc:
        problems.extend(exc.messages)
    return problems
