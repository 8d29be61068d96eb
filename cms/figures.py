"""Key figures on the home page, computed from marketplace data (never typed in).

Plain queries over existing fields only, so the figures keep working while the apps grow:
- admitted agencies: Agency.status == admitted;
- open postings: Project.status == published (报名中);
- awards this month: projects whose result was published this month (`projects.result_published`
  audit entries) and which still stand (not cancelled / failed);
- awarded price against ceiling: Σ awarded_price / Σ ceiling over awarded projects (amount-weighted),
  with the plain average awarded price;
- on-time rate: completed projects without an overdue credit event (overdue_minor / overdue_major,
  not voided) over completed projects. None while nothing has completed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, CharField, Count, Q, Sum
from django.db.models.functions import Cast

from agencies.models import Agency, CreditEvent
from marketplace.models import AuditEntry
from projects.models import Project

AWARDED = [Project.Status.PUBLICITY, Project.Status.CONTRACTING, Project.Status.IN_SERVICE,
           Project.Status.COMPLETED]
OVERDUE_CODES = [CreditEvent.Code.OVERDUE_MINOR, CreditEvent.Code.OVERDUE_MAJOR]


@dataclass(frozen=True)
class KeyFigures:
    admitted_agencies: int
    open_postings: int
    awards_this_month: int
    awarded_count: int
    average_awarded_price: Decimal | None
    price_to_ceiling: Decimal | None  # percent, one decimal
    completed: int
    on_time_rate: Decimal | None  # percent, one decimal


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def month_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    start = today.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


def key_figures(*, today: dt.date) -> KeyFigures:
    from django.utils import timezone

    admitted = Agency.objects.filter(status=Agency.Status.ADMITTED).count()
    open_postings = Project.objects.filter(status=Project.Status.PUBLISHED).count()

    start, end = month_bounds(today)
    tz = timezone.get_current_timezone()
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    end_at = dt.datetime.combine(end, dt.time.min, tzinfo=tz)
    result_ids = {int(pk) for pk in AuditEntry.objects.filter(
        action="projects.result_published", object_type="projects.project",
        created_at__gte=start_at, created_at__lt=end_at).values_list("object_id", flat=True).distinct()
        if str(pk).isdigit()}
    awards_this_month = Project.objects.filter(pk__in=result_ids, status__in=AWARDED).count() if result_ids else 0

    awarded = Project.objects.filter(awarded_price__isnull=False, status__in=AWARDED).aggregate(
        n=Count("id"), avg=Avg("awarded_price"), price=Sum("awarded_price"), ceiling=Sum("ceiling"))
    average = awarded["avg"]
    if average is not None:
        average = Decimal(average).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    completed_qs = Project.objects.filter(status=Project.Status.COMPLETED)
    completed = completed_qs.count()
    overdue = 0
    if completed:
        completed_keys = completed_qs.annotate(key=Cast("id", CharField())).values("key")
        overdue = (CreditEvent.objects.filter(code__in=OVERDUE_CODES).exclude(state=CreditEvent.State.VOIDED)
                   .exclude(cause_id="")
                   .filter(Q(cause_type="projects.project", cause_id__in=completed_keys)
                           | ~Q(cause_type="projects.project"))
                   .values("cause_type", "cause_id").distinct().count())
    return KeyFigures(
        admitted_agencies=admitted,
        open_postings=open_postings,
        awards_this_month=awards_this_month,
        awarded_count=awarded["n"] or 0,
        average_awarded_price=average,
        price_to_ceiling=_percent(awarded["price"] or 0, awarded["ceiling"] or 0) if awarded["n"] else None,
        completed=completed,
        on_time_rate=_percent(max(completed - overdue, 0), completed) if completed else None,
    )
