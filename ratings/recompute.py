"""An agency's credit projection (score, grade, forced, rating count and mean) computed from source,
and the set-based full recomputation of every agency (nightly: events age out of the window).

`projections` is the one computation of what an agency row must show: one SQL query does what
`ratings.scoring.score` does (the window filter, the sum of deductions by code through a VALUES join
built from the policy, the capped bonuses and the forced flag) for one agency, some or all of them,
and one aggregate summarises the ratings that count. `ratings.services.recompute_agency` stores it
for one agency, `manage.py verify_credit` compares it with every stored row, and `recompute_all`
stores the same SQL for every agency at once (`agencies.credit.store_credit_many`: only rows whose
credit changed are rewritten, each change audited). The tests check that the SQL and the pure
engine agree on randomized ledgers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from agencies.credit import CreditChange, store_credit_many, store_rating_summaries
from agencies.models import Agency, CreditEvent
from marketplace import audit
from marketplace.policy import current_policy
from ratings import scoring
from ratings.events import CREDIT_RECOMPUTED
from ratings.models import DIMENSIONS, Appeal, GradeChange, Rating

STORED_FIELDS = ("credit_score", "credit_grade", "credit_forced", "rating_count", "rating_mean")


@dataclass(frozen=True)
class Projection:
    """What an agency row must show, computed from its ledger and its ratings."""

    score: int
    grade: str
    forced: bool
    rating_count: int
    rating_mean: Decimal | None

    def stored(self) -> dict:
        """The values by the agency's column names (STORED_FIELDS)."""
        return dict(zip(STORED_FIELDS, (self.score, self.grade, self.forced, self.rating_count, self.rating_mean),
                        strict=True))


# ---- the scores -------------------------------------------------------------------------------


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


def scored_sql(policy, *, as_of: dt.date, agency_ids: Collection[int] | None = None) -> tuple[str, list]:
    """A SELECT yielding (agency id, score, grade, forced 0/1) at `as_of` under `policy`, for every agency
    or only those in `agency_ids`."""
    values, args = _params(policy)
    start = scoring.window_start(as_of, policy)
    grades = policy["credit_grades"]
    base, cap = int(policy["credit_base"]), int(policy["credit_bonus_cap"])
    ids = [int(pk) for pk in agency_ids] if agency_ids is not None else None
    only_events = only_agencies = ""
    if ids is not None:
        marks = ", ".join(["%s"] * len(ids)) or "NULL"
        only_events, only_agencies = f"AND e.agency_id IN ({marks})", f"WHERE a.id IN ({marks})"
    sql = f"""
        WITH params(code, pts, kind) AS (VALUES {values}),
        agg AS (
            SELECT e.agency_id AS agency_id,
                   SUM(CASE WHEN p.kind = 'd' THEN p.pts ELSE 0 END) AS ded,
                   SUM(CASE WHEN p.kind = 'b' THEN p.pts ELSE 0 END) AS bon,
                   MAX(CASE WHEN p.kind = 'f' THEN 1 ELSE 0 END) AS forced
            FROM agencies_creditevent e JOIN params p ON p.code = e.code
            WHERE e.state = 'counted' AND e.date > %s AND e.date <= %s {only_events}
            GROUP BY e.agency_id
        ),
        raw AS (
            SELECT a.id AS id,
                   %s - COALESCE(agg.ded, 0)
                      + CASE WHEN COALESCE(agg.bon, 0) > %s THEN %s ELSE COALESCE(agg.bon, 0) END AS total,
                   COALESCE(agg.forced, 0) AS forced
            FROM agencies_agency a LEFT JOIN agg ON agg.agency_id = a.id {only_agencies}
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
    args = args + [start, as_of] + (ids or []) + [base, cap, cap] + (ids or []) + [
        int(grades["A"]), int(grades["B"]), int(grades["C"])]
    return sql, args


# ---- the rating summary -----------------------------------------------------------------------


def counted_ratings() -> QuerySet:
    """Ratings that count in an agency's summary: rated (by the owner, or automatically) and not revoked.

    A rating is revoked when its appeal is upheld, or when its deduction is voided by a correction.
    """
    upheld = Appeal.objects.filter(rating=OuterRef("pk"), status=Appeal.Status.UPHELD)
    voided = CreditEvent.objects.filter(agency_id=OuterRef("agency_id"), cause_type=Rating._meta.label_lower,
                                        cause_id=Cast(OuterRef("pk"), CharField()),
                                        state=CreditEvent.State.VOIDED)
    return Rating.objects.exclude(result="").exclude(Q(Exists(upheld)) | Q(Exists(voided)))


def rating_mean(points: int | None, scored: int) -> Decimal | None:
    """The mean of `scored` ratings' means, from the sum of their five scores (each mean is that sum / 5),
    rounded half up to 0.01; exact on every database."""
    if not scored:
        return None
    return (Decimal(points) / Decimal(5 * scored)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def rating_summaries(agency_ids: Collection[int] | None = None) -> dict[int, tuple[int, Decimal | None]]:
    """{agency id: (rating count, rating mean)} for the agencies with counted ratings (the others: (0, None))."""
    points = sum((F(name) for name, _label in DIMENSIONS[1:]), F(DIMENSIONS[0][0]))
    qs = counted_ratings()
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=list(agency_ids))
    rows = qs.order_by().values("agency_id").annotate(n=Count("id"), scored=Count(points), points=Sum(points))
    return {r["agency_id"]: (r["n"], rating_mean(r["points"], r["scored"])) for r in rows}


# ---- the projection ---------------------------------------------------------------------------


def projections(*, as_of: dt.date, policy=None, agency_ids: Collection[int] | None = None) -> dict[int, Projection]:
    """{agency id: Projection} at `as_of` for every agency, or those in `agency_ids`, read from source."""
    policy = policy or current_policy()
    sql, args = scored_sql(policy, as_of=as_of, agency_ids=agency_ids)
    with connection.cursor() as cur:
        cur.execute(sql, args)
        scored = cur.fetchall()
    summaries = rating_summaries(agency_ids)
    return {pk: Projection(int(score), grade, bool(forced), *summaries.get(pk, (0, None)))
            for pk, score, grade, forced in scored}


def projection(agency_id: int, *, as_of: dt.date, policy=None) -> Projection:
    """One agency's projection (see `projections`)."""
    return projections(as_of=as_of, policy=policy, agency_ids=[agency_id])[agency_id]


