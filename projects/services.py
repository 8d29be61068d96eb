"""Every write to a project goes through here: guard → save(update_fields) → one audit entry → on_commit.

Race-prone steps (registration at the deadline, the draw, confirmation vs. the deadline sweep, the
award) lock the project row with `select_for_update` first and re-check the state under the lock.
Clocks are passed in as `now`; dates the rules count in are working days (marketplace.workdays).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.credit import record_credit_event
from agencies.models import Agency, Blacklist
from marketplace import audit, permissions, uploads, workdays
from marketplace.policy import Policy, current_policy
from projects import draw as draw_rules
from projects import selection as rules
from projects.eligibility import AgencyFacts, PractitionerFacts, QualificationFacts, Requirements, refusal_reasons
from projects.models import (
    AvoidedAgency,
    Objection,
    Project,
    ProjectCodeSequence,
    ProjectRevision,
    Registration,
    RequiredPractitioner,
    RequiredQualification,
)
from projects.states import advance

M = Project.Method
S = Project.Status
EDITABLE_FIELDS = ("title", "investment_code", "service_type", "region", "scope", "ceiling", "floor", "funding",
                   "method", "urgent", "requested_limit_wd", "window_wd", "qual_mode", "beacon_source",
                   "direct_reason", "invitation_then", "price_weight", "technical_weight", "credit_weight")
REVISABLE_FIELDS = ("title", "scope", "ceiling", "floor", "requested_limit_wd", "investment_code")
MATERIAL_FIELDS = frozenset({"ceiling", "floor", "requested_limit_wd"})


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _at_close_time(day: dt.date, policy: Policy) -> dt.datetime:
    hh, mm = (int(x) for x in str(policy.registration_close_time).split(":"))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hh, mm)), draw_rules.SHANGHAI)


def effective_method(project: Project) -> str:
    """The rule set that applies: an invitation runs as the draw or the lowest price it names."""
    if project.method == M.INVITATION:
        return project.invitation_then or M.DRAW
    return project.method


def window_min_wd(project: Project, policy: Policy) -> int:
    if effective_method(project) == M.DRAW:
        return policy.draw_window_min_wd_urgent if project.urgent else policy.draw_window_min_wd
    return policy.registration_window_min_wd


def registration_deadline(published_at: dt.datetime, window_wd: int, policy: Policy,
                          calendar: workdays.Calendar | None = None) -> dt.datetime:
    """The `window_wd`-th working day after publication, at `registration_close_time` Asia/Shanghai."""
    cal = calendar or workdays.get_calendar()
    day = cal.add_working_days(_local_date(published_at), window_wd)
    return _at_close_time(day, policy)


def _deadline_after(moment: dt.datetime, wd: int, policy: Policy) -> dt.datetime:
    return _at_close_time(workdays.add_working_days(_local_date(moment), wd), policy)


# ---- codes -------------------------------------------------------------------------------------


def code_prefix(region) -> str:
    """Region-derived prefix: pinyin initials of the region name without its 市/县/区 suffix (平湖市 → PH)."""
    from pypinyin import Style, lazy_pinyin

    name = region.name
    if len(name) > 2 and name[-1] in "市县区省旗":
        name = name[:-1]
    letters = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).upper()
    letters = "".join(ch for ch in letters if ch.isascii() and ch.isalpha())
    return (letters or "XM")[:6]


def next_project_code(*, region, year: int) -> str:
    """`PH-2026-0042`: prefix, year and a per-prefix yearly sequence, issued under a row lock."""
    prefix = code_prefix(region)
    with transaction.atomic():
        try:
            with transaction.atomic():
                ProjectCodeSequence.objects.get_or_create(prefix=prefix, year=year)
        except IntegrityError:
            pass
        seq = ProjectCodeSequence.objects.select_for_update().get(prefix=prefix, year=year)
        while True:
            seq.last += 1
            code = f"{prefix}-{year}-{seq.last:04d}"
            if not Project.objects.filter(code=code).exists():
                break
        seq.save(update_fields=["last"])
    return code


# ---- drafting ----------------------------------------------------------------------------------


def _require(user, action: str, obj) -> None:
    if user is not None:
        permissions.require(user, action, obj)


def _clean_money(value, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValidationError(f"{label}不是有效金额 / {label} is not a valid amount")
    if not amount.is_finite():
        raise ValidationError(f"{label}不是有效金额 / {label} is not a valid amount")
    return amount.quantize(Decimal("0.01"))


def _validate_fields(project: Project) -> None:
    if not (project.title or "").strip():
        raise ValidationError("请填写项目名称 / a title is required")
    if project.ceiling is None or project.ceiling <= 0:
        raise ValidationError("最高限价必须大于零 / the ceiling must be positive")
    if project.floor is not None and (project.floor <= 0 or project.floor > project.ceiling):
        raise ValidationError("最低限价须大于零且不高于最高限价 / the floor must be positive and not above the ceiling")
    if project.method == M.INVITATION and project.invitation_then not in Project.InvitationThen.values:
        raise ValidationError("邀请方式须选择随机抽取或竞价 / an invitation needs draw or lowest price")


def _set_children(project: Project, *, qualifications=None, practitioners=None, avoided=None, invited=None) -> None:
    if qualifications is not None:
        project.required_qualifications.all().delete()
        for qtype, level in qualifications:
            if (qtype or "").strip():
                RequiredQualification.objects.create(project=project, qualification_type=qtype.strip(),
                                                     min_level=int(level or 3))
    if practitioners is not None:
        project.required_practitioners.all().delete()
        for kind, count in practitioners:
            if (kind or "").strip():
                if int(count) < 1:
                    raise ValidationError("人员数量至少为1 / practitioner count must be at least 1")
                RequiredPractitioner.objects.create(project=project, kind=kind.strip(), count=int(count))
    if avoided is not None:
        project.avoided.all().delete()
        for uscc, name, reason in avoided:
            uscc = (uscc or "").strip().upper()
            if not uscc:
                continue
            if not (reason or "").strip():
                raise ValidationError("回避机构必须说明原因 / every avoided agency needs a reason")
            AvoidedAgency.objects.create(project=project, uscc=uscc, name=name or "", reason=reason.strip())
    if invited is not None:
        project.invited_agencies.set(invited)


@transaction.atomic
def create_draft(*, by, owner, fields: dict, qualifications=(), practitioners=(), avoided=(), invited=(),
                 now: dt.datetime | None = None) -> Project:
    """A new draft posting for `owner` (an owner organisation); nothing is public yet."""
    _require(by, "projects.create", owner)
    now = _now(now)
    data = {k: v for k, v in fields.items() if k in EDITABLE_FIELDS}
    for key in ("ceiling", "floor"):
        if key in data:
            data[key] = _clean_money(data[key], "最高限价" if key == "ceiling" else "最低限价")
    project = Project(owner=owner, created_by=by, status=S.DRAFT, status_since=now, **data)
    _validate_fields(project)
    project.code = next_project_code(region=project.region, year=_local_date(now).year)
    project.save()
    _set_children(project, qualifications=qualifications, practitioners=practitioners, avoided=avoided,
                  invited=invited)
    audit.record(action="projects.draft_created", by=by, obj=project, organisation=owner,
                 data={"code": project.code}, now=now)
    return project


@transaction.atomic
def update_draft(*, by, project: Project, fields: dict, qualifications=None, practitioners=None, avoided=None,
                 invited=None, now: dt.datetime | None = None) -> Project:
    _require(by, "projects.edit", project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status != S.DRAFT:
        raise ValidationError("只有草稿可以直接修改，已发布的项目请发布变更公告 / only drafts can be edited; "
                              "publish a revision instead")
    changed = []
    for key, value in fields.items():
        if key not in EDITABLE_FIELDS:
            continue
        if key in ("ceiling", "floor"):
            value = _clean_money(value, key)
        setattr(project, key, value)
        changed.append(key)
    _validate_fields(project)
    project.save(update_fields=[*changed, "updated_at"])
    _set_children(project, qualifications=qualifications, practitioners=practitioners, avoided=avoided,
                  invited=invited)
    audit.record(action="projects.draft_updated", by=by, obj=project, organisation=project.owner_id,
                 data={"fields": changed}, now=_now(now))
    return project


def requirements_of(project: Project) -> Requirements:
    invited = None
    if project.method == M.INVITATION:
        invited = frozenset(project.invited_agencies.values_list("uscc", flat=True))
    return Requirements(
        service_type=project.service_type_id,
        method=effective_method(project),
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


@transaction.atomic
def publish(*, by, project: Project, now: dt.datetime | None = None) -> Project:
    """Publish a draft: compute the deadline in working days, commit to the draw secret, make it public."""
    _require(by, "projects.edit", project)
    now = _now(now)
    policy = current_policy()
    project = Project.objects.select_for_update().get(pk=project.pk)
    _validate_fields(project)
    minimum = window_min_wd(project, policy)
    window = project.window_wd or minimum
    if window < minimum:
        raise ValidationError(f"报名期不得少于 {minimum} 个工作日 / the registration window must be at least "
                              f"{minimum} working days")
    if project.method == M.DIRECT:
        rules.check_direct(funding=project.funding, ceiling=project.ceiling, reason=project.direct_reason,
                           policy=policy)
    if project.method == M.COMPOSITE:
        weights = policy.composite_weights
        project.price_weight = project.price_weight if project.price_weight is not None else weights["price"]
        project.technical_weight = (project.technical_weight if project.technical_weight is not None
                                    else weights["technical"])
        project.credit_weight = project.credit_weight if project.credit_weight is not None else weights["credit"]
        rules.check_price_weight(project.price_weight, policy)
        if project.price_weight + project.technical_weight + project.credit_weight != 100:
            raise ValidationError("权重之和须为100 / the weights must sum to 100")
    if project.method == M.INVITATION:
        req = requirements_of(project)
        today = _local_date(now)
        eligible = [a for a in project.invited_agencies.all()
                    if not refusal_reasons(agency_facts(a, on=today), req, on=today)]
        if len(eligible) < policy.invitation_min_agencies:
            raise ValidationError(f"邀请须指定至少 {policy.invitation_min_agencies} 家符合条件的机构 / an invitation "
                                  f"must name at least {policy.invitation_min_agencies} eligible agencies")
    fields = advance(project, "publish", now)
    project.window_wd = window
    project.published_at = now
    project.registration_deadline = registration_deadline(now, window, policy)
    project.draw_secret = draw_rules.new_secret()
    project.draw_commitment = draw_rules.commitment(project.draw_secret)
    project.policy_version = policy.version
    project.save(update_fields=[*fields, "window_wd", "published_at", "registration_deadline", "draw_secret",
                                "draw_commitment", "policy_version", "price_weight", "technical_weight",
                                "credit_weight"])
    audit.record(action="projects.published", by=by, obj=project, organisation=project.owner_id, now=now,
                 data={"code": project.code, "deadline": project.registration_deadline,
                       "commitment": project.draw_commitment, "method": project.method,
                       "policy_version": policy.version})
    return project


@transaction.atomic
def revise(*, by, project: Project, changes: dict, reason: str, now: dt.datetime | None = None) -> ProjectRevision:
    """A public, dated change to a published posting; a material change re-opens a full window."""
    _require(by, "projects.edit", project)
    now = _now(now)
    if not (reason or "").strip():
        raise ValidationError("请说明变更原因 / a reason for the revision is required")
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.registration_deadline and now >= project.registration_deadline:
        raise ValidationError("报名已截止，不能变更 / registration has closed; no more revisions")
    diff = {}
    for key, value in changes.items():
        if key not in REVISABLE_FIELDS:
            raise ValidationError(f"字段 {key} 不能变更 / field {key} cannot be revised")
        if key in ("ceiling", "floor"):
            value = _clean_money(value, key)
        elif key == "requested_limit_wd":
            value = int(value)
        old = getattr(project, key)
        if old != value:
            diff[key] = [old, value]
            setattr(project, key, value)
    if not diff:
        raise ValidationError("没有任何变更 / nothing changed")
    _validate_fields(project)
    fields = advance(project, "revise", now)
    policy = current_policy()
    material = bool(MATERIAL_FIELDS & set(diff))
    old_deadline = project.registration_deadline
    if material:
        # Bidders need a full minimum window to react to changed material terms.
        extended = registration_deadline(now, window_min_wd(project, policy), policy)
        if extended > project.registration_deadline:
            project.registration_deadline = extended
    project.save(update_fields=[*fields, *diff.keys(), "registration_deadline"])
    number = project.revisions.count() + 1
    revision = ProjectRevision.objects.create(
        project=project, number=number, created_at=now, created_by=by, reason=reason.strip(),
        diff=audit.normalise(diff), material=material, old_deadline=old_deadline,
        new_deadline=project.registration_deadline)
    audit.record(action="projects.revised", by=by, obj=project, organisation=project.owner_id, now=now,
                 reason=reason, data={"revision": number, "diff": diff, "material": material,
                                      "deadline": project.registration_deadline})
    return revision


@transaction.atomic
def cancel(*, by, project: Project, reason: str, now: dt.datetime | None = None) -> Project:
    _require(by, "projects.edit", project)
    if not (reason or "").strip():
        raise ValidationError("取消项目必须说明原因 / a reason is required to cancel")
    now = _now(now)
    project = Project.objects.select_for_update().get(pk=project.pk)
    fields = advance(project, "cancel", now)
    project.cancel_reason = reason.strip()
    project.save(update_fields=[*fields, "cancel_reason"])
    audit.record(action="projects.cancelled", by=by, obj=project, organisation=project.owner_id, now=now,
                 reason=reason, data={"code": project.code})
    return project


# ---- registration and sealed quotes ------------------------------------------------------------


def quote_required(project: Project) -> bool:
    return effective_method(project) in (M.LOWEST, M.COMPOSITE)


def _earlier_legal_reps(project: Project, *, before: Registration | None = None) -> set[str]:
    qs = project.registrations.select_related("agency")
    if before is not None:
        qs = qs.filter(registered_at__lt=before.registered_at) | qs.filter(registered_at=before.registered_at,
                                                                          id__lt=before.id)
    return {r.agency.legal_rep_id for r in qs if r.agency.legal_rep_id}


@transaction.atomic
def register(*, by, project: Project, agency: Agency, quote=None, now: dt.datetime | None = None) -> Registration:
    """Register `agency` (and its sealed quote) while the window is open; refuse with the specific reasons."""
    _require(by, "projects.register", agency)
    now = _now(now)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status != S.PUBLISHED or project.method == M.DIRECT:
        raise ValidationError("该项目不在报名期 / the project is not open for registration")
    if now >= project.registration_deadline:
        raise ValidationError("报名已截止 / registration has closed")
    if project.registrations.filter(agency=agency).exists():
        if effective_method(project) == M.DRAW:
            raise ValidationError("已报名，只能出价一次 / already registered; one quote only")
        raise ValidationError("已报名，可在截止前修改报价 / already registered; revise the quote instead")
    today = _local_date(now)
    reasons = refusal_reasons(agency_facts(agency, on=today), requirements_of(project), on=today,
                              earlier_legal_reps=_earlier_legal_reps(project))
    if reasons:
        raise ValidationError([str(r) for r in reasons])
    amount = _clean_money(quote, "报价")
    if amount is None and quote_required(project):
        raise ValidationError("本项目须报价 / this project requires a quote")
    if amount is not None:
        rules.check_quote_band(amount, floor=project.floor, ceiling=project.ceiling)
    registration = Registration.objects.create(project=project, agency=agency, registered_at=now, registered_by=by,
                                               quote=amount, quote_submitted_at=now if amount is not None else None)
    # The audit entry never carries the amount: it is sealed until the window closes.
    audit.record(action="projects.registered", by=by, obj=registration, organisation=agency.organisation_id,
                 now=now, data={"project": project.code, "agency": agency.uscc, "quoted": amount is not None})
    if amount is not None:
        audit.record(action="projects.quote_submitted", by=by, obj=registration,
                     organisation=agency.organisation_id, now=now, data={"project": project.code, "revised": False})
    return registration


@transaction.atomic
def submit_quote(*, by, registration: Registration, amount, now: dt.datetime | None = None) -> Registration:
    """Set or (lowest price / composite only) revise a sealed quote before the window closes.

    Decision: rules §5 limit only random draws to one quote; in price competitions a sealed quote may be
    revised until the deadline, and the tie-break uses the time of the latest quote (no advantage to
    having bid first and lowered later).
    """
    _require(by, "projects.register", registration.agency)
    now = _now(now)
    project = Project.objects.select_for_update().get(pk=registration.project_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if project.status != S.PUBLISHED or now >= project.registration_deadline:
        raise ValidationError("报名已截止 / registration has closed")
    if registration.quote is not None and effective_method(project) == M.DRAW:
        raise ValidationError("随机抽取项目只能出价一次 / a random draw allows one quote only")
    amount = _clean_money(amount, "报价")
    rules.check_quote_band(amount, floor=project.floor, ceiling=project.ceiling)
    revised = registration.quote is not None
    registration.quote = amount
    registration.quote_submitted_at = now
    registration.save(update_fields=["quote", "quote_submitted_at"])
    audit.record(action="projects.quote_submitted", by=by, obj=registration,
                 organisation=registration.agency.organisation_id, now=now,
                 data={"project": project.code, "revised": revised})
    return registration


def _close_locked(project: Project, now: dt.datetime, by=None) -> None:
    if now < project.registration_deadline:
        raise ValidationError("报名尚未截止 / registration is still open")
    fields = advance(project, "close", now)
    project.closed_at = project.registration_deadline
    if project.method == M.COMPOSITE:
        # The evaluation panel scores next; nothing is selected until every score is in.
        fields = advance(project, "await_evaluation", now)
    project.save(update_fields=[*fields, "closed_at"])
    audit.record(action="projects.registration_closed", by=by, obj=project, organisation=project.owner_id,
                 now=now, data={"closed_at": draw_rules.format_closed_at(project.closed_at),
                                "registrations": project.registrations.count()})


@transaction.atomic
def close_registration(*, project: Project, now: dt.datetime | None = None, by=None) -> Project:
    """Close the window at (or after) the deadline; `closed_at` is the published deadline itself."""
    now = _now(now)
    project = Project.objects.select_for_update().get(pk=project.pk)
    _close_locked(project, now, by)
    return project


def close_due(now: dt.datetime | None = None) -> list[str]:
    """Sweep: close every window whose deadline has passed (idempotent)."""
    now = _now(now)
    closed = []
    for pk in Project.objects.filter(status=S.PUBLISHED, registration_deadline__lte=now).exclude(
            method=M.DIRECT).values_list("pk", flat=True):
        with transaction.atomic():
            project = Project.objects.select_for_update().get(pk=pk)
            if project.status == S.PUBLISHED and project.registration_deadline <= now:
                _close_locked(project, now)
                closed.append(project.code)
    return closed


# ---- selection ---------------------------------------------------------------------------------


def split_eligible(project: Project, *, on: dt.date) -> tuple[list[Registration], list[dict]]:
    """Re-check every registrant on the selection date: (eligible registrations, excluded with reasons)."""
    req = requirements_of(project)
    eligible, excluded = [], []
    seen_reps: set[str] = set()
    needs_quote = quote_required(project)
    for reg in project.registrations.select_related("agency").order_by("registered_at", "id"):
        reasons = [str(r) for r in refusal_reasons(agency_facts(reg.agency, on=on), req, on=on,
                                                   earlier_legal_reps=seen_reps)]
        if reg.agency.legal_rep_id:
            seen_reps.add(reg.agency.legal_rep_id)
        if reg.excluded_reason:
            reasons.append(reg.excluded_reason)
        if needs_quote and reg.quote is None:
            reasons.append("未报价 / no quote")
        elif reg.quote is not None:
            try:
                rules.check_quote_band(reg.quote, floor=project.floor, ceiling=project.ceiling)
            except ValidationError as exc:
                reasons.extend(exc.messages)
        if reasons:
            excluded.append({"uscc": reg.agency.uscc, "reason": "；".join(reasons)})
        else:
            eligible.append(reg)
    return eligible, excluded


def _fail_locked(project: Project, now: dt.datetime, reason: str, by=None, detail: dict | None = None) -> None:
    fields = advance(project, "fail", now)
    project.failed_reason = reason
    if detail is not None:
        project.selection_detail = audit.normalise(detail)
    project.save(update_fields=[*fields, "failed_reason", "selection_detail"])
    audit.record(action="projects.round_failed", by=by, obj=project, organisation=project.owner_id, now=now,
                 reason=reason, data={"round": project.round_no, **(detail or {})})


def _offer_locked(project: Project, registration: Registration, now: dt.datetime, policy: Policy) -> None:
    fields = advance(project, "offer", now)
    registration.offer = Registration.Offer.OFFERED
    registration.offered_at = now
    registration.confirm_by = _deadline_after(now, policy.confirm_within_wd, policy)
    registration.save(update_fields=["offer", "offered_at", "confirm_by"])
    project.selected = registration
    project.selected_at = now
    project.save(update_fields=[*fields, "selected", "selected_at", "selection_order", "offer_index",
                                "draw_record", "selection_detail", "policy_version"])


def _lock_for_selection(project: Project, now: dt.datetime, by) -> Project:
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status == S.PUBLISHED and project.method != M.DIRECT:
        _close_locked(project, now, by)
    if project.status not in (S.CLOSED, S.SELECTING):
        raise ValidationError("选取已进行或项目不在可选取状态 / selection already done or not possible now")
    return project


def select_provider(*, by, project: Project, now: dt.datetime | None = None, beacon: str | None = None) -> Project:
    """Run the project's selection method once the window has closed (draw, lowest price, composite).

    Closing the window commits on its own first, so a composite project whose scores are still missing
    stays closed (awaiting the panel) when the selection itself is refused. Both steps lock the
    project row: two concurrent clicks produce exactly one close and one selection.
    """
    _require(by, "projects.edit", project)
    now = _now(now)
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.status == S.PUBLISHED and locked.method != M.DIRECT:
            _close_locked(locked, now, by)
    return _select_locked(by=by, project=project, now=now, beacon=beacon)


@transaction.atomic
def _select_locked(*, by, project: Project, now: dt.datetime, beacon: str | None) -> Project:
    policy = current_policy()
    project = _lock_for_selection(project, now, by)
    today = _local_date(now)
    eligible, excluded = split_eligible(project, on=today)
    method = effective_method(project)
    if method == M.DIRECT:
        raise ValidationError("直接选取请指定机构 / direct selection names the agency")
    if rules.round_fails(len(eligible), policy):
        _fail_locked(project, now, f"符合条件的报名不足 {policy.draw_min_candidates} 家 / fewer than "
                     f"{policy.draw_min_candidates} eligible registrants", by,
                     {"eligible": [r.agency.uscc for r in eligible], "excluded": excluded,
                      "policy_version": policy.version})
        return project
    project.policy_version = policy.version
    by_uscc = {r.agency.uscc: r for r in eligible}
    if method == M.DRAW:
        if beacon and not project.beacon_source:
            raise ValidationError("本项目未事先公布信标来源，不能使用信标 / no beacon was named in advance")
        if beacon is not None:
            project.beacon = beacon
            project.save(update_fields=["beacon"])
        record = draw_rules.build_record(project_code=project.code, closed_at=project.closed_at,
                                         secret=project.draw_secret, beacon=project.beacon,
                                         eligible=by_uscc, excluded=excluded)
        project.draw_record = record
        project.selection_order = record["order"]
        project.selection_detail = {"method": "draw", "excluded": excluded, "policy_version": policy.version}
        project.offer_index = 0
        first = by_uscc[record["order"][0]]
        _offer_locked(project, first, now, policy)
        audit.record(action="projects.provider_selected", by=by, obj=project, organisation=project.owner_id,
                     now=now, data={"method": "draw", "agency": first.agency_id, "uscc": first.agency.uscc,
                                    "draw_record": record, "policy_version": policy.version})
        return project
    if method == M.LOWEST:
        return _select_lowest(project, eligible, excluded, now, policy, by)
    if method == M.COMPOSITE:
        return _select_composite(project, eligible, excluded, now, policy, by)
    raise ValidationError("未知的选取方式 / unknown method")


def _quotes(regs: list[Registration]) -> list[rules.Quote]:
    return [rules.Quote(r.agency.uscc, r.quote, r.quote_submitted_at or r.registered_at) for r in regs]


def _select_lowest(project, eligible, excluded, now, policy, by) -> Project:
    rejected = {r.agency.uscc for r in eligible if r.justification == Registration.Justification.REJECTED}
    result = rules.lowest_price(_quotes(eligible), policy, rejected_justifications=rejected)
    by_uscc = {r.agency.uscc: r for r in eligible}
    detail = {"method": "lowest", "order": result.order, "abnormal": sorted(result.abnormal),
              "quotes": {u: str(by_uscc[u].quote) for u in by_uscc}, "excluded": excluded,
              "rejected_justifications": sorted(rejected), "policy_version": policy.version}
    project.selection_detail = audit.normalise(detail)
    project.selection_order = result.order
    project.offer_index = 0
    if result.winner is None:
        _fail_locked(project, now, "没有有效报价 / no valid quote left", by, detail)
        return project
    winner = by_uscc[result.winner]
    if result.winner in result.abnormal and winner.justification != Registration.Justification.ACCEPTED:
        if winner.justification != Registration.Justification.SUBMITTED:
            winner.justification = Registration.Justification.REQUIRED
            winner.justification_due = _deadline_after(now, policy.abnormal_justify_wd, policy)
            winner.save(update_fields=["justification", "justification_due"])
        fields = advance(project, "await_evaluation", now)
        project.save(update_fields=[*fields, "selection_detail", "selection_order", "offer_index",
                                    "policy_version"])
        audit.record(action="projects.low_quote_flagged", by=by, obj=winner, organisation=project.owner_id,
                     now=now, data={"project": project.code, "uscc": result.winner})
        return project
    _offer_locked(project, winner, now, policy)
    project.awarded_price = winner.quote
    project.save(update_fields=["awarded_price"])
    audit.record(action="projects.provider_selected", by=by, obj=project, organisation=project.owner_id, now=now,
                 data={"method": "lowest", "agency": winner.agency_id, "uscc": winner.agency.uscc,
                       "price": winner.quote, "detail": detail})
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
    _offer_locked(project, winner, now, policy)
    project.awarded_price = winner.quote
    project.save(update_fields=["awarded_price"])
    audit.record(action="projects.provider_selected", by=by, obj=project, organisation=project.owner_id, now=now,
                 data={"method": "composite", "agency": winner.agency_id, "uscc": winner.agency.uscc,
                       "detail": detail})
    return project


@transaction.atomic
def enter_technical_score(*, by, registration: Registration, score, now: dt.datetime | None = None) -> Registration:
    """The owner's evaluation panel enters a technical score (0..technical weight) after the window closes."""
    project = Project.objects.select_for_update().get(pk=registration.project_id)
    _require(by, "projects.edit", project)
    if project.method != M.COMPOSITE or project.status not in (S.CLOSED, S.SELECTING):
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
                 now=_now(now), data={"project": project.code, "score": value})
    return registration


