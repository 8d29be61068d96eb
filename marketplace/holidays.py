"""Replacing one year's holiday schedule in a single audited write (the operator's 节假日年度 screen)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from marketplace import audit, events, permissions, workdays
from marketplace.holiday_notice import HOLIDAY, Day
from marketplace.models import CalendarYear, Holiday


def replace_year(*, by, year: int, days: list[Day], source: str, reason: str) -> CalendarYear:
    """Make `days` the whole schedule of `year` (other entries of that year go) and mark the year confirmed."""
    if by is not None:
        permissions.require(by, "marketplace.operate")
    if not reason.strip():
        raise ValidationError("请说明修改原因 / a reason for the change is required")
    if not days or any(day.date.year != year for day in days):
        raise ValidationError(f"日期须都在{year}年 / every date must be in {year}")
    with transaction.atomic():
        row, _created = CalendarYear.objects.select_for_update().get_or_create(year=year)
        Holiday.objects.filter(date__year=year).delete()
        Holiday.objects.bulk_create([Holiday(date=day.date, kind=day.kind, name=day.name[:50], source=source[:100])
                                     for day in days])
        row.confirmed, row.source = True, source[:100]
        row.save(update_fields=["confirmed", "source"])
        holidays = sum(1 for day in days if day.kind == HOLIDAY)
        audit.record(action=events.HOLIDAY_YEAR_REPLACED.action, by=by, obj=row, reason=reason,
                     data={"year": year, "holidays": holidays, "workdays": len(days) - holidays, "source": source})
        transaction.on_commit(workdays.invalidate)
    return row
