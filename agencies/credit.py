"""Writes of an agency's credit: the ledger, and the score/grade and rating summary stored on the row.

The ledger is append-only. Every app that causes a credit event calls `record_credit_event`; a
mistaken line is voided by a correction line (`correct_credit_event`), never edited. The ratings app
subscribes to `agencies.credit_event_recorded` / `agencies.credit_event_corrected`, computes the
agency's projection (score, grade, forced, rating count and mean) and stores it here, the only
writers of those columns: `store_credit` and `store_rating_summary` for one agency,
`store_credit_many` and `store_rating_summaries` for the nightly set-based run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from agencies.events import CREDIT_EVENT_CORRECTED, CREDIT_EVENT_RECORDED, CREDIT_UPDATED
from agencies.models import Agency, CreditEvent
from marketplace import audit
from marketplace.permissions import require

State = CreditEvent.State


@transaction.atomic
def record_credit_event(*, agency: Agency, code: str, date: dt.date, cause: str,
                        cause_obj: models.Model | None = None, by=None,
                        state: str = CreditEvent.State.COUNTED, safety_related: bool = False) -> CreditEvent:
    """Append one ledger line. Idempotent per (agency, code, cause object): a replay returns the existing line."""
    if code not in CreditEvent.Code.values:
        raise ValidationError(f"未知的信用事项 / unknown credit event code: {code}")
    if state == State.CORRECTION:
        raise ValidationError("更正记录须通过更正办理 / a correction line is written by correct_credit_event")
    if not cause.strip():
        raise ValidationError("必须写明原因 / a cause is required")
    cause_type, cause_id = audit.object_ref(cause_obj)
    if cause_id:
        existing = CreditEvent.objects.filter(agency=agency, code=code, cause_type=cause_type, cause_id=cause_id).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            event = CreditEvent.objects.create(agency=agency, code=code, date=date, state=state, cause=cause,
                                               cause_type=cause_type, cause_id=cause_id, created_by=by,
                                               safety_related=safety_related)
    except IntegrityError:
        return CreditEvent.objects.get(agency=agency, code=code, cause_type=cause_type, cause_id=cause_id)
    audit.record(action=CREDIT_EVENT_RECORDED.action, by=by, obj=event, organisation=agency.organisation_id,
                 data={"agency": agency.pk, "uscc": agency.uscc, "code": code, "date": date, "state": state,
                       "cause_type": cause_type, "cause_id": cause_id}, reason=cause)
    return event


@transaction.atomic
def set_event_state(*, event: CreditEvent, state: str) -> CreditEvent:
    """Move a ledger line between counted / appeal pending / voided / repaired (the caller audits why).

    A correction line and a line voided by a correction are final.
    """
    if state not in State.values or state == State.CORRECTION:
        raise ValidationError(f"未知的状态 / unknown credit event state: {state}")
    if event.state == State.CORRECTION or (
            event.state == State.VOIDED and CreditEvent.objects.filter(corrects_id=event.pk).exists()):
        raise ValidationError("该记录已更正，不能再变更 / this line has been corrected and is final")
    event.state = state
    event.save(update_fields=["state"])
    return event


CORRECTABLE = {State.COUNTED, State.REPAIRED}
REASON_MIN_CHARS = 10


@transaction.atomic
def correct_credit_event(*, event: CreditEvent, by, reason: str, now: dt.datetime | None = None) -> CreditEvent:
    """Void a mistaken ledger line by appending a correction line that names it, with the reason and the actor.

    Only a regulator covering the agency corrects; the line must count or be repaired (a line under
    appeal is settled by the appeal, a voided line is already void). One audit entry
    (`agencies.credit_event_corrected`); the ratings app recomputes the agency when it commits.
    """
    now = now or timezone.now()
    if by is None:
        raise ValidationError("更正须由监管人员作出 / a correction needs a regulator")
    event = CreditEvent.objects.select_for_update(of=("self",)).select_related("agency").get(pk=event.pk)
    require(by, "agencies.correct_credit_event", event.agency)
    if event.state not in CORRECTABLE:
        raise ValidationError(f"该记录{event.get_state_display()}，不能更正；只有计入或已修复的记录可以更正 / "
                              "only a counted or repaired line can be corrected")
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_CHARS:
        raise ValidationError(f"请写明更正理由（至少{REASON_MIN_CHARS}个字） / give the reason for the correction "
                              f"(at least {REASON_MIN_CHARS} characters)")
    agency, previous_state = event.agency, event.state
    cause_type, cause_id = audit.object_ref(event)
    correction = CreditEvent.objects.create(
        agency=agency, code=event.code, date=timezone.localdate(now), state=State.CORRECTION, cause=reason[:300],
        cause_type=cause_type, cause_id=cause_id, created_by=by, safety_related=event.safety_related, corrects=event)
    set_event_state(event=event, state=State.VOIDED)
    audit.record(action=CREDIT_EVENT_CORRECTED.action, by=by, obj=correction, organisation=agency.organisation_id,
                 now=now, data={"agency": agency.pk, "uscc": agency.uscc, "event": event.pk, "code": event.code,
                                "date": event.date, "previous_state": previous_state}, reason=reason)
    return correction


def _credit_data(*, score: int, grade: str, previous: str, forced: bool, policy_version: int,
                 as_of: dt.date) -> dict:
    return {"as_of": as_of, "forced": forced, "grade": grade, "previous": previous, "policy_version": policy_version,
            "score": score}


@transaction.atomic
def store_credit(*, agency: Agency, score: int, grade: str, forced: bool, policy_version: int, as_of: dt.date,
                 by=None, now: dt.datetime | None = None) -> bool:
    """Store one agency's computed credit; write `agencies.credit_updated` when it changed. Returns whether it did.

    The caller holds the row lock (it read the ledger under it) and passes the locked instance.
    """
    now = now or timezone.now()
    previous = agency.credit_grade
    changed = (agency.credit_score, agency.credit_grade, agency.credit_forced, agency.credit_policy_version) != (
        score, grade, forced, policy_version)
    agency.credit_score, agency.credit_grade, agency.credit_forced = score, grade, forced
    agency.credit_policy_version, agency.credit_computed_at = policy_version, now
    agency.save(update_fields=["credit_score", "credit_grade", "credit_forced", "credit_policy_version",
                               "credit_computed_at"])
    if changed:
        audit.record(action=CREDIT_UPDATED.action, by=by, obj=agency, organisation=agency.organisation_id, now=now,
                     data=_credit_data(score=score, grade=grade, previous=previous, forced=forced,
                                       policy_version=policy_version, as_of=as_of))
    return changed


@transaction.atomic
def store_rating_summary(*, agency: Agency, count: int, mean: Decimal | None) -> bool:
    """Store the number of ratings received and their mean (a summary of the audited ratings themselves).

    Returns whether it changed; an unchanged summary is not rewritten.
    """
    if (agency.rating_count, agency.rating_mean) == (count, mean):
        return False
    agency.rating_count, agency.rating_mean = count, mean
    agency.save(update_fields=["rating_count", "rating_mean", "updated_at"])
    return True


@transaction.atomic
def store_rating_summaries(summaries: dict[int, tuple[int, Decimal | None]], *,
                           now: dt.datetime | None = None) -> list[int]:
    """Store many agencies' rating summaries ({agency id: (count, mean)}); returns the ids whose summary changed."""
    now = now or timezone.now()
    ids, changed = list(summaries), []
    for i in range(0, len(ids), 2000):
        for pk, count, mean in Agency.objects.filter(pk__in=ids[i:i + 2000]).values_list(
                "pk", "rating_count", "rating_mean"):
            if (count, mean) != summaries[pk]:
                changed.append(Agency(pk=pk, rating_count=summaries[pk][0], rating_mean=summaries[pk][1],
                                      updated_at=now))
    Agency.objects.bulk_update(changed, ["rating_count", "rating_mean", "updated_at"], batch_size=500)
    return [a.pk for a in changed]


