"""Set-based full recomputation of every agency's credit (nightly: events age out of the window).

One SQL statement does what `ratings.scoring.score` does for one agency, for all of them: the window
filter, the sum of deductions by code through a VALUES join built from the policy, the capped
bonuses and the forced flag, then an UPDATE ... FROM. On PostgreSQL the UPDATE returns the rows whose
credit changed (old values come from the snapshot in the CTE); SQLite cannot return FROM columns, so
it selects the changed rows first and updates them in chunks. The tests check that this path and
the pure engine agree on randomized ledgers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from agencies.models import Agency
from marketplace import audit
from marketplace.policy import current_policy
from ratings import scoring


@dataclass(frozen=True)
class Change:
    agency_id: int
    organisation_id: int
    old_grade: str
    score: int
    grade: str
    forced: bool


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
    """The CTE that yields (id, organisation_id, old_*, score, grade, forced) for every agency."""
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
            SELECT a.id AS id, a.organisation_id AS organisation_id, a.credit_score AS old_score,
                   a.credit_grade AS old_grade, a.credit_forced AS old_forced,
                   a.credit_policy_version AS old_version,
                   %s - COALESCE(agg.ded, 0)
                      + CASE WHEN COALESCE(agg.bon, 0) > %s THEN %s ELSE COALESCE(agg.bon, 0) END AS total,
                   COALESCE(agg.forced, 0) AS forced
            FROM agencies_agency a LEFT JOIN agg ON agg.agency_id = a.id
        ),
        scored AS (
            SELECT id, organisation_id, old_score, old_grade, old_forced, old_version, forced,
                   CASE WHEN total < 0 THEN 0 ELSE total END AS score
            FROM raw
        ),
        final AS (
            SELECT id, organisation_id, old_score, old_grade, old_forced, old_version, score, forced,
                   CASE WHEN forced = 1 THEN 'D' WHEN score >= %s THEN 'A' WHEN score >= %s THEN 'B'
                        WHEN score >= %s THEN 'C' ELSE 'D' END AS grade
            FROM scored
        )
    """
    args = args + [start, as_of, base, cap, cap, int(grades["A"]), int(grades["B"]), int(grades["C"])]
    return sql, args


_CHANGED = ("(f.old_score <> f.score OR f.old_grade <> f.grade OR f.old_forced <> (f.forced = 1) "
            "OR f.old_version IS NULL OR f.old_version <> %s)")


def recompute_all(*, as_of: dt.date, policy=None, audit_changes: bool = True, sanctions: bool = True) -> list[Change]:
    """Recompute every agency's credit at `as_of`; returns the agencies whose stored credit changed."""
    policy = policy or current_policy()
    now = timezone.now()
    sql, args = scored_sql(policy, as_of=as_of)
    with transaction.atomic():
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                # One pass; rows whose credit is unchanged are not rewritten (no WAL or bloat for them).
                cur.execute(sql + f""",
                    upd AS (
                        UPDATE agencies_agency AS a
                        SET credit_score = f.score, credit_grade = f.grade, credit_forced = (f.forced = 1),
                            credit_policy_version = %s, credit_computed_at = %s
                        FROM final f WHERE a.id = f.id AND {_CHANGED}
                        RETURNING a.id, f.organisation_id, f.old_grade, f.score, f.grade, f.forced
                    )
                    SELECT id, organisation_id, old_grade, score, grade, forced FROM upd
                """, args + [policy.version, now, policy.version])
                rows = cur.fetchall()
            else:
                cur.execute(sql + f"""
                    SELECT f.id, f.organisation_id, f.old_grade, f.score, f.grade, f.forced FROM final f
                    WHERE {_CHANGED}
                """, args + [policy.version])
                rows = cur.fetchall()
                for i in range(0, len(rows), 500):
                    chunk = rows[i:i + 500]
                    cur.executemany(
                        "UPDATE agencies_agency SET credit_score = %s, credit_grade = %s, credit_forced = %s, "
                        "credit_policy_version = %s, credit_computed_at = %s WHERE id = %s",
                        [(r[3], r[4], bool(r[5]), policy.version, now, r[0]) for r in chunk])
        changes = [Change(r[0], r[1], r[2], int(r[3]), r[4], bool(r[5])) for r in rows]
        if audit_changes and changes:
            _audit_changes(changes, policy=policy, as_of=as_of, now=now)
        _grade_history(changes, policy=policy, as_of=as_of)
        # One entry for the run itself, so "was every agency recomputed on D?" is answerable from the chain.
        audit.record(action="ratings.credit_recomputed", data={"as_of": as_of, "changed": len(changes),
                                                               "policy_version": policy.version})
    if sanctions:
        from ratings.services import apply_sanctions

        for change in changes:
            if change.grade == "D" and change.old_grade != "D":
                apply_sanctions(Agency.objects.get(pk=change.agency_id), as_of=as_of, policy=policy)
    return changes


