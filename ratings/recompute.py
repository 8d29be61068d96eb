"""Set-based full recomputation of every agency's credit (nightly: events age out of the window).

One SQL query does what `ratings.scoring.score` does for one agency, for all of them: the window
filter, the sum of deductions by code through a VALUES join built from the policy, the capped
bonuses and the forced flag. The agencies app stores the result (`agencies.credit.store_credit_many`:
only rows whose credit changed are rewritten, each change audited). The tests check that this path
and the pure engine agree on randomized ledgers.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from agencies.credit import CreditChange, store_credit_many
from agencies.models import Agency
from marketplace import audit
from marketplace.policy import current_policy
from ratings import scoring
from ratings.events import CREDIT_RECOMPUTED
from ratings.models import GradeChange


def _params(policy) -> tuple[str, list]:
    rows, args = [], []
    for code, pts in policy["credit_deductions"].items():
        rows.append("(%s, %s, %s)")
        args += [code, int(pts), "d"]
    for code, pts in policy["credit_bonuses"].items():
        rows.append("(%s, %s, %s)")
        args += [code, int(pts), "b"]
    for code in policy["credit_forcing_codes"]:
        rows.append("(%s, %s, %s)")
        args += [code, 0, "f"]
    return ", ".join(rows), args


def scored_sql(policy, *, as_of: dt.date) -> tuple[str, list]:
    """A SELECT yielding (agency id, score, grade, forced 0/1) for every agency at `as_of` under `policy`."""
    values, args = _params(policy)
    start = scoring.window_start(as_of, policy)
    grades = policy["credit_grades"]
    base, cap = int(policy["credit_base"]), int(policy["credit_bonus_cap"])
    sql = f"""
        WITH params(code, pts, kind) AS (VALUES {values}),
        agg AS (
            SELECT e.agency_id AS agency_id,
                   SUM(CASE WHEN p.kind = 'd' THEN p.pts ELSE 0 END) AS ded,
                   SUM(CASE WHEN p.kind = 'b' THEN p.pts ELSE 0 END) AS bon,
                   MAX(CASE WHEN p.kind = 'f' THEN 1 ELSE 0 END) AS forced
            FROM agencies_creditevent e JOIN params p ON p.code = e.code
            WHERE e.state = 'counted' AND e.date > %s AND e.date <= %s
            GROUP BY e.agency_id
        ),
        raw AS (
            SELECT a.id AS id,
                   %s - COALESCE(agg.ded, 0)
                      + CASE WHEN COALESCE(agg.bon, 0) > %s THEN %s ELSE COALESCE(agg.bon, 0) END AS total,
                   COALESCE(agg.forced, 0) AS forced
            FROM agencies_agency a LEFT JOIN agg ON agg.agency_id = a.id
        ),
        clamped AS (
            SELECT id, forced, CASE WHEN total < 0 THEN 0 ELSE total END AS score FROM raw
        )
        SELECT id, score,
               CASE WHEN forced = 1 THEN 'D' WHEN score >= %s THEN 'A' WHEN score >= %s THEN 'B'
                    WHEN score >= %s THEN 'C' ELSE 'D' END AS grade,
               forced
        FROM clamped
    """
    args = args + [start, as_of, base, cap, cap, int(grades["A"]), int(grades["B"]), int(grades["C"])]
    return sql, args


def recompute_all(*, as_of: dt.date, policy=None, audit_changes: bool = True, sanctions: bool = True,
                  now: dt.datetime | None = None) -> list[CreditChange]:
    """Recompute every agency's credit at `as_of`; returns the agencies whose stored credit changed."""
    policy = policy or current_policy()
    now = now or timezone.now()
    sql, args = scored_sql(policy, as_of=as_of)
    with transaction.atomic():
        changes = store_credit_many(sql, args, policy_version=policy.version, as_of=as_of, now=now,
                                    audit_changes=audit_changes)
        _grade_history(changes, policy=policy, as_of=as_of)
        # One entry for the run itself, so "was every agency recomputed on D?" is answerable from the chain.
        audit.record(action=CREDIT_RECOMPUTED.action, now=now,
                     data={"as_of": as_of, "changed": len(changes), "policy_version": policy.version})
    if sanctions:
        from ratings.services import apply_sanctions

        for change in changes:
            if change.grade == "D" and change.old_grade != "D":
                apply_sanctions(Agency.objects.get(pk=change.agency_id), as_of=as_of, policy=policy)
    return changes


def _grade_history(changes: list[CreditChange], *, policy, as_of: dt.date) -> None:
    GradeChange.objects.bulk_create([
        GradeChange(agency_id=c.agency_id, date=as_of, grade=c.grade, previous=c.old_grade, score=c.score,
                    forced=c.forced, policy_version=policy.version)
        for c in changes if c.grade != c.old_grade], batch_size=2000)
