"""The pure rules behind the risk indicators, without a database."""

import datetime as dt
import math
import random
from decimal import Decimal

import pytest

from marketplace.policy import Policy, default_policy
from oversight import rules


def brute_tail(n, k, p):
    return sum(math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k, n + 1))


@pytest.mark.parametrize("seed", range(30))
def test_binomial_tail_matches_the_sum_of_the_distribution(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 60)
    k, p = rng.randint(0, n), rng.uniform(0.01, 0.99)
    assert rules.binomial_tail(n, k, p) == pytest.approx(brute_tail(n, k, p) if k else 1.0)


def test_binomial_tail_edges():
    assert rules.binomial_tail(10, 0, 0.3) == 1.0
    assert rules.binomial_tail(10, 11, 0.3) == 0.0
    assert rules.binomial_tail(10, 10, 0.5) == pytest.approx(1 / 1024)
    assert rules.binomial_tail(10, 3, 0.0) == 0.0


def test_hhi_is_10000_for_a_monopoly_and_falls_with_competition():
    assert rules.hhi([1.0]) == 10000
    assert rules.hhi([0.25] * 4) == 2500
    assert rules.hhi([0.5, 0.5]) > rules.hhi([0.25] * 4)


def test_within_pct():
    assert rules.within_pct(Decimal("100000"), Decimal("100900"), Decimal("1"))
    assert not rules.within_pct(Decimal("100000"), Decimal("101001"), Decimal("1"))
    assert not rules.within_pct(Decimal("100000"), Decimal("100000"), Decimal("1"))  # equal: identical_quotes


def test_concentration_needs_the_minimum_sample_and_a_share_above_the_threshold():
    policy = default_policy()
    rows = [(1, "A", 3, Decimal("300")), (1, "B", 1, Decimal("100"))]
    found = rules.concentration(rows, policy)
    assert [(f["agency"], f["awards"], f["total"]) for f in found] == [("A", 3, 4)]
    assert found[0]["hhi"] == rules.hhi([0.75, 0.25])
    assert rules.concentration(rows[:1] + [(1, "B", 0, 0)], policy) == []  # 3 awards < 4
    stricter = Policy(version=9, values={"risk_concentration_share": "0.80"})
    assert rules.concentration(rows, stricter) == []
    even = [(2, "A", 2, Decimal("1")), (2, "B", 2, Decimal("1"))]
    assert rules.concentration(even, policy) == []  # 50 % is not above 50 %


def test_split_clusters_group_picks_inside_the_window_whose_sum_passes_the_limit():
    d = dt.date(2026, 1, 1)
    picks = [(1, d, Decimal("60000")), (2, d + dt.timedelta(days=30), Decimal("50000")),
             (3, d + dt.timedelta(days=200), Decimal("60000")), (4, d + dt.timedelta(days=201), Decimal("20000"))]
    runs = rules.split_clusters(picks, limit=Decimal("100000"), window_days=90)
    assert [[p[0] for p in run] for run in runs] == [[1, 2]]
    assert rules.split_clusters(picks, limit=Decimal("100000"), window_days=10) == []
    # a pick at or above the limit is not a split part (it needed competition anyway)
    assert rules.split_clusters([(1, d, Decimal("100000")), (2, d, Decimal("20000"))], limit=Decimal("100000"),
                                window_days=90) == []


def test_win_ratio_ignores_small_samples_and_wins_at_chance():
    policy = default_policy()
    assert rules.win_ratio(9, 9, 0.25, policy) is None
    assert rules.win_ratio(20, 5, 0.25, policy) is None
    assert rules.win_ratio(20, 15, 0.25, policy) < 0.001


def test_mask_id_shows_only_region_and_last_four():
    assert rules.mask_id("330482199001011234") == "330482********1234"
