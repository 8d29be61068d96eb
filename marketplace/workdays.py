"""Working-day calendar (工作日): weekends and statutory holidays off, make-up days (调休) worked.

The day of the starting event is never counted (民法典 201). Holiday data lives in the `Holiday`
table (filled from `chinesecalendar` on migrate, editable by the operator). A year with no
`CalendarYear` row is computed from weekends only and every result touching it is *unconfirmed*.

`Calendar` is pure (built from plain data, never queries) so rules like the service clock can be
tested without a database; the module functions use the database calendar, cached per process.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field

_MAX_SPAN_DAYS = 366 * 20


class WorkDate(dt.date):
    """A date that also says whether every day it was computed over had confirmed holiday data."""

    confirmed: bool = True

    def __new__(cls, year, month, day, confirmed=True):
        obj = super().__new__(cls, year, month, day)
        obj.confirmed = confirmed
        return obj

    @classmethod
    def of(cls, d: dt.date, confirmed: bool) -> WorkDate:
        return cls(d.year, d.month, d.day, confirmed)

    def __reduce__(self):
        return (WorkDate, (self.year, self.month, self.day, self.confirmed))


class WorkCount(int):
    """A number of working days that also says whether it rests on confirmed holiday data."""

    confirmed: bool = True

    def __new__(cls, value: int, confirmed: bool = True):
        obj = super().__new__(cls, value)
        obj.confirmed = confirmed
        return obj


@dataclass(frozen=True)
class Calendar:
    """Holiday data as plain values: `holidays` and `workdays` are sets of dates, `years` the confirmed years."""

    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)
    years: frozenset[int] = field(default_factory=frozenset)

    def is_confirmed(self, d: dt.date) -> bool:
        return d.year in self.years

    def is_working_day(self, d: dt.date) -> bool:
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5

    def add_working_days(self, start: dt.date, n: int) -> WorkDate:
        """The n-th working day after `start` (start itself not counted); n == 0 returns start."""
        if n < 0:
            raise ValueError("n must be >= 0")
        d = start
        confirmed = self.is_confirmed(start)
        remaining = n
        while remaining:
            d += dt.timedelta(days=1)
            confirmed = confirmed and self.is_confirmed(d)
            if self.is_working_day(d):
                remaining -= 1
            if (d - start).days > _MAX_SPAN_DAYS:
                raise ValueError("span too long")
        return WorkDate.of(d, confirmed)

    def working_days_between(self, a: dt.date, b: dt.date) -> WorkCount:
        """Working days in the half-open range (a, b]; 0 when b <= a."""
        if b <= a:
            return WorkCount(0, self.is_confirmed(a) and self.is_confirmed(b))
        if (b - a).days > _MAX_SPAN_DAYS:
            raise ValueError("span too long")
        count = 0
        confirmed = True
        d = a
        while d < b:
            d += dt.timedelta(days=1)
            confirmed = confirmed and self.is_confirmed(d)
            if self.is_working_day(d):
                count += 1
        return WorkCount(count, confirmed)


_lock = threading.Lock()
_cache: dict[str, object] = {"calendar": None, "loaded_at": 0.0}
CACHE_SECONDS = 60


def calendar_from_package() -> Calendar:
    """The calendar as the `chinesecalendar` package knows it (no database)."""
    import chinese_calendar

    holidays = frozenset(chinese_calendar.holidays)
    workdays = frozenset(chinese_calendar.workdays)
    years = frozenset(range(min(d.year for d in holidays), max(d.year for d in holidays) + 1))
    return Calendar(holidays=holidays, workdays=workdays, years=years)


def load_calendar() -> Calendar:
    from marketplace.models import CalendarYear, Holiday

    holidays, workdays = set(), set()
    for date, kind in Holiday.objects.values_list("date", "kind"):
        (holidays if kind == Holiday.Kind.HOLIDAY else workdays).add(date)
    years = frozenset(CalendarYear.objects.filter(confirmed=True).values_list("year", flat=True))
    return Calendar(holidays=frozenset(holidays), workdays=frozenset(workdays), years=years)


def get_calendar() -> Calendar:
    """The database calendar, cached for CACHE_SECONDS and dropped whenever a holiday row changes."""
    with _lock:
        cal = _cache["calendar"]
        if cal is None or time.monotonic() - _cache["loaded_at"] > CACHE_SECONDS:
            cal = load_calendar()
            _cache["calendar"] = cal
            _cache["loaded_at"] = time.monotonic()
        return cal  # type: ignore[return-value]


def invalidate() -> None:
    with _lock:
        _cache["calendar"] = None


def is_working_day(d: dt.date) -> bool:
    return get_calendar().is_working_day(d)


def is_confirmed(d: dt.date) -> bool:
    return get_calendar().is_confirmed(d)


def add_working_days(start: dt.date, n: int) -> WorkDate:
    return get_calendar().add_working_days(start, n)


def working_days_between(a: dt.date, b: dt.date) -> WorkCount:
    return get_calendar().working_days_between(a, b)


def unconfirmed_years(today: dt.date, *, ahead: int = 1) -> list[int]:
    """Years from this one to `ahead` years on whose holidays are not loaded (for the operator's warning)."""
    cal = get_calendar()
    return [y for y in range(today.year, today.year + ahead + 1) if y not in cal.years]


def today() -> dt.date:
    """Today's date in Asia/Shanghai (the configured TIME_ZONE)."""
    from django.utils import timezone

    return timezone.localdate()
