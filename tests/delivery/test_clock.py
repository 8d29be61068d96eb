"""The service clock (docs/rules.md §7): its worked examples, pauses, holidays, the start day, 2027."""

import datetime as dt
import random

import pytest

from marketplace.policy import Policy, default_policy
from marketplace.workdays import Calendar, calendar_from_package
from projects.clock import GREEN, RED, YELLOW, clock_status, completion_event, yellow_threshold

D = dt.date
CAL = calendar_from_package()
POLICY = default_policy()
START = D(2025, 9, 26)  # Friday before National Day 2025


def status(today, *, start=START, limit=10, pauses=(), policy=POLICY, calendar=CAL):
    return clock_status(start=start, limit=limit, pauses=pauses, today=today, calendar=calendar, policy=policy)


# ---- the docs/rules.md examples, exactly --------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "used", "state", "overdue"),
    [
        (D(2025, 10, 13), 7, GREEN, 0),
        (D(2025, 10, 14), 8, YELLOW, 0),
        (D(2025, 10, 16), 10, YELLOW, 0),
        (D(2025, 10, 17), 11, RED, 1),
        (D(2025, 10, 24), 16, RED, 6),
    ],
)
def test_examples(today, used, state, overdue):
    s = status(today)
    assert (s.used, s.state, s.overdue) == (used, state, overdue)
    assert s.deadline == D(2025, 10, 16)
    assert s.confirmed


@pytest.mark.parametrize(
    ("completed", "event"),
    [(D(2025, 10, 17), "overdue_minor"), (D(2025, 10, 24), "overdue_major"), (D(2025, 10, 16), None)],
)
def test_example_completions(completed, event):
    assert completion_event(status(completed).overdue, POLICY) == event


# ---- every day of the example clock -----------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "used"),
    [
        (D(2025, 9, 26), 0), (D(2025, 9, 27), 0), (D(2025, 9, 28), 1), (D(2025, 9, 29), 2),
        (D(2025, 9, 30), 3), (D(2025, 10, 1), 3), (D(2025, 10, 5), 3), (D(2025, 10, 8), 3),
        (D(2025, 10, 9), 4), (D(2025, 10, 10), 5), (D(2025, 10, 11), 6), (D(2025, 10, 12), 6),
        (D(2025, 10, 15), 9), (D(2025, 10, 18), 11), (D(2025, 10, 20), 12), (D(2025, 10, 23), 15),
    ],
)
def test_used_day_by_day(today, used):
    assert status(today).used == used


def test_before_start_nothing_used():
    s = status(D(2025, 9, 1))
    assert (s.used, s.state, s.overdue, s.deadline) == (0, GREEN, 0, D(2025, 10, 16))


# ---- pauses -----------------------------------------------------------------------------------


def test_pause_spanning_the_holiday_counts_only_its_working_days():
    # 09-30 … 10-09: working days 09-30 and 10-09 paused; the holiday itself was never counted.
    s = status(D(2025, 10, 17), pauses=[(D(2025, 9, 30), D(2025, 10, 9))])
    assert s.paused_wd == 2
    assert s.used == 9
    assert s.deadline == D(2025, 10, 20)
    assert s.state == YELLOW
    assert not s.paused_now


def test_pause_spanning_a_weekend():
    start = D(2025, 11, 3)  # Monday
    pauses = [(D(2025, 11, 7), D(2025, 11, 10))]  # Fri … Mon: 2 working days
    s = status(D(2025, 11, 12), start=start, limit=5, pauses=pauses)
    assert (s.used, s.paused_wd, s.deadline, s.state) == (5, 2, D(2025, 11, 12), YELLOW)
    s = status(D(2025, 11, 13), start=start, limit=5, pauses=pauses)
    assert (s.used, s.state, s.overdue) == (6, RED, 1)


def test_pause_of_only_weekend_days_changes_nothing():
    start = D(2025, 11, 3)
    paused = status(D(2025, 11, 14), start=start, pauses=[(D(2025, 11, 8), D(2025, 11, 9))])
    plain = status(D(2025, 11, 14), start=start)
    assert (paused.used, paused.deadline, paused.paused_wd) == (plain.used, plain.deadline, 0)


def test_pause_on_the_make_up_sunday_counts_it():
    # Sun 2025-09-28 is a 调休 working day, so pausing it saves one working day.
    s = status(D(2025, 10, 16), pauses=[(D(2025, 9, 28), D(2025, 9, 28))])
    assert (s.used, s.paused_wd, s.deadline) == (9, 1, D(2025, 10, 17))