# ---- every agency at once ---------------------------------------------------------------------


def recompute_all(*, as_of: dt.date, policy=None, audit_changes: bool = True, sanctions: bool = True,
                  now: dt.datetime | None = None) -> list[CreditChange]:
    """Recompute every agency's credit at `as_of` (and refresh rating summaries that drifted); returns the
    agencies whose stored credit changed."""
    policy = policy or current_policy()
    now = now or timezone.now()
    sql, args = scored_sql(policy, as_of=as_of)
    with transaction.atomic():
        changes = store_credit_many(sql, args, policy_version=policy.version, as_of=as_of, now=now,
                                    audit_changes=audit_changes)
        _grade_history(changes, policy=policy, as_of=as_of)
        _refresh_rating_summaries(now=now)
        # One entry for the run itself, so "was every agency recomputed on D?" is answerable from the chain.
        audit.record(action=CREDIT_RECOMPUTED.action, now=now,
                     data={"as_of": as_of, "changed": len(changes), "policy_version": policy.version})
    if sanctions:
        from ratings.services import apply_sanctions

        for change in changes:
            if change.grade == "D" and change.old_grade != "D":
                apply_sanctions(Agency.objects.get(pk=change.agency_id), as_of=as_of, policy=policy)
    return changes


def _refresh_rating_summaries(*, now: dt.datetime) -> list[int]:
    summaries = rating_summaries()
    shown = Agency.objects.filter(Q(rating_count__gt=0) | Q(rating_mean__isnull=False)).values_list("pk", flat=True)
    for pk in shown.iterator(chunk_size=2000):
        summaries.setdefault(pk, (0, None))
    return store_rating_summaries(summaries, now=now)


def _grade_history(changes: list[CreditChange], *, policy, as_of: dt.date) -> None:
    GradeChange.objects.bulk_create([
        GradeChange(agency_id=c.agency_id, date=as_of, grade=c.grade, previous=c.old_grade, score=c.score,
                    forced=c.forced, policy_version=policy.version)
        for c in changes if c.grade != c.old_grade], batch_size=2000)
