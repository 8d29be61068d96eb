"""Ranking combines relevance, grade and recency (pure)."""

import pytest

from marketplace.search import ranking
from marketplace.search.documents import price_bucket


def test_grade_orders_equal_relevance():
    a = ranking.combined_score(1.0, 1.0, "A", 10)
    b = ranking.combined_score(1.0, 1.0, "B", 10)
    c = ranking.combined_score(1.0, 1.0, "C", 10)
    d = ranking.combined_score(1.0, 1.0, "D", 10)
    assert a > b > c > d


def test_recency_orders_equal_relevance_and_grade():
    assert ranking.combined_score(1.0, 1.0, "B", 1) > ranking.combined_score(1.0, 1.0, "B", 400)
    assert ranking.recency_bonus(ranking.RECENCY_HALF_LIFE_DAYS) == pytest.approx(ranking.RECENCY_WEIGHT / 2)
    assert ranking.recency_bonus(None) == 0


def test_grade_does_not_lift_a_much_weaker_match():
    strong_c = ranking.combined_score(10.0, 10.0, "C", 1000)
    weak_a = ranking.combined_score(4.0, 10.0, "A", 0)
    assert strong_c > weak_a


def test_browse_mode_has_no_text_part():
    assert ranking.combined_score(0.0, 0.0, "A", None) == pytest.approx(0.3)


@pytest.mark.parametrize("amount, bucket", [(None, "p0"), (0, "p1"), (9999.99, "p1"), (10000, "p2"), (49999, "p2"),
                                            (50000, "p3"), (200000, "p4"), (999999, "p4"), (1000000, "p5")])
def test_price_buckets(amount, bucket):
    from decimal import Decimal

    assert price_bucket(None if amount is None else Decimal(str(amount))) == bucket


def test_score_many_equals_combined_score():
    rels, grades, days = [3.0, 1.5, 0.2, 3.0], ["A", "C", "", "D"], [20000.0, None, 19000.0, 20400.0]
    now_days = 20500.0
    expected = [ranking.combined_score(r, 3.0, g, None if d is None else now_days - d)
                for r, g, d in zip(rels, grades, days, strict=True)]
    assert ranking.score_many(rels, grades, days, now_days) == pytest.approx(expected)