@transaction.atomic
def select_direct(*, by, project: Project, agency: Agency, now: dt.datetime | None = None) -> Project:
    """直接选取: the owner names an eligible agency; the reason and the fiscal limit were checked at publication."""
    _require(by, "projects.edit", project)
    now = _now(now)
    policy = current_policy()
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.method != M.DIRECT or project.status != S.PUBLISHED:
        raise ValidationError("只有已发布的直接选取项目可以指定机构 / only a published direct project can name an agency")
    rules.check_direct(funding=project.funding, ceiling=project.ceiling, reason=project.direct_reason, policy=policy)
    today = _local_date(now)
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
    _offer_locked(project, registration, now, policy)
    audit.record(action="projects.provider_selected", by=by, obj=project, organisation=project.owner_id, now=now,
                 reason=project.direct_reason, data={"method": "direct", "agency": agency.pk, "uscc": agency.uscc})
    return project


# ---- abnormally low quotes -------------------------------------------------------------------


@transaction.atomic
def submit_justification(*, by, registration: Registration, text: str, now: dt.datetime | None = None):
    _require(by, "projects.register", registration.agency)
    now = _now(now)
    Project.objects.select_for_update().get(pk=registration.project_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.justification != Registration.Justification.REQUIRED:
        raise ValidationError("无需说明 / no justification is requested")
    if registration.justification_due and now > registration.justification_due:
        raise ValidationError("说明期限已过 / the justification deadline has passed")
    if len((text or "").strip()) < 10:
        raise ValidationError("书面说明过短 / the written justification is too short")
    registration.justification = Registration.Justification.SUBMITTED
    registration.justification_text = text.strip()
    registration.save(update_fields=["justification", "justification_text"])
    audit.record(action="projects.low_quote_justified", by=by, obj=registration,
                 organisation=registration.agency.organisation_id, now=now, data={"project": registration.project_id})
    return registration


@transaction.atomic
def decide_justification(*, by, registration: Registration, accept: bool, now: dt.datetime | None = None):
    """The owner accepts (the low quote wins) or rejects it (the next lowest wins)."""
    now = _now(now)
    project = Project.objects.select_for_update().get(pk=registration.project_id)
    _require(by, "projects.edit", project)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if project.status != S.SELECTING or registration.justification not in (
            Registration.Justification.SUBMITTED, Registration.Justification.REQUIRED):
        raise ValidationError("没有待决定的低价说明 / no justification to decide")
    if registration.justification == Registration.Justification.REQUIRED and accept:
        raise ValidationError("机构尚未提交说明 / the agency has not justified its quote yet")
    registration.justification = (Registration.Justification.ACCEPTED if accept
                                  else Registration.Justification.REJECTED)
    registration.save(update_fields=["justification"])
    audit.record(action="projects.low_quote_decided", by=by, obj=registration, organisation=project.owner_id,
                 now=now, data={"project": project.code, "accepted": accept})
    eligible, excluded = split_eligible(project, on=_local_date(now))
    _select_lowest(project, eligible, excluded, now, current_policy(), by)
    return project


def expire_justifications(now: dt.datetime | None = None) -> int:
    """Sweep: a low quote not justified in time counts as rejected (idempotent)."""
    now = _now(now)
    n = 0
    for reg in Registration.objects.filter(justification=Registration.Justification.REQUIRED,
                                           justification_due__lt=now, project__status=S.SELECTING):
        with transaction.atomic():
            project = Project.objects.select_for_update().get(pk=reg.project_id)
            reg = Registration.objects.select_for_update().get(pk=reg.pk)
            if reg.justification != Registration.Justification.REQUIRED or project.status != S.SELECTING:
                continue
            reg.justification = Registration.Justification.REJECTED
            reg.save(update_fields=["justification"])
            audit.record(action="projects.low_quote_decided", obj=reg, organisation=project.owner_id, now=now,
                         data={"project": project.code, "accepted": False, "expired": True})
            eligible, excluded = split_eligible(project, on=_local_date(now))
            _select_lowest(project, eligible, excluded, now, current_policy(), None)
            n += 1
    return n


# ---- confirmation and fallback ---------------------------------------------------------------


@transaction.atomic
def confirm_selection(*, by, registration: Registration, now: dt.datetime | None = None) -> Project:
    """The offered agency confirms within `confirm_within_wd`; the result publicity starts."""
    _require(by, "projects.register", registration.agency)
    now = _now(now)
    policy = current_policy()
    project = Project.objects.select_for_update().get(pk=registration.project_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if project.status != S.CONFIRMING or project.selected_id != registration.pk or \
            registration.offer != Registration.Offer.OFFERED:
        raise ValidationError("没有待确认的中选 / there is no selection to confirm")
    if now > registration.confirm_by:
        raise ValidationError("确认期限已过 / the confirmation deadline has passed")
    registration.offer = Registration.Offer.CONFIRMED
    registration.offer_answered_at = now
    registration.save(update_fields=["offer", "offer_answered_at"])
    fields = advance(project, "confirm", now)
    today = _local_date(now)
    project.publicity_starts_on = today
    project.publicity_ends_on = workdays.add_working_days(today, policy.publicity_wd)
    if project.awarded_price is None:
        project.awarded_price = registration.quote
    project.save(update_fields=[*fields, "publicity_starts_on", "publicity_ends_on", "awarded_price"])
    audit.record(action="projects.selection_confirmed", by=by, obj=registration,
                 organisation=registration.agency.organisation_id, now=now,
                 data={"project": project.code, "agency": registration.agency_id})
    audit.record(action="projects.result_published", by=by, obj=project, organisation=project.owner_id, now=now,
                 data={"code": project.code, "agency": registration.agency_id, "uscc": registration.agency.uscc,
                       "price": project.awarded_price, "publicity_ends_on": project.publicity_ends_on,
                       "draw_record": project.draw_record})
    return project


def _abandon_locked(project: Project, registration: Registration, now: dt.datetime, *, outcome: str,
                    reason: str, by=None) -> None:
    policy = current_policy()
    registration.offer = outcome
    registration.offer_answered_at = now
    registration.refusal_reason = reason
    registration.save(update_fields=["offer", "offer_answered_at", "refusal_reason"])
    record_credit_event(agency=registration.agency, code="abandon", date=_local_date(now),
                        cause=f"{project.code} 放弃中选：{reason}", cause_obj=registration, by=by)
    if project.draw_record:
        project.draw_record = draw_rules.with_abandoned(project.draw_record, registration.agency.uscc)
    project.offer_index += 1
    audit.record(action="projects.selection_abandoned", by=by, obj=registration,
                 organisation=registration.agency.organisation_id, now=now, reason=reason,
                 data={"project": project.code, "agency": registration.agency_id, "outcome": outcome})
    order = project.selection_order or []
    while project.offer_index < len(order):
        nxt = project.registrations.select_related("agency").filter(agency__uscc=order[project.offer_index]).first()
        if nxt is not None and nxt.offer == "":
            _offer_locked(project, nxt, now, policy)
            audit.record(action="projects.provider_selected", by=by, obj=project, organisation=project.owner_id,
                         now=now, data={"method": project.method, "agency": nxt.agency_id, "uscc": nxt.agency.uscc,
                                        "fallback": project.offer_index, "draw_record": project.draw_record})
            return
        if project.draw_record and project.draw_record.get("selected") == order[project.offer_index]:
            # Keep the published record's `selected` in step with whom the job is actually offered.
            project.draw_record = draw_rules.with_abandoned(project.draw_record, order[project.offer_index])
        project.offer_index += 1
    project.selected = None
    project.save(update_fields=["selected", "offer_index", "draw_record"])
    _fail_locked(project, now, "候选机构均未确认 / no candidate confirmed", by)


@transaction.atomic
def refuse_selection(*, by, registration: Registration, reason: str, now: dt.datetime | None = None) -> Project:
    """The offered agency declines: an `abandon` credit event, and the next in order is offered the job."""
    _require(by, "projects.register", registration.agency)
    if not (reason or "").strip():
        raise ValidationError("请说明放弃理由 / a reason is required")
    now = _now(now)
    project = Project.objects.select_for_update().get(pk=registration.project_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if project.status != S.CONFIRMING or project.selected_id != registration.pk or \
            registration.offer != Registration.Offer.OFFERED:
        raise ValidationError("没有待确认的中选 / there is no selection to answer")
    _abandon_locked(project, registration, now, outcome=Registration.Offer.REFUSED, reason=reason.strip(), by=by)
    return project


def expire_confirmations(now: dt.datetime | None = None) -> int:
    """Sweep: an offer not confirmed by its deadline is abandoned (idempotent; safe against a racing confirm)."""
    now = _now(now)
    n = 0
    due = Registration.objects.filter(offer=Registration.Offer.OFFERED, confirm_by__lt=now,
                                      project__status=S.CONFIRMING).values_list("pk", "project_id")
    for reg_pk, project_pk in list(due):
        with transaction.atomic():
            project = Project.objects.select_for_update().get(pk=project_pk)
            registration = Registration.objects.select_for_update().select_related("agency").get(pk=reg_pk)
            if (project.status != S.CONFIRMING or project.selected_id != reg_pk
                    or registration.offer != Registration.Offer.OFFERED or registration.confirm_by >= now):
                continue
            _abandon_locked(project, registration, now, outcome=Registration.Offer.EXPIRED,
                            reason="逾期未确认 / not confirmed in time")
            n += 1
    return n


# ---- publicity, objections, contract ---------------------------------------------------------


@transaction.atomic
def file_objection(*, by, project: Project, registration: Registration, text: str,
                   now: dt.datetime | None = None) -> Objection:
    """质疑: only a registrant, only inside the publicity window; pauses the award until answered."""
    _require(by, "projects.register", registration.agency)
    now = _now(now)
    policy = current_policy()
    project = Project.objects.select_for_update().get(pk=project.pk)
    if registration.project_id != project.pk:
        raise PermissionDenied("只有报名机构可以质疑 / only registrants may object")
    today = _local_date(now)
    if project.status != S.PUBLICITY or today > project.publicity_ends_on:
        raise ValidationError("不在公示期内，不能质疑 / objections only inside the publicity window")
    if len((text or "").strip()) < 10:
        raise ValidationError("请写明质疑事项和理由 / state the objection and its grounds")
    objection = Objection.objects.create(project=project, registration=registration, text=text.strip(),
                                         filed_at=now, filed_by=by,
                                         answer_due_on=workdays.add_working_days(today, policy.objection_answer_wd))
    audit.record(action="projects.objection_filed", by=by, obj=objection,
                 organisation=registration.agency.organisation_id, now=now,
                 data={"project": project.code, "agency": registration.agency_id, "due": objection.answer_due_on})
    return objection


@transaction.atomic
def answer_objection(*, by, objection: Objection, upheld: bool, answer: str,
                     now: dt.datetime | None = None) -> Objection:
    """The competent regulator answers; an upheld objection withdraws the result (selection re-runs
    without the objected-to agency), a rejected one lets the award proceed."""
    _require(by, "projects.answer_objection", objection)
    now = _now(now)
    if not (answer or "").strip():
        raise ValidationError("请填写答复 / an answer is required")
    project = Project.objects.select_for_update().get(pk=objection.project_id)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if not objection.is_open:
        raise ValidationError("该质疑已答复 / already answered")
    objection.outcome = Objection.Outcome.UPHELD if upheld else Objection.Outcome.REJECTED
    objection.answer = answer.strip()
    objection.answered_at = now
    objection.answered_by = by
    objection.save(update_fields=["outcome", "answer", "answered_at", "answered_by"])
    audit.record(action="projects.objection_answered", by=by, obj=objection, now=now, reason=answer,
                 data={"project": project.code, "upheld": upheld})
    if upheld and project.status == S.PUBLICITY:
        selected = project.selected
        selected.excluded_reason = f"质疑成立：{objection.answer}"
        selected.offer = ""
        selected.save(update_fields=["excluded_reason", "offer"])
        fields = advance(project, "withdraw_result", now)
        project.selected = None
        project.draw_record = None
        project.awarded_price = None
        project.publicity_starts_on = project.publicity_ends_on = None
        project.save(update_fields=[*fields, "selected", "draw_record", "awarded_price", "publicity_starts_on",
                                    "publicity_ends_on"])
        audit.record(action="projects.result_withdrawn", by=by, obj=project, organisation=project.owner_id, now=now,
                     reason=objection.answer, data={"code": project.code, "objection": objection.pk})
    return objection


@transaction.atomic
def end_publicity(*, project: Project, now: dt.datetime | None = None, by=None) -> Project:
    """After the publicity window (and with no open objection) the contract clock starts."""
    now = _now(now)
    policy = current_policy()
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status != S.PUBLICITY:
        raise ValidationError("项目不在公示期 / not in publicity")
    today = _local_date(now)
    if today <= project.publicity_ends_on:
        raise ValidationError("公示期尚未结束 / the publicity window has not ended")
    if project.objections.filter(outcome="").exists():
        raise ValidationError("有未答复的质疑，暂停授予 / an objection is pending; the award is paused")
    fields = advance(project, "end_publicity", now)
    start = max(project.publicity_ends_on, _local_date(project.objections.order_by("-answered_at")
                                                       .values_list("answered_at", flat=True).first() or now)
                if project.objections.exists() else project.publicity_ends_on)
    project.contract_due_on = workdays.add_working_days(start, policy.contract_sign_wd)
    project.save(update_fields=[*fields, "contract_due_on"])
    audit.record(action="projects.publicity_ended", by=by, obj=project, organisation=project.owner_id, now=now,
                 data={"code": project.code, "contract_due_on": project.contract_due_on})
    return project


def end_publicity_due(now: dt.datetime | None = None) -> int:
    """Sweep: end every publicity whose window has passed and has no open objection (idempotent)."""
    now = _now(now)
    n = 0
    for project in Project.objects.filter(status=S.PUBLICITY, publicity_ends_on__lt=_local_date(now)):
        try:
            end_publicity(project=project, now=now)
            n += 1
        except ValidationError:
            continue
    return n


@transaction.atomic
def sign_contract(*, by, project: Project, signed_on: dt.date, now: dt.datetime | None = None) -> Project:
    _require(by, "projects.edit", project)
    now = _now(now)
    policy = current_policy()
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status != S.CONTRACTING:
        raise ValidationError("现在不能签订合同 / the contract cannot be signed now")
    if signed_on > _local_date(now):
        raise ValidationError("签订日期不能晚于今天 / the signing date cannot be in the future")
    if project.publicity_ends_on and signed_on <= project.publicity_ends_on:
        raise ValidationError("合同须在公示期结束后签订 / sign after the publicity window")
    project.contract_signed_on = signed_on
    project.contract_upload_due_on = workdays.add_working_days(signed_on, policy.contract_upload_wd)
    project.save(update_fields=["contract_signed_on", "contract_upload_due_on", "updated_at"])
    audit.record(action="projects.contract_signed", by=by, obj=project, organisation=project.owner_id, now=now,
                 data={"agency": project.selected.agency_id, "signed_on": signed_on,
                       "late": signed_on > project.contract_due_on if project.contract_due_on else False})
    return project


def check_pdf(upload) -> None:
    """PDF only: the extension, the size limit, and the %PDF- magic bytes (content, not just the name)."""
    name = (getattr(upload, "name", "") or "").lower()
    if not name.endswith(".pdf"):
        raise ValidationError("只能上传PDF文件 / only PDF files are accepted")
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError("文件过大 / the file is too large")
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if uploads.sniff(head.lstrip(), {"application/pdf"}) is None:
        raise ValidationError("文件内容不是PDF / the file content is not a PDF")


@transaction.atomic
def upload_contract(*, by, project: Project, upload, signed_on: dt.date | None = None,
                    now: dt.datetime | None = None) -> Project:
    """The signed contract's scan (private storage); the service clock starts from this entry."""
    _require(by, "projects.edit", project)
    now = _now(now)
    check_pdf(upload)
    if signed_on is not None and project.contract_signed_on is None:
        project = sign_contract(by=by, project=project, signed_on=signed_on, now=now)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status != S.CONTRACTING:
        raise ValidationError("现在不能上传合同 / the contract cannot be uploaded now")
    if project.contract_signed_on is None:
        raise ValidationError("请先填写合同签订日期 / enter the signing date first")
    project.contract_file.save(f"{project.code}.pdf", upload, save=False)
    project.contract_uploaded_at = now
    fields = advance(project, "start_service", now)
    project.save(update_fields=[*fields, "contract_file", "contract_uploaded_at"])
    audit.record(action="projects.contract_uploaded", by=by, obj=project, organisation=project.owner_id, now=now,
                 data={"agency": project.selected.agency_id, "signed_on": project.contract_signed_on})
    # The service clock opens with the uploaded contract (it starts once the materials are complete).
    from projects.delivery.services import start_service

    start_service(project=project, agency=project.selected.agency, contract_signed_on=project.contract_signed_on,
                  limit_wd=project.requested_limit_wd, by=by, now=now)
    return project


# ---- re-publication after 流标 ------------------------------------------------------------


@transaction.atomic
def republish(*, by, project: Project, method: str | None = None, now: dt.datetime | None = None) -> Project:
    """A failed round may be re-published as a new draft; a method switch only after a second failure."""
    _require(by, "projects.edit", project)
    now = _now(now)
    policy = current_policy()
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status != S.FAILED:
        raise ValidationError("只有流标的项目可以重新发布 / only a failed round can be re-published")
    if Project.objects.filter(previous_round=project).exists():
        raise ValidationError("已重新发布 / already re-published")
    method = method or project.method
    if method != project.method and not rules.may_switch_method(failed_rounds=project.round_no, policy=policy):
        raise ValidationError("第一次流标后须按原方式重新发布，再次流标后方可变更选取方式 / after a first failure "
                              "re-publish with the same method; a switch is allowed after a second failure")
    fields = {k: getattr(project, k) for k in EDITABLE_FIELDS}
    fields["method"] = method
    new = create_draft(
        by=by, owner=project.owner, fields=fields, now=now,
        qualifications=list(project.required_qualifications.values_list("qualification_type", "min_level")),
        practitioners=list(project.required_practitioners.values_list("kind", "count")),
        avoided=list(project.avoided.values_list("uscc", "name", "reason")),
        invited=list(project.invited_agencies.all()))
    new.round_no = project.round_no + 1
    new.previous_round = project
    new.save(update_fields=["round_no", "previous_round"])
    audit.record(action="projects.republished", by=by, obj=new, organisation=project.owner_id, now=now,
                 data={"from": project.code, "round": new.round_no, "method": method})
    return new
