"""Figures of the monthly 月简报 and quarterly 季度通报 (docs/rules.md "Bulletins"), as plain data.

`figures(period, scope)` reads postings, awards, service, ratings, report reviews, complaints and risk flags
of one period, for one department (city-wide) or one region (all departments), with aggregates only; the
cms builds and publishes the pages from it (`cms/bulletins.py`), so nothing here knows about pages.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, F, FloatField, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from marketplace.models import Department, Region
from marketplace.policy import Policy
from marketplace.workdays import get_calendar
from oversight.models import RiskFlag
from projects.delivery.models import ServiceJob
from projects.models import Project
from ratings.models import Complaint, Rating, ReportReview


@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter
    start: dt.date
    end: dt.date  # exclusive

    @property
    def key(self) -> str:
        return f"{self.start:%Y-%m}" if self.kind == "month" else f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"


@dataclass(frozen=True)
class Scope:
    """One department city-wide, or one region across departments."""

    department: Department | None = None
    region: Region | None = None

    @property
    def key(self) -> str:
        return f"d{self.department.pk}" if self.department else f"r{self.region.pk}"

    @property
    def label(self) -> str:
        return f"{self.department.name}行业" if self.department else self.region.name

    def projects(self, prefix: str = "") -> Q:
        if self.department:
            return Q(**{f"{prefix}service_type__department": self.department})
        return Q(**{f"{prefix}region__code__startswith": self.region.code.rstrip("0")})


def due_periods(today: dt.date) -> list[Period]:
    """The last complete month and the last complete quarter before `today`."""
    month_end = today.replace(day=1)
    month_start = (month_end - dt.timedelta(days=1)).replace(day=1)
    quarter_end = month_end.replace(month=(month_end.month - 1) // 3 * 3 + 1)
    quarter_start = (quarter_end - dt.timedelta(days=80)).replace(day=1)
    quarter_start = quarter_start.replace(month=(quarter_start.month - 1) // 3 * 3 + 1)
    return [Period("month", month_start, month_end), Period("quarter", quarter_start, quarter_end)]


def scopes() -> list[Scope]:
    """Every department with a service type, and every county-level region that has postings."""
    departments = [Scope(department=d) for d in Department.objects.filter(service_types__isnull=False).distinct()
                   .order_by("name")]
    regions = Region.objects.filter(projects__isnull=False).distinct().order_by("code")
    return departments + [Scope(region=r) for r in regions]


def _moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _share(part, whole) -> float | None:
    return round(part / whole, 4) if whole else None


def _awards(period: Period, scope: Scope) -> dict:
    confirmed = (Project.objects.filter(scope.projects(), selected__offer="confirmed",
                                        selected__offer_answered_at__gte=_moment(period.start),
                                        selected__offer_answered_at__lt=_moment(period.end))
                 .annotate(value=F("awarded_price")))
    by_method = {row["method"]: {"awards": row["n"], "amount": str(Decimal(row["amount"] or 0).quantize(Decimal("0.01")))}
                 for row in confirmed.values("method").annotate(n=Count("id"), amount=Sum("awarded_price"))}
    ratio = confirmed.filter(awarded_price__isnull=False).aggregate(
        r=Avg(Cast("awarded_price", FloatField()) / Cast("ceiling", FloatField())))["r"]
    return {"by_method": by_method, "price_to_ceiling": round(float(ratio), 4) if ratio is not None else None}


def _service(period: Period, scope: Scope) -> dict:
    jobs = ServiceJob.objects.filter(scope.projects("project__"), accepted_on__gte=period.start,
                                     accepted_on__lt=period.end)
    done = jobs.aggregate(n=Count("id"), on_time=Count("id", filter=Q(overdue_wd__isnull=True) | Q(overdue_wd=0)))
    ratings = Rating.objects.filter(scope.projects("project__"), rated_on__gte=period.start, rated_on__lt=period.end)
    rated = ratings.aggregate(n=Count("id"), satisfied=Count("id", filter=Q(result="满意")), mean=Avg("mean"))
    reviews = {row["outcome"]: row["n"] for row in ReportReview.objects.filter(
        scope.projects("project__"), reviewed_on__gte=period.start, reviewed_on__lt=period.end)
        .values("outcome").annotate(n=Count("id"))}
    return {"completed": done["n"], "on_time_rate": _share(done["on_time"], done["n"]), "ratings": rated["n"],
            "satisfied_rate": _share(rated["satisfied"], rated["n"]),
            "rating_mean": round(float(rated["mean"]), 2) if rated["mean"] is not None else None, "reviews": reviews}


def _complaint_scope(scope: Scope) -> Q:
    if scope.department:
        return scope.projects("project__")
    return scope.projects("project__") | Q(agency__region__code__startswith=scope.region.code.rstrip("0"))


def _handling(days: list[int]) -> dict:
    return {"median_wd": float(statistics.median(days)) if days else None,
            "mean_wd": round(statistics.fmean(days), 1) if days else None}


def _complaints(period: Period, scope: Scope) -> dict:
    """Complaints filed in the period and complaints decided in it, with the working days each decided one
    took from filing to decision (median and mean); broken down by region in a department's bulletin and by
    department in a region's (a complaint's department is its project's; its region the project's, else the
    agency's)."""
    group = (Coalesce("project__region__name", "agency__region__name") if scope.department
             else Coalesce("project__service_type__department__name", Value("")))
    rows = (Complaint.objects.filter(_complaint_scope(scope))
            .filter(Q(filed_on__gte=period.start, filed_on__lt=period.end)
                    | Q(decided_at__gte=_moment(period.start), decided_at__lt=_moment(period.end)))
            .annotate(group=group).values_list("group", "filed_on", "decided_at", "status"))
    calendar = get_calendar()
    filed, decided, verified = Counter(), Counter(), Counter()
    took: dict[str, list[int]] = defaultdict(list)
    for name, filed_on, decided_at, status in rows:
        name = name or ""  # no project (and for a region bulletin, no department): the cms labels it
        if period.start <= filed_on < period.end:
            filed[name] += 1
        decided_on = timezone.localdate(decided_at) if decided_at else None
        if decided_on and period.start <= decided_on < period.end:
            decided[name] += 1
            verified[name] += status == Complaint.Status.VERIFIED
            took[name].append(int(calendar.working_days_between(filed_on, decided_on)))
    groups = [{"label": name, "filed": filed[name], "decided": decided[name], "verified": verified[name],
               **_handling(took[name])} for name in sorted(set(filed) | set(decided))]
    every = [d for days in took.values() for d in days]
    return {"filed": sum(filed.values()), "answered": sum(decided.values()), "verified": sum(verified.values()),
            **_handling(every), "by": "region" if scope.department else "department", "groups": groups}


