"""Writes of an agency's credit: the ledger, and the score/grade and rating summary stored on the row.

Every app that causes a credit event calls `record_credit_event`; the ratings app subscribes to
`agencies.credit_event_recorded`, computes the score with its engine and stores it here
(`store_credit` for one agency, `store_credit_many` for the nightly set-based run).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from agencies.events import CREDIT_EVENT_RECORDED, CREDIT_UPDATED
from agencies.models import Agency, CreditEvent
from marketplace import audit


@transaction.atomic
def record_credit_event(*, agency: Agency, code: str, date: dt.date, cause: str,
                        cause_obj: models.Model | None = None, by=None,
                        state: str = CreditEvent.State.COUNTED, safety_related: bool = False) -> CreditEvent:
    """Append one ledger line. Idempotent per (agency, code, cause object): a replay returns the existing line."""
    if code not in CreditEvent.Code.values:
        raise ValidationError(f"未知的信用事项 / unknown credit event code: {code}")
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
    """Move a ledger line between counted / appeal pending / voided / repaired (the caller audits why)."""
    if state not in CreditEvent.State.values:
        raise ValidationError(f"未知的状态 / unknown credit event state: {state}")
    event.state = state
    event.save(update_fields=["state"])
    return event


def _credit_data(*, score: int, grade: str, forced: bool, policy_version: int, as_of: dt.date) -> dict:
    return {"as_of": as_of, "forced": forced, "grade": grade, "policy_version": policy_version, "score": score}


@transaction.atomic
def store_credit(*, agency: Agency, score: int, grade: str, forced: bool, policy_version: int, as_of: dt.date,
                 by=None, now: dt.datetime | None = None) -> bool:
    """Store one agency's computed credit; write `agencies.credit_updated` when it changed. Returns whether it did.

    The caller holds the row lock (it read the ledger under it) and passes the locked instance.
    """
    now = now or timezone.now()
    changed = (agency.credit_score, agency.credit_grade, agency.credit_forced, agency.credit_policy_version) != (
        score, grade, forced, policy_version)
    agency.credit_score, agency.credit_grade, agency.credit_forced = score, grade, forced
    agency.credit_policy_version, agency.credit_computed_at = policy_version, now
    agency.save(update_fields=["credit_score", "credit_grade", "credit_forced", "credit_policy_version",
                               "credit_computed_at"])
    if changed:
        audit.record(action=CREDIT_UPDATED.action, by=by, obj=agency, organisation=agency.organisation_id, now=now,
                     data=_credit_data(score=score, grade=grade, forced=forced, policy_version=policy_version,
                                       as_of=as_of))
    return changed


@transaction.atomic
def store_rating_summary(*, agency: Agency, count: int, mean: Decimal | None) -> Agency:
    """Store the number of ratings received and their mean (a summary of the audited ratings themselves)."""
    agency.rating_count, agency.rating_mean = count, mean
    agency.save(update_fields=["rating_count", "rating_mean", "updated_at"])
    return agency


@dataclass(frozen=True)
class CreditChange:
    agency_id: int
    organisation_id: int
    old_grade: str
    score: int
    grade: str
    forced: bool


_CHANGED_SQL = """
    changed AS (
        SELECT a.id AS id, a.organisation_id AS organisation_id, a.credit_grade AS old_grade,
               s.score AS score, s.grade AS grade, s.forced AS forced
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
    `agencies.credit_updated` entry per changed agency is appended in bulk.
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
                    RETURNING a.id, c.organisation_id, c.old_grade, c.score, c.grade, c.forced
                )
                SELECT id, organisation_id, old_grade, score, grade, forced FROM upd
            """, [*args, policy_version, policy_version, now])
            rows = cur.fetchall()
        else:
            cur.execute(head + "SELECT id, organisation_id, old_grade, score, grade, forced FROM changed",
                        [*args, policy_version])
            rows = cur.fetchall()
            for i in range(0, len(rows), 500):
                cur.executemany(
                    "UPDATE agencies_agency SET credit_score = %s, credit_grade = %s, credit_forced = %s, "
                    "credit_policy_version = %s, credit_computed_at = %s WHERE id = %s",
                    [(r[3], r[4], bool(r[5]), policy_version, now, r[0]) for r in rows[i:i + 500]])
    changes = [CreditChange(r[0], r[1], r[2], int(r[3]), r[4], bool(r[5])) for r in rows]
    if audit_changes and changes:
        audit.record_many(({"action": CREDIT_UPDATED.action, "object_type": Agency._meta.label_lower,
                            "object_id": str(c.agency_id), "organisation": c.organisation_id,
                            "data": _credit_data(score=c.score, grade=c.grade, forced=c.forced,
                                                 policy_version=policy_version, as_of=as_of)}
                           for c in changes), now=now)
    return changes
