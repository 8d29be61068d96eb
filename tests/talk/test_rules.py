"""The pure clarification deadlines (docs/rules.md §12.1), without the database."""

import datetime as dt

import pytest

from marketplace.policy import Policy, default_policy
from marketplace.workdays import Calendar
from projects.clarifications import answer_due, question_cutoff
from projects.draw import SHANGHAI

POLICY = default_policy()
PLAIN = Calendar()
# 2026 National Day: Oct 1–7 off, Sep 27 (Sun) and Oct 10 (Sat) worked (as in the holiday data).
NATIONAL_DAY = Calendar(holidays=frozenset(dt.date(2026, 10, d) for d in range(1, 8)),
                        workdays=frozenset({dt.date(2026, 9, 27), dt.date(2026, 10, 10)}), years=frozenset({2026}))


def at(y, m, d, h=17, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("deadline", "cutoff"), [
    (at(2026, 3, 13), at(2026, 3, 11)),            # Fri → Wed
    (at(2026, 3, 16), at(2026, 3, 12)),            # Mon → Thu (the weekend does not count)
    (at(2026, 3, 17, 9, 30), at(2026, 3, 13, 9, 30)),  # Tue 09:30 → Fri 09:30: the deadline's time of day
])
def test_questions_close_two_working_days_before_the_deadline(deadline, cutoff):
    assert question_cutoff(deadline, POLICY, PLAIN) == cutoff


def test_cutoff_skips_holidays_and_counts_a_working_weekend():
    # Deadline Fri Oct 9: back over Oct 8 (working) and Oct 1–7 (holidays) to Sep 30.
    assert question_cutoff(at(2026, 10, 9), POLICY, NATIONAL_DAY) == at(2026, 9, 30)
    # Deadline Mon Oct 12: back over Sat Oct 10 (a working day) and Fri Oct 9.
    assert question_cutoff(at(2026, 10, 12), POLICY, NATIONAL_DAY) == at(2026, 10, 9)


def test_cutoff_follows_the_policy():
    none = Policy(version=9, values={**POLICY.values, "clarification_question_cutoff_wd": 0})
    three = Policy(version=9, values={**POLICY.values, "clarification_question_cutoff_wd": 3})
    assert question_cutoff(at(2026, 3, 13), none, PLAIN) == at(2026, 3, 13)
    assert question_cutoff(at(2026, 3, 13), three, PLAIN) == at(2026, 3, 10)


@pytest.mark.parametrize(("asked", "due"), [
    (at(2026, 3, 10, 9), at(2026, 3, 11)),    # Tue → Wed 17:00
    (at(2026, 3, 13, 16), at(2026, 3, 16)),   # Fri → Mon 17:00
    (at(2026, 3, 14, 10), at(2026, 3, 16)),   # asked on Saturday → Mon 17:00
    (at(2026, 9, 30, 11), at(2026, 10, 8)),   # before National Day → first working day after it
])
def test_answers_are_due_one_working_day_later_at_close_time(asked, due):
    calendar = NATIONAL_DAY if asked.month >= 9 else PLAIN
    assert answer_due(asked, POLICY, calendar) == due


def test_defaults_are_versioned_policy_values():
    assert POLICY.clarification_question_cutoff_wd == 2
    assert POLICY.clarification_answer_wd == 1