def _rankings(period: Period, scope: Scope, policy: Policy) -> dict:
    """Agencies by mean rating in the period, top and bottom, among those with the minimum sample."""
    rows = list(Rating.objects.filter(scope.projects("project__"), rated_on__gte=period.start,
                                      rated_on__lt=period.end, mean__isnull=False)
                .values("agency__uscc", "agency__name").annotate(n=Count("id"), mean=Avg("mean"))
                .filter(n__gte=policy["bulletin_rank_min_sample"]).order_by("-mean", "agency__name"))
    size = policy["bulletin_rank_size"]
    shown = [{"uscc": r["agency__uscc"], "name": r["agency__name"], "ratings": r["n"],
              "mean": round(float(r["mean"]), 2)} for r in rows]
    return {"top": shown[:size], "bottom": list(reversed(shown[-size:])) if len(shown) > size else [],
            "min_sample": policy["bulletin_rank_min_sample"]}


def figures(period: Period, scope: Scope, *, policy: Policy) -> dict:
    """Everything one bulletin reports, as JSON-ready data."""
    postings = Project.objects.filter(scope.projects(), published_at__gte=_moment(period.start),
                                      published_at__lt=_moment(period.end))
    flags = RiskFlag.objects.filter(first_seen_on__gte=period.start, first_seen_on__lt=period.end)
    flags = flags.filter(project__in=Project.objects.filter(scope.projects())) if scope.department else \
        flags.filter(region__code__startswith=scope.region.code.rstrip("0"))
    return {
        "period": {"kind": period.kind, "key": period.key, "label": period.label,
                   "start": period.start.isoformat(), "end": (period.end - dt.timedelta(days=1)).isoformat()},
        "scope": {"key": scope.key, "label": scope.label},
        "postings": {row["method"]: row["n"] for row in postings.values("method").annotate(n=Count("id"))},
        **_awards(period, scope), **_service(period, scope), "complaints": _complaints(period, scope),
        "rankings": _rankings(period, scope, policy),
        "risk_flags": {row["kind"]: row["n"] for row in flags.values("kind").annotate(n=Count("id"))},
        "policy_version": policy.version,
    }
