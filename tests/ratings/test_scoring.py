"""The pure credit engine: the worked numbers of docs/rules.md §9 exactly, window edges, cap, forcing, states, sanctions."""

import datetime as dt
import random
from decimal import Decimal

import pytest

from marketplace.policy import Policy, default_policy
from ratings import scoring
from ratings.scoring import Event, add_months, months_before, score

D = dt.date
P = default_policy()
AS_OF = D(2025, 12, 31)


def ev(code, date, state="counted"):
    return Event(code=code, date=D.fromisoformat(date) if isinstance(date, str) else date, state=state)


# ---- docs/rules.md §9 worked example: credit (evaluated 2025-12-31) ------------------------------------------------

def test_example_four_events_86_b():
    r = score([ev("eval_basic", "2025-03-10"), ev("eval_unsat", "2025-05-06"), ev("overdue_minor", "2025-07-01"),
               ev("overdue_major", "2025-11-20")], as_of=AS_OF, policy=P)
    assert (r.score, r.grade, r.forced) == (86, "B", False)
    assert [ln.points for ln in r.lines] == [-2, -5, -2, -5]
    assert r.deductions == 14


@pytest.mark.parametrize(("events", "expected"), [
    ([ev("abandon", "2025-06-01")], (90, "A")),
    ([ev("violation", "2025-06-01")], (80, "B")),
    ([ev("violation", "2025-06-01"), ev("violation", "2025-08-01")], (60, "C")),
    ([ev("violation", "2025-06-01"), ev("violation", "2025-08-01"), ev("eval_basic", "2025-09-01"),
      ev("award_county", "2025-10-01")], (59, "D")),
])
def test_examples_grade_boundaries(events, expected):
    r = score(events, as_of=AS_OF, policy=P)
    assert (r.score, r.grade) == expected
    assert r.forced is False


# ---- month arithmetic -------------------------------------------------------------------------

@pytest.mark.parametrize(("d", "n", "expected"), [
    (D(2025, 3, 31), 1, D(2025, 2, 28)),
    (D(2024, 3, 31), 1, D(2024, 2, 29)),
    (D(2025, 2, 28), 12, D(2024, 2, 28)),
    (D(2024, 2, 29), 12, D(2023, 2, 28)),
    (D(2025, 12, 31), 12, D(2024, 12, 31)),
    (D(2025, 1, 31), 2, D(2024, 11, 30)),
    (D(2025, 5, 31), 3, D(2025, 2, 28)),
    (D(2025, 1, 15), 1, D(2024, 12, 15)),
    (D(2025, 7, 31), 24, D(2023, 7, 31)),
])
def test_months_before_clamps(d, n, expected):
    assert months_before(d, n) == expected


def test_add_months_clamps_and_roundtrips():
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2025, 8, 31), 6) == D(2026, 2, 28)
    assert add_months(D(2025, 12, 15), 1) == D(2026, 1, 15)
    for _ in range(500):
        d = D(2020, 1, 1) + dt.timedelta(days=random.randrange(3000))
        n = random.randrange(0, 40)
        assert months_before(add_months(d, n), n) <= d


# ---- window edges ------------------------------------------------------------------------------

def test_window_is_exclusive_at_start_inclusive_at_end():
    # as_of 2025-12-31: window is (2024-12-31, 2025-12-31]
    assert score([ev("violation", "2024-12-31")], as_of=AS_OF, policy=P).score == 100
    assert score([ev("violation", "2025-01-01")], as_of=AS_OF, policy=P).score == 80
    assert score([ev("violation", "2025-12-31")], as_of=AS_OF, policy=P).score == 80
    assert score([ev("violation", "2026-01-01")], as_of=AS_OF, policy=P).score == 100


def test_window_feb_end_clamp():
    # as_of 2025-02-28 → window starts after 2024-02-28, so 2024-02-29 still counts.
    assert score([ev("violation", "2024-02-29")], as_of=D(2025, 2, 28), policy=P).score == 80
    assert score([ev("violation", "2024-02-28")], as_of=D(2025, 2, 28), policy=P).score == 100
    # as_of 2025-03-01: window starts after 2024-03-01.
    assert score([ev("violation", "2024-02-29")], as_of=D(2025, 3, 1), policy=P).score == 100


def test_window_31st_clamp():
    # as_of 2025-04-30 (12 months back: 2024-04-30): an event on 2024-04-30 is out, 2024-05-01 in.
    assert score([ev("complaint", "2024-04-30")], as_of=D(2025, 4, 30), policy=P).score == 100
    assert score([ev("complaint", "2024-05-01")], as_of=D(2025, 4, 30), policy=P).score == 95