def test_pause_on_the_start_day():
    # The start day is never counted; the pause still covers 09-28 and 09-29.
    s = status(D(2025, 10, 20), pauses=[(START, D(2025, 9, 29))])
    assert s.paused_wd == 2
    assert s.deadline == D(2025, 10, 20)
    assert s.used == 10
    assert s.state == YELLOW


def test_single_day_pause_on_the_start_day_changes_nothing():
    assert status(D(2025, 10, 17), pauses=[(START, START)]) == status(D(2025, 10, 17))


def test_pause_before_the_start_is_ignored():
    s = status(D(2025, 10, 17), pauses=[(D(2025, 9, 1), D(2025, 9, 20))])
    assert (s.used, s.deadline, s.paused_wd) == (11, D(2025, 10, 16), 0)


def test_overlapping_pauses_are_merged_not_double_counted():
    overlapping = status(D(2025, 10, 24), pauses=[(D(2025, 9, 29), D(2025, 10, 10)), (D(2025, 10, 9), D(2025, 10, 13))])
    union = status(D(2025, 10, 24), pauses=[(D(2025, 9, 29), D(2025, 10, 13))])
    assert overlapping == union
    assert overlapping.paused_wd == 6
    assert overlapping.deadline == D(2025, 10, 24)
    assert overlapping.used == 10


def test_duplicate_and_nested_pauses():
    one = status(D(2025, 10, 24), pauses=[(D(2025, 10, 13), D(2025, 10, 15))])
    many = status(D(2025, 10, 24), pauses=[(D(2025, 10, 13), D(2025, 10, 15)), (D(2025, 10, 13), D(2025, 10, 15)),
                                            (D(2025, 10, 14), D(2025, 10, 14))])
    assert one == many
    assert one.paused_wd == 3


def test_adjacent_pauses_behave_as_one():
    a = status(D(2025, 10, 24), pauses=[(D(2025, 10, 13), D(2025, 10, 14)), (D(2025, 10, 15), D(2025, 10, 16))])
    b = status(D(2025, 10, 24), pauses=[(D(2025, 10, 13), D(2025, 10, 16))])
    assert a == b


def test_open_pause_runs_through_today():
    s = status(D(2025, 10, 14), pauses=[(D(2025, 10, 9), None)])
    assert s.used == 3  # 09-28, 09-29, 09-30
    assert s.paused_wd == 5  # 10-09, 10-10, 10-11, 10-13, 10-14
    assert s.paused_now
    # Assumed to end today: 7 more working days from 10-15.
    assert s.deadline == D(2025, 10, 23)
    # A day later the deadline has moved one working day on and `used` has not moved.
    later = status(D(2025, 10, 15), pauses=[(D(2025, 10, 9), None)])
    assert later.used == 3 and later.deadline == D(2025, 10, 24)


def test_future_closed_pause_moves_the_deadline_but_not_used():
    s = status(D(2025, 10, 13), pauses=[(D(2025, 10, 15), D(2025, 10, 16))])
    assert s.used == 7 and s.paused_wd == 0 and not s.paused_now
    assert s.deadline == D(2025, 10, 20)


def test_paused_now_inside_a_closed_pause():
    assert status(D(2025, 10, 14), pauses=[(D(2025, 10, 13), D(2025, 10, 15))]).paused_now


def test_bad_pauses_refused():
    with pytest.raises(ValueError):
        status(D(2025, 10, 14), pauses=[(D(2025, 10, 15), D(2025, 10, 13))])
    with pytest.raises(ValueError):
        status(D(2025, 10, 14), limit=-1)


# ---- unconfirmed years ------------------------------------------------------------------------


def test_clock_running_into_2027_is_unconfirmed():
    start = D(2026, 12, 21)  # Monday; 2027 has no holiday data yet
    s = status(D(2026, 12, 28), start=start)
    assert s.used == 5
    # 12-22…12-31 are 8 working days, then Fri 2027-01-01 counts (weekends only) and Mon 01-04.
    assert s.deadline == D(2027, 1, 4)
    assert not s.confirmed


def test_clock_wholly_in_2026_is_confirmed():
    s = status(D(2026, 12, 10), start=D(2026, 12, 1))
    assert s.confirmed and s.deadline == D(2026, 12, 15)


def test_today_in_2027_is_unconfirmed_even_with_deadline_in_2026():
    s = status(D(2027, 1, 5), start=D(2026, 12, 1))
    assert not s.confirmed and s.state == RED


