"""The service clock (docs/rules.md §7) as pure computation over dates: no database, `today` passed in.

The clock counts working days in (start, today] that are not paused. A pause covers its first and
last day (the 补正 request day and the owner's supply day, both included); an open pause
(`last_day is None`) covers every day through `today`. Overlapping pauses are merged (a day is
paused or not). The day of the starting event is never counted (民法典 201), so a pause that begins
on the start day changes nothing for that day and pauses the following ones.

`deadline` is the day on which the limit is reached, shifted by every pause already known (an open
pause is assumed to end today, so the deadline moves on each day the clock stays paused).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from marketplace.policy import Policy, default_policy
from marketplace.workdays import Calendar

GREEN, YELLOW, RED = "green", "yellow", "red"
ONE_DAY = dt.timedelta(days=1)
_MAX_SPAN_DAYS = 366 * 20

Pause = tuple[dt.date, dt.date | None]


@dataclass(frozen=True)
class ClockStatus:
    """Where a clock stands on `today`. `confirmed` is False when any day involved lacks holiday data."""

    state: str
    used: int
    limit: int
    deadline: dt.date
    overdue: int
    confirmed: bool
    yellow_at: int
    paused_wd: int = 0
    paused_now: bool = False


def yellow_threshold(limit: int, policy: Policy) -> int:
    """Working days used at which the clock turns yellow: ceil(ratio × limit), exact in Decimal."""
    return math.ceil(policy.clock_yellow_ratio * limit)


def state_for(used: int, limit: int, policy: Policy) -> str:
    if used > limit:
        return RED
    if used >= yellow_threshold(limit, policy):
        return YELLOW
    return GREEN


def _paused_days(pauses: Iterable[Pause], today: dt.date) -> tuple[list[tuple[dt.date, dt.date]], bool]:
    """Closed, merged, sorted intervals; an open pause runs through `today`."""
    intervals = []
    paused_now = False
    for first, last in pauses:
        if first is None:
            raise ValueError("a pause needs its first day")
        if last is None:
            last = max(today, first)
            if first <= today:
                paused_now = True
        elif last < first:
            raise ValueError("a pause cannot end before it begins")
        elif first <= today <= last:
            paused_now = True
        intervals.append((first, last))
    intervals.sort()
    merged: list[tuple[dt.date, dt.date]] = []
    for first, last in intervals:
        if merged and first <= merged[-1][1] + ONE_DAY:
            if last > merged[-1][1]:
                merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    return merged, paused_now


def clock_status(*, start: dt.date, limit: int, pauses: Iterable[Pause] = (), today: dt.date,
                 calendar: Calendar | None = None, policy: Policy | None = None) -> ClockStatus:
    """The clock of a job started on `start` with `limit` working days, as it stands on `today`."""
    if limit < 0:
        raise ValueError("limit must be >= 0")
    if calendar is None:
        from marketplace.workdays import get_calendar

        calendar = get_calendar()
    policy = policy or default_policy()
    intervals, paused_now = _paused_days(pauses, today)

    def is_paused(d: dt.date) -> bool:
        return any(first <= d <= last for first, last in intervals)

    confirmed = calendar.is_confirmed(start)
    used = paused_wd = 0
    deadline = start if limit == 0 else None
    counted = 0
    d = start
    # Walk day by day until both `today` and the deadline are reached (spans are a few months at most).
    while d < today or deadline is None:
        d += ONE_DAY
        if (d - start).days > _MAX_SPAN_DAYS:
            raise ValueError("span too long")
        confirmed = confirmed and calendar.is_confirmed(d)
        if not calendar.is_working_day(d):
            continue
        if is_paused(d):
            if d <= today:
                paused_wd += 1
            continue
        counted += 1
        if d <= today:
            used = counted
        if deadline is None and counted == limit:
            deadline = d
    overdue = max(0, used - limit)
    return ClockStatus(state=state_for(used, limit, policy), used=used, limit=limit, deadline=deadline,
                       overdue=overdue, confirmed=confirmed, yellow_at=yellow_threshold(limit, policy),
                       paused_wd=paused_wd, paused_now=paused_now)


OVERDUE_MINOR, OVERDUE_MAJOR = "overdue_minor", "overdue_major"


def completion_event(overdue: int, policy: Policy | None = None) -> str | None:
    """The credit event for a job completed `overdue` working days late: None, minor (1..max) or major."""
    policy = policy or default_policy()
    if overdue <= 0:
        return None
    if overdue <= policy.overdue_minor_max_wd:
        return OVERDUE_MINOR
    return OVERDUE_MAJOR