def test_event_ages_out_explained():
    r = score([ev("violation", "2024-06-01")], as_of=AS_OF, policy=P)
    assert r.score == 100 and not r.lines[0].counted and "outside" in r.lines[0].note


# ---- bonuses --------------------------------------------------------------------------------

def test_bonus_cap_is_ten():
    events = [ev("award_national", "2025-02-01"), ev("award_national", "2025-03-01"), ev("award_province", "2025-04-01")]
    r = score(events + [ev("violation", "2025-05-01")], as_of=AS_OF, policy=P)
    assert r.bonuses == 13 and r.bonus_applied == 10 and r.score == 90


def test_score_never_above_base_plus_cap_and_never_below_zero():
    r = score([ev("award_national", f"2025-0{m}-01") for m in range(1, 9)], as_of=AS_OF, policy=P)
    assert r.score == 110 and r.grade == "A"
    r = score([ev("violation", f"2025-{m:02d}-01") for m in range(1, 12)], as_of=AS_OF, policy=P)
    assert r.score == 0 and r.grade == "D"


@pytest.mark.parametrize(("code", "points"), [
    ("award_county", 1), ("award_city", 2), ("award_province", 3), ("award_national", 5)])
def test_bonus_points(code, points):
    assert score([ev("violation", "2025-05-01"), ev(code, "2025-06-01")], as_of=AS_OF, policy=P).score == 80 + points


@pytest.mark.parametrize(("code", "points"), list(P["credit_deductions"].items()))
def test_each_deduction(code, points):
    assert score([ev(code, "2025-06-01")], as_of=AS_OF, policy=P).score == 100 - points


# ---- forcing and states -------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["fraud", "serious_dishonesty"])
def test_forcing_codes_force_d_whatever_the_score(code):
    r = score([ev(code, "2025-06-01"), ev("award_national", "2025-07-01")], as_of=AS_OF, policy=P)
    assert (r.score, r.grade, r.forced) == (105, "D", True)


def test_forcing_outside_window_or_voided_does_not_force():
    assert score([ev("fraud", "2024-06-01")], as_of=AS_OF, policy=P).forced is False
    assert score([ev("fraud", "2025-06-01", "voided")], as_of=AS_OF, policy=P).grade == "A"


@pytest.mark.parametrize(("state", "expected"), [
    ("counted", 90), ("repaired", 100), ("appeal_pending", 100), ("voided", 100)])
def test_states(state, expected):
    r = score([ev("penalty_general", "2025-06-01", state)], as_of=AS_OF, policy=P)
    assert r.score == expected
    assert r.lines[0].state == state


def test_repaired_line_kept_and_explained():
    r = score([ev("penalty_general", "2025-06-01", "repaired")], as_of=AS_OF, policy=P)
    assert len(r.lines) == 1 and r.lines[0].points == 0 and "repaired" in r.lines[0].note


def test_unknown_code_and_state_refused():
    with pytest.raises(ValueError, match="unknown credit event code"):
        score([ev("bogus", "2025-06-01")], as_of=AS_OF, policy=P)
    with pytest.raises(ValueError, match="unknown credit event state"):
        score([ev("violation", "2025-06-01", "weird")], as_of=AS_OF, policy=P)


def test_policy_changes_numbers_and_version_recorded():
    p = Policy(version=7, values={**P.as_dict(), "credit_deductions": {**P["credit_deductions"], "violation": 30},
                                  "credit_grades": {"A": 95, "B": 85, "C": 70}, "credit_window_months": 6})
    r = score([ev("violation", "2025-08-01"), ev("eval_basic", "2025-03-01")], as_of=AS_OF, policy=p)
    assert (r.score, r.grade, r.policy_version) == (70, "C", 7)


def test_grade_for_boundaries():
    assert [scoring.grade_for(s, P) for s in (100, 90, 89, 80, 79, 60, 59, 0)] == list("AABBCCDD")


# ---- consequences -------------------------------------------------------------------------------

def test_d_suspends_six_months_from_grade_date():
    specs = scoring.sanctions([(D(2025, 8, 31), "D")], [], as_of=D(2025, 9, 1), policy=P)
    assert [(s.kind, s.starts_on, s.ends_on) for s in specs] == [("suspend_d", D(2025, 8, 31), D(2026, 2, 28))]
    assert specs[0].in_force(D(2026, 2, 27)) and not specs[0].in_force(D(2026, 2, 28))