def test_calendar_without_data_uses_weekends_only():
    empty = Calendar()
    s = status(D(2025, 10, 3), calendar=empty)
    # Without holidays 10-01…10-03 count and the make-up Sunday does not.
    assert s.used == 5
    assert not s.confirmed


# ---- thresholds and policy --------------------------------------------------------------------


@pytest.mark.parametrize(("limit", "threshold"), [(10, 8), (1, 1), (2, 2), (5, 4), (7, 6), (20, 16), (3, 3), (0, 0)])
def test_yellow_threshold_is_ceil_of_ratio(limit, threshold):
    assert yellow_threshold(limit, POLICY) == threshold


@pytest.mark.parametrize(
    ("used", "limit", "state"),
    [(0, 10, GREEN), (7, 10, GREEN), (8, 10, YELLOW), (10, 10, YELLOW), (11, 10, RED), (5, 7, GREEN), (6, 7, YELLOW),
     (8, 7, RED), (0, 1, GREEN), (1, 1, YELLOW), (2, 1, RED)],
)
def test_state_thresholds(used, limit, state):
    from projects.clock import state_for

    assert state_for(used, limit, POLICY) == state


def test_policy_ratio_is_a_setting():
    half = Policy(version=7, values={"clock_yellow_ratio": "0.5"})
    assert status(D(2025, 10, 9), policy=half).state == GREEN  # 4 used
    assert status(D(2025, 10, 10), policy=half).state == YELLOW  # 5 used = ceil(0.5 × 10)


@pytest.mark.parametrize(("overdue", "event"),
                         [(-3, None), (0, None), (1, "overdue_minor"), (3, "overdue_minor"), (5, "overdue_minor"),
                          (6, "overdue_major"), (40, "overdue_major")])
def test_completion_event(overdue, event):
    assert completion_event(overdue, POLICY) == event


def test_completion_event_follows_policy():
    strict = Policy(version=3, values={"overdue_minor_max_wd": 2})
    assert completion_event(2, strict) == "overdue_minor"
    assert completion_event(3, strict) == "overdue_major"


# ---- property-style: against a brute-force reference over random clocks -----------------------


def reference(start, limit, pauses, today, cal):
    paused = set()
    for first, last in pauses:
        last = last or max(today, first)
        paused |= {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}
    counted = [start + dt.timedelta(days=i) for i in range(1, 400)]
    counted = [d for d in counted if cal.is_working_day(d) and d not in paused]
    used = sum(1 for d in counted if d <= today)
    deadline = start if limit == 0 else counted[limit - 1]
    return used, deadline


def random_case(rng):
    start = D(2024, 1, 1) + dt.timedelta(days=rng.randrange(0, 1000))
    limit = rng.randrange(0, 40)
    today = start + dt.timedelta(days=rng.randrange(-5, 90))
    pauses = []
    for _ in range(rng.randrange(0, 4)):
        first = start + dt.timedelta(days=rng.randrange(-3, 60))
        last = None if rng.random() < 0.15 else first + dt.timedelta(days=rng.randrange(0, 15))
        pauses.append((first, last))
    return start, limit, pauses, today


@pytest.mark.parametrize("seed", range(300))
def test_matches_reference_and_invariants(seed):
    rng = random.Random(seed)
    start, limit, pauses, today = random_case(rng)
    s = status(today, start=start, limit=limit, pauses=pauses)
    used, deadline = reference(start, limit, pauses, today, CAL)
    assert (s.used, s.deadline) == (used, deadline)
    calendar_wd = CAL.working_days_between(start, today)
    assert s.used <= calendar_wd
    assert s.used + s.paused_wd == calendar_wd
    assert s.overdue == max(0, s.used - limit)
    assert (s.state == RED) == (s.used > limit)
    assert s.deadline >= start
    if s.used > 0 and limit > 0:
        assert (s.used >= limit) == (today >= s.deadline)
    assert s.confirmed == all(CAL.is_confirmed(start + dt.timedelta(days=i))
                              for i in range((max(today, s.deadline) - start).days + 1))


@pytest.mark.parametrize("seed", range(40))
def test_used_never_decreases_and_pauses_never_add(seed):
    rng = random.Random(1000 + seed)
    start, limit, pauses, _ = random_case(rng)
    closed = [(f, last or f) for f, last in pauses]
    previous = -1
    for offset in range(0, 60, 3):
        today = start + dt.timedelta(days=offset)
        s = status(today, start=start, limit=limit, pauses=closed)
        assert s.used >= previous
        previous = s.used
        assert s.used <= status(today, start=start, limit=limit).used