@dataclass(frozen=True)
class CreditChange:
    agency_id: int
    organisation_id: int
    old_grade: str
    score: int
    grade: str
    forced: bool
    uncomputed: bool = False  # never computed before: `old_grade` is the column default, not a grade given


_CHANGED_SQL = """
    changed AS (
        SELECT a.id AS id, a.organisation_id AS organisation_id, a.credit_grade AS old_grade,
               s.score AS score, s.grade AS grade, s.forced AS forced,
               CASE WHEN a.credit_policy_version IS NULL THEN 1 ELSE 0 END AS uncomputed
        FROM scored s JOIN agencies_agency a ON a.id = s.id
        WHERE a.credit_score <> s.score OR a.credit_grade <> s.grade OR a.credit_forced <> (s.forced = 1)
              OR a.credit_policy_version IS NULL OR a.credit_policy_version <> %s
    )
"""


@transaction.atomic
def store_credit_many(scored_sql: str, args: Sequence, *, policy_version: int, as_of: dt.date,
                      now: dt.datetime | None = None, audit_changes: bool = True) -> list[CreditChange]:
    """Store credit for many agencies at once; returns the agencies whose stored credit changed.

    `scored_sql` (with `args`) is a SELECT yielding `(agency id, score, grade, forced 0/1)` rows. Rows
    whose stored credit is unchanged are not rewritten. On PostgreSQL one UPDATE ... FROM returns the
    changed rows (old values from the statement's snapshot); SQLite cannot return FROM columns, so the
    changed rows are selected first and updated in chunks. With `audit_changes`, one chained
    `agencies.credit_updated` entry per changed agency is appended in bulk; its `previous` grade is
    empty for a row never computed before (bulk-loaded data), whose stored grade was only the default.
    """
    now = now or timezone.now()
    head = f"WITH scored(id, score, grade, forced) AS ({scored_sql}), {_CHANGED_SQL}"
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(head + """,
                upd AS (
                    UPDATE agencies_agency AS a
                    SET credit_score = c.score, credit_grade = c.grade, credit_forced = (c.forced = 1),
                        credit_policy_version = %s, credit_computed_at = %s
                    FROM changed c WHERE a.id = c.id
                    RETURNING a.id, c.organisation_id, c.old_grade, c.score, c.grade, c.forced, c.uncomputed
                )
                SELECT id, organisation_id, old_grade, score, grade, forced, uncomputed FROM upd
            """, [*args, policy_version, policy_version, now])
            rows = cur.fetchall()
        else:
            cur.execute(head + "SELECT id, organisation_id, old_grade, score, grade, forced, uncomputed FROM changed",
                        [*args, policy_version])
            rows = cur.fetchall()
            for i in range(0, len(rows), 500):
                cur.executemany(
                    "UPDATE agencies_agency SET credit_score = %s, credit_grade = %s, credit_forced = %s, "
                    "credit_policy_version = %s, credit_computed_at = %s WHERE id = %s",
                    [(r[3], r[4], bool(r[5]), policy_version, now, r[0]) for r in rows[i:i + 500]])
    changes = [CreditChange(r[0], r[1], r[2], int(r[3]), r[4], bool(r[5]), bool(r[6])) for r in rows]
    if audit_changes and changes:
        audit.record_many(({"action": CREDIT_UPDATED.action, "object_type": Agency._meta.label_lower,
                            "object_id": str(c.agency_id), "organisation": c.organisation_id,
                            "data": _credit_data(score=c.score, grade=c.grade, previous="" if c.uncomputed else c.old_grade,
                                                 forced=c.forced, policy_version=policy_version, as_of=as_of)}
                           for c in changes), now=now)
    return changes