def test_abandon_suspends_three_months():
    specs = scoring.sanctions([], [ev("abandon", "2025-11-30")], as_of=AS_OF, policy=P)
    assert [(s.kind, s.ends_on) for s in specs] == [("suspend_abandon", D(2026, 2, 28))]
    assert scoring.sanctions([], [ev("abandon", "2025-11-30", "voided")], as_of=AS_OF, policy=P) == []


def test_second_d_within_24_months_removes_and_blacklists_3_years():
    grades = [(D(2024, 1, 10), "D"), (D(2024, 9, 1), "C"), (D(2025, 12, 1), "D")]
    specs = scoring.sanctions(grades, [], as_of=AS_OF, policy=P)
    kinds = {(s.kind, s.starts_on, s.ends_on) for s in specs}
    assert ("removal", D(2025, 12, 1), None) in kinds
    assert ("blacklist", D(2025, 12, 1), D(2028, 12, 1)) in kinds
    assert sum(1 for s in specs if s.kind == "suspend_d") == 2


def test_second_d_after_24_months_only_suspends():
    grades = [(D(2023, 11, 30), "D"), (D(2024, 6, 1), "B"), (D(2025, 12, 1), "D")]
    kinds = {s.kind for s in scoring.sanctions(grades, [], as_of=AS_OF, policy=P)}
    assert kinds == {"suspend_d"}


def test_staying_d_is_one_d():
    grades = [(D(2025, 1, 10), "D"), (D(2025, 3, 1), "D")]
    assert {s.kind for s in scoring.sanctions(grades, [], as_of=AS_OF, policy=P)} == {"suspend_d"}


def test_fraud_removes_and_blacklists():
    specs = scoring.sanctions([], [ev("fraud", "2025-05-31")], as_of=AS_OF, policy=P)
    assert {(s.kind, s.ends_on) for s in specs} == {("removal", None), ("blacklist", D(2028, 5, 31))}


def test_simulate_groups_by_agency():
    rows = [{"agency": "X", "code": "violation", "date": "2025-06-01"},
            {"agency": "Y", "code": "abandon", "date": "2025-06-01", "state": "appeal_pending"}]
    assert scoring.simulate(rows, as_of=AS_OF, policy=P) == {
        "X": {"score": 80, "grade": "B", "forced": False}, "Y": {"score": 100, "grade": "A", "forced": False}}


def test_repair_allowed_from():
    assert scoring.repair_allowed_from(D(2025, 11, 30), safety_related=False, policy=P) == D(2026, 2, 28)
    assert scoring.repair_allowed_from(D(2025, 2, 28), safety_related=True, policy=P) == D(2026, 2, 28)


# ---- rating form -------------------------------------------------------------------------------

@pytest.mark.parametrize(("scores", "mean", "result"), [
    ((5, 4, 5, 4, 5), "4.60", "满意"), ((4, 4, 4, 4, 4), "4.00", "满意"), ((3, 3, 4, 3, 3), "3.20", "基本满意"),
    ((3, 3, 3, 2, 3), "2.80", "不满意"), ((3, 3, 3, 3, 3), "3.00", "基本满意"), ((1, 1, 1, 1, 1), "1.00", "不满意"),
    ((4, 4, 4, 4, 3), "3.80", "基本满意")])
def test_rating_result(scores, mean, result):
    assert scoring.rating_result(list(scores), P) == (Decimal(mean), result)


@pytest.mark.parametrize("bad", [(5, 4, 5, 4), (0, 4, 4, 4, 4), (6, 4, 4, 4, 4), (True, 4, 4, 4, 4)])
def test_rating_result_refuses_bad(bad):
    with pytest.raises(ValueError):
        scoring.rating_result(list(bad), P)


def test_random_engine_invariants():
    rng = random.Random(7)
    codes = list(P["credit_deductions"]) + list(P["credit_bonuses"])
    for _ in range(300):
        events = [ev(rng.choice(codes), D(2024, 6, 1) + dt.timedelta(days=rng.randrange(600)),
                     rng.choice(scoring.STATES)) for _ in range(rng.randrange(0, 12))]
        r = score(events, as_of=AS_OF, policy=P)
        counted = [ln for ln in r.lines if ln.counted]
        assert r.score == max(0, 100 + sum(ln.points for ln in counted if ln.points < 0) + min(10, sum(
            ln.points for ln in counted if ln.points > 0)))
        assert len(r.lines) == len(events)
        assert r.grade == scoring.grade_for(r.score, P)