def _grade_history(changes: list[Change], *, policy, as_of: dt.date) -> None:
    from ratings.models import GradeChange

    GradeChange.objects.bulk_create([
        GradeChange(agency_id=c.agency_id, date=as_of, grade=c.grade, previous=c.old_grade, score=c.score,
                    forced=c.forced, policy_version=policy.version)
        for c in changes if c.grade != c.old_grade], batch_size=2000)


def _audit_changes(changes: list[Change], *, policy, as_of: dt.date, now: dt.datetime) -> None:
    """One `agencies.credit_updated` entry per changed agency, chained exactly as `audit.record` would.

    Appending them in bulk (one head lock; COPY on PostgreSQL, multi-row INSERTs elsewhere) keeps a
    night with many changes fast; `verify_chain` checks these entries like any other.
    """
    import json

    from marketplace.models import AuditEntry, AuditHead

    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditHead.objects.get_or_create(pk=1, defaults={"last_hash": audit.GENESIS, "count": 0})
        head = AuditHead.objects.select_for_update().get(pk=1)
    action, object_type = "agencies.credit_updated", Agency._meta.label_lower
    state = {"prev": head.last_hash, "first": None}

    def rows():
        for c in changes:
            # Already JSON-native (ints, str, bool), so this is exactly what the JSON column stores.
            data = {"as_of": as_of.isoformat(), "forced": c.forced, "grade": c.grade,
                    "policy_version": policy.version, "score": c.score}
            prev = state["prev"]
            digest = audit.entry_hash(prev_hash=prev, created_at=now, actor_id=None,
                                      organisation_id=c.organisation_id, action=action, object_type=object_type,
                                      object_id=str(c.agency_id), data=data, reason="")
            state["prev"] = digest
            state["first"] = state["first"] or digest
            yield c, data, prev, digest

    if connection.vendor == "postgresql":
        columns = ["created_at", "actor_id", "actor_repr", "organisation_id", "action", "object_type", "object_id",
                   "data", "reason", "prev_hash", "hash"]
        copy_sql = f"COPY {AuditEntry._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        with connection.cursor() as cur, cur.cursor.copy(copy_sql) as copy:
            for c, data, prev, digest in rows():
                copy.write_row((now, None, "system", c.organisation_id, action, object_type, str(c.agency_id),
                                json.dumps(data), "", prev, digest))
    else:
        batch = []
        for c, data, prev, digest in rows():
            batch.append(AuditEntry(created_at=now, actor_id=None, actor_repr="system",
                                    organisation_id=c.organisation_id, action=action, object_type=object_type,
                                    object_id=str(c.agency_id), data=data, reason="", prev_hash=prev, hash=digest))
            if len(batch) >= 2000:
                AuditEntry.objects.bulk_create(batch)
                batch = []
        AuditEntry.objects.bulk_create(batch)
    AuditHead.objects.filter(pk=1).update(last_hash=state["prev"], count=head.count + len(changes))
    if audit._subscribers.get(action) or audit._subscribers.get("*"):
        first = AuditEntry.objects.get(hash=state["first"]).pk
        for entry in AuditEntry.objects.filter(pk__gte=first, action=action).order_by("pk").iterator(chunk_size=2000):
            audit._dispatch(entry)
