"""Writes of sanctions (docs/rules.md §9): imposed from the grade history and the ledger, imposed or lifted
by a regulator's own decision, lifted automatically when a void takes their grounds away, and the
agency status that follows them (through the agencies status service).

`ratings.services` re-exports these; `recompute_agency` and the nightly recomputation call
`apply_sanctions`.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from agencies.status import add_to_blacklist, end_blacklist, reinstate, set_status
from marketplace import audit, workdays
from marketplace.permissions import require
from marketplace.policy import current_policy, policy_version
from ratings import events, grounds, scoring
from ratings.models import GradeChange, Sanction
from ratings.selectors import ledger_events

SANCTIONABLE = {Agency.Status.ADMITTED, Agency.Status.SUSPENDED}
ORDER = [Sanction.Kind.SUSPEND_ABANDON, Sanction.Kind.SUSPEND_D, Sanction.Kind.REMOVAL, Sanction.Kind.BLACKLIST]
SUSPENSIONS = {Sanction.Kind.SUSPEND_D, Sanction.Kind.SUSPEND_ABANDON, Sanction.Kind.SUSPEND_MANUAL}
EXCLUSIONS = {Sanction.Kind.REMOVAL, Sanction.Kind.BLACKLIST}
BY_HAND = {Sanction.Kind.SUSPEND_MANUAL, Sanction.Kind.REMOVAL, Sanction.Kind.BLACKLIST}
VOIDED_REASON = "惩戒依据已撤销，自动解除 / the grounds of this sanction were voided: lifted automatically"


def apply_sanctions(agency: Agency, *, as_of: dt.date, policy=None, by=None) -> list[Sanction]:
    """Lift the automatic sanctions a void took the grounds of, then impose every sanction the grade history
    and ledger call for that is in force at `as_of` and not yet imposed (a lifted one is not imposed again)."""
    policy = policy or current_policy()
    ledger = ledger_events(agency.pk)
    lift_voided(agency, ledger=ledger, as_of=as_of, policy=policy)
    if agency.status not in SANCTIONABLE and agency.status != Agency.Status.REMOVED:
        return []
    grades = list(GradeChange.objects.filter(agency=agency, voided_on__isnull=True).values_list("date", "grade"))
    specs = scoring.in_force(scoring.sanctions(grades, ledger, as_of=as_of, policy=policy), as_of)
    existing = set(Sanction.objects.filter(agency=agency).values_list("kind", "starts_on"))
    imposed = []
    for spec in sorted(specs, key=lambda s: (s.starts_on, ORDER.index(s.kind))):
        if (spec.kind, spec.starts_on) in existing:
            continue
        imposed.append(impose_sanction(agency=agency, spec=spec, by=by, policy=policy))
    return imposed


@transaction.atomic
def impose_sanction(*, agency: Agency, spec: scoring.SanctionSpec, by=None, policy=None,
                    manual: bool = False) -> Sanction:
    policy = policy or current_policy()
    sanction = Sanction.objects.create(agency=agency, kind=spec.kind, starts_on=spec.starts_on, ends_on=spec.ends_on,
                                       cause=spec.cause[:300], policy_version=policy.version, manual=manual,
                                       imposed_by=by if manual else None)
    audit.record(action=events.SANCTION_IMPOSED.action, by=by, obj=sanction, organisation=agency.organisation_id,
                 data={"agency": agency.pk, "uscc": agency.uscc, "kind": spec.kind, "starts_on": spec.starts_on,
                       "ends_on": spec.ends_on, **({"manual": True} if manual else {})}, reason=spec.cause)
    if spec.kind in SUSPENSIONS:
        if agency.status in (Agency.Status.ADMITTED, Agency.Status.SUSPENDED):
            until = max(filter(None, [agency.suspended_until, spec.ends_on]))
            set_agency_status(agency=agency, status=Agency.Status.SUSPENDED, until=until, by=by, reason=spec.cause)
    elif spec.kind == Sanction.Kind.REMOVAL and agency.status != Agency.Status.BLACKLISTED:
        set_agency_status(agency=agency, status=Agency.Status.REMOVED, until=None, by=by, reason=spec.cause)
    elif spec.kind == Sanction.Kind.BLACKLIST:
        add_to_blacklist(uscc=agency.uscc, reason=spec.cause, starts_on=spec.starts_on, ends_on=spec.ends_on)
        set_agency_status(agency=agency, status=Agency.Status.BLACKLISTED, until=spec.ends_on, by=by,
                          reason=spec.cause)
    return sanction


def set_agency_status(*, agency: Agency, status: str, until: dt.date | None, by=None, reason: str) -> None:
    """Move an agency's status as a sanction's consequence, through the agencies status service
    (its transition table, its audit entry `agencies.status_changed`).

    The change is the system's (`by=None` there): the person whose action led to the sanction is
    recorded on `ratings.sanction_imposed`, and may not hold the agencies.set_status permission.
    Blacklist rows are written by `impose_sanction` with the sanction's own dates, so `until` is not
    passed on for a blacklisting.
    """
    if agency.status == status and agency.suspended_until == until:
        return
    updated = set_status(agency=agency, to=status, by=None, reason=reason,
                         until=None if status == Agency.Status.BLACKLISTED else until)
    agency.status, agency.suspended_until = updated.status, updated.suspended_until


# ---- by hand -------------------------------------------------------------------------------------


def _by_hand_end(kind: str, starts_on: dt.date, ends_on, policy) -> dt.date | None:
    if kind == Sanction.Kind.REMOVAL:
        return None
    if ends_on in (None, "") and kind == Sanction.Kind.BLACKLIST:
        return scoring.add_months(starts_on, int(policy["sanction_blacklist_years"]) * 12)
    if ends_on in (None, ""):
        raise ValidationError("请填写暂停截止日 / an end date is required for a suspension")
    ends_on = ends_on if isinstance(ends_on, dt.date) else dt.date.fromisoformat(str(ends_on))
    if ends_on <= starts_on:
        raise ValidationError("截止日须晚于起始日 / the end date must be after the start date")
    return ends_on


@transaction.atomic
def impose_by_hand(*, agency: Agency, by, kind: str, reason: str, ends_on: dt.date | None = None,
                   today: dt.date | None = None) -> Sanction:
    """A regulator covering the agency imposes a suspension, a removal or a blacklisting from today, with a reason.

    Never lifted automatically; lifted by hand like any sanction.
    """
    today = today or workdays.today()
    require(by, "ratings.impose_sanction", agency)
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    policy = current_policy()
    if kind not in BY_HAND:
        raise ValidationError("请选择惩戒类型：暂停、清退或黑名单 / choose a suspension, a removal or a blacklisting")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError("请写明惩戒理由（至少10个字） / give the reason for the sanction (at least 10 characters)")
    allowed = SANCTIONABLE | ({Agency.Status.REMOVED} if kind == Sanction.Kind.BLACKLIST else set())
    if agency.status not in allowed:
        raise ValidationError(f"机构当前状态（{agency.get_status_display()}）不能施加此惩戒 / "
                              f"this sanction cannot be imposed on an agency in status {agency.status}")
    if Sanction.objects.filter(agency=agency, kind=kind, starts_on=today).exists():
        raise ValidationError("该机构今日已有同类惩戒 / a sanction of this kind already starts today for this agency")
    spec = scoring.SanctionSpec(kind, today, _by_hand_end(kind, today, ends_on, policy), reason)
    return impose_sanction(agency=agency, spec=spec, by=by, policy=policy, manual=True)


# ---- lifting -------------------------------------------------------------------------------------


def _lift(sanction: Sanction, *, by, reason: str, today: dt.date, now: dt.datetime, automatic: bool) -> None:
    sanction.lifted_at, sanction.lifted_by, sanction.lift_reason = now, by, reason
    sanction.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    audit.record(action=events.SANCTION_LIFTED.action, by=by, obj=sanction,
                 organisation=sanction.agency.organisation_id, now=now,
                 data={"agency": sanction.agency_id, "uscc": sanction.agency.uscc, "kind": sanction.kind,
                       **({"automatic": True} if automatic else {})}, reason=reason)
    if sanction.kind == Sanction.Kind.BLACKLIST:
        end_blacklist(uscc=sanction.agency.uscc, starts_on=sanction.starts_on, ends_on=today)


@transaction.atomic
def lift_sanction(*, sanction: Sanction, by, reason: str, today: dt.date | None = None,
                  now: dt.datetime | None = None) -> Sanction:
    """A covering regulator lifts a sanction (e.g. its cause was voided on appeal); status follows what remains."""
    today = today or workdays.today()
    now = now or timezone.now()
    sanction = Sanction.objects.select_for_update().select_related("agency").get(pk=sanction.pk)
    require(by, "ratings.lift_sanction", sanction)
    if sanction.lifted_at is not None:
        raise ValidationError("该惩戒已解除 / this sanction has already been lifted")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请说明解除原因 / a reason is required")
    _lift(sanction, by=by, reason=reason, today=today, now=now, automatic=False)
    _restore_status(sanction.agency, today=today, by=by, reason=reason,
                    reinstating=sanction.kind in EXCLUSIONS)
    return sanction


def _restore_status(agency: Agency, *, today: dt.date, by, reason: str, reinstating: bool = False) -> None:
    """Make the agency's status follow the sanctions still in force.

    A removed or blacklisted agency returns to 已入驻 only when the lift being applied is of a removal
    or blacklisting (`reinstating`); one removed otherwise keeps its status.
    """
    live = [s for s in Sanction.objects.filter(agency=agency, lifted_at__isnull=True) if s.in_force(today)]
    kinds = {s.kind for s in live}
    if Sanction.Kind.BLACKLIST in kinds:
        return
    if Sanction.Kind.REMOVAL in kinds:
        set_agency_status(agency=agency, status=Agency.Status.REMOVED, until=None, by=by, reason=reason)
        return
    if agency.status in (Agency.Status.REMOVED, Agency.Status.BLACKLISTED):
        if not reinstating:
            return
        updated = reinstate(agency=agency, by=None, reason=reason)
        agency.status, agency.suspended_until = updated.status, updated.suspended_until
    if kinds:
        until = max(s.ends_on for s in live if s.ends_on)
        set_agency_status(agency=agency, status=Agency.Status.SUSPENDED, until=until, by=by, reason=reason)
    elif agency.status == Agency.Status.SUSPENDED:
        set_agency_status(agency=agency, status=Agency.Status.ADMITTED, until=None, by=by, reason=reason)


def expire_sanctions(*, today: dt.date | None = None) -> int:
    """Nightly: suspended agencies whose suspensions have all ended return to 已入驻."""
    today = today or workdays.today()
    n = 0
    for agency in Agency.objects.filter(status=Agency.Status.SUSPENDED, suspended_until__lte=today):
        with transaction.atomic():
            _restore_status(agency, today=today, by=None, reason="暂停期满 / suspension ended")
            n += 1
    return n


# ---- grounds voided ------------------------------------------------------------------------------


def _policy_of(version: int | None, fallback):
    if version is None or version == fallback.version:
        return fallback
    try:
        return policy_version(version)
    except ObjectDoesNotExist:
        return fallback


def _void_grade_changes(agency: Agency, rows: list[GradeChange], *, ledger, as_of: dt.date, policy) -> list:
    voided = [g for g in rows if g.grade == "D"
              and grounds.d_voided_away(g.date, events=ledger, policy=_policy_of(g.policy_version, policy))]
    for g in voided:
        g.voided_on = as_of
        g.save(update_fields=["voided_on"])
        audit.record(action=events.GRADE_CHANGE_VOIDED.action, by=None, obj=g, organisation=agency.organisation_id,
                     data={"agency": agency.pk, "uscc": agency.uscc, "grade_change": g.pk, "date": g.date,
                           "grade": g.grade}, reason=VOIDED_REASON)
    return voided


def _reenter_d(agency: Agency, *, as_of: dt.date, policy) -> None:
    """After entries into D lost their grounds, an agency still at D enters D again on `as_of`."""
    last = GradeChange.objects.filter(agency=agency, voided_on__isnull=True).order_by("-date", "-id").first()
    if agency.credit_grade == "D" and (last is None or last.grade != "D"):
        GradeChange.objects.create(agency=agency, date=as_of, grade="D", previous=last.grade if last else "A",
                                   score=agency.credit_score, forced=agency.credit_forced,
                                   policy_version=policy.version)


def lift_voided(agency: Agency, *, ledger: list[scoring.Event], as_of: dt.date, policy,
                now: dt.datetime | None = None) -> list[Sanction]:
    """Re-derive the grade history from the ledger and lift the automatic sanctions a void took the grounds of.

    Entries into D that a void took away are marked voided in the grade history; each lift is audited
    (`ratings.sanction_lifted`, automatic) so its public notice is withdrawn; the status follows.
    """
    if not grounds.any_voided(ledger):
        return []
    now = now or timezone.now()
    rows = list(GradeChange.objects.filter(agency=agency).order_by("date", "id"))
    d_dates = scoring.d_entries([(g.date, g.grade) for g in rows])
    voided = _void_grade_changes(agency, [g for g in rows if g.voided_on is None], ledger=ledger, as_of=as_of,
                                 policy=policy)
    candidates = Sanction.objects.select_for_update().filter(agency=agency, manual=False, lifted_at__isnull=True,
                                                             starts_on__lte=as_of).order_by("starts_on", "id")
    gone = [s for s in candidates if grounds.voided_away(s.kind, s.starts_on, events=ledger, d_dates=d_dates,
                                                         policy=_policy_of(s.policy_version, policy))]
    for sanction in gone:
        sanction.agency = agency
        _lift(sanction, by=None, reason=VOIDED_REASON, today=as_of, now=now, automatic=True)
    if gone:
        _restore_status(agency, today=as_of, by=None, reason=VOIDED_REASON,
                        reinstating=any(s.kind in EXCLUSIONS for s in gone))
    if voided:
        _reenter_d(agency, as_of=as_of, policy=policy)
    return gone
