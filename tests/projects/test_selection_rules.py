"""Pure selection rules: the docs/rules.md §5.5 lowest-price and composite examples, bands, direct, 流标."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from marketplace.policy import Policy, default_policy
from projects import selection as rules

P = default_policy()
D = Decimal
TZ = dt.timezone(dt.timedelta(hours=8))


def at(h, m):
    return dt.datetime(2026, 3, 10, h, m, tzinfo=TZ)


@pytest.mark.parametrize(("amount", "message"), [(D("45000"), "不能低于最低价"), (D("105000"), "不能高于最高价"),
                                                 (D("0"), "必须大于零"), (D("-5"), "必须大于零")])
def test_quote_band_refusals(amount, message):
    with pytest.raises(ValidationError) as exc:
        rules.check_quote_band(amount, floor=D("50000"), ceiling=D("100000"))
    assert message in str(exc.value)


@pytest.mark.parametrize("amount", [D("50000"), D("100000"), D("75000.50")])
def test_quote_band_inclusive(amount):
    rules.check_quote_band(amount, floor=D("50000"), ceiling=D("100000"))


def test_no_floor_only_ceiling():
    rules.check_quote_band(D("1"), floor=None, ceiling=D("100000"))


def test_lowest_price_example_earliest_tie_wins():
    quotes = [rules.Quote("A", D("90000"), at(10, 0)), rules.Quote("B", D("85000"), at(10, 5)),
              rules.Quote("C", D("85000"), at(10, 2))]
    result = rules.lowest_price(quotes, P)
    assert result.winner == "C"
    assert result.order == ["C", "B", "A"]
    assert result.abnormal == set()


def test_abnormally_low_example():
    amounts = [D("100000"), D("95000"), D("90000"), D("60000")]
    expected = ["1.2245", "1.1400", "1.0588", "0.6316"]
    for i, exp in enumerate(expected):
        assert rules.ratio_to_others(amounts, i).quantize(D("0.0001")) == D(exp)
    quotes = [rules.Quote(f"U{i}", a, at(9, i)) for i, a in enumerate(amounts)]
    assert rules.abnormally_low(quotes, P) == {"U3"}


def test_rejected_justification_next_lowest_wins():
    quotes = [rules.Quote("U0", D("100000"), at(9, 0)), rules.Quote("U1", D("95000"), at(9, 1)),
              rules.Quote("U2", D("90000"), at(9, 2)), rules.Quote("U3", D("60000"), at(9, 3))]
    assert rules.lowest_price(quotes, P).winner == "U3"
    assert rules.lowest_price(quotes, P, rejected_justifications={"U3"}).winner == "U2"


def test_abnormal_ratio_is_policy():
    quotes = [rules.Quote("U0", D("100"), at(9, 0)), rules.Quote("U1", D("80"), at(9, 1))]
    assert rules.abnormally_low(quotes, P) == set()
    strict = Policy(version=9, values={"abnormal_low_ratio": "0.85"})
    assert rules.abnormally_low(quotes, strict) == {"U1"}


def test_single_quote_is_never_abnormal():
    assert rules.abnormally_low([rules.Quote("U0", D("1"), at(9, 0))], P) == set()


def test_composite_example():
    entries = [(rules.Quote("A", D("80000"), at(9, 0)), D("40"), 95),
               (rules.Quote("B", D("100000"), at(9, 1)), D("48"), 100),
               (rules.Quote("C", D("120000"), at(9, 2)), D("50"), 86)]
    lines = rules.composite(entries, price_weight=30, technical_weight=50, credit_weight=20, policy=P)
    by = {ln.uscc: ln for ln in lines}
    assert [ln.uscc for ln in lines] == ["B", "A", "C"]
    assert (by["A"].price_score, by["A"].credit_points, by["A"].total) == (D("30.00"), D("19.00"), D("89.00"))
    assert (by["B"].price_score, by["B"].credit_points, by["B"].total) == (D("24.00"), D("20.00"), D("92.00"))
    assert (by["C"].price_score, by["C"].credit_points, by["C"].total) == (D("20.00"), D("17.20"), D("87.20"))


@pytest.mark.parametrize("weight", [9, 31, 0, 50])
def test_price_weight_bounds(weight):
    with pytest.raises(ValidationError, match="价格权重"):
        rules.check_price_weight(weight, P)


@pytest.mark.parametrize("weight", [10, 20, 30])
def test_price_weight_inside_bounds(weight):
    rules.check_price_weight(weight, P)


def test_composite_weights_must_sum_to_100():
    with pytest.raises(ValidationError, match="100"):
        rules.composite([], price_weight=30, technical_weight=60, credit_weight=20, policy=P)


def test_composite_technical_out_of_range():
    with pytest.raises(ValidationError):
        rules.composite([(rules.Quote("A", D("1"), at(9, 0)), D("51"), 90)], price_weight=30, technical_weight=50,
                        credit_weight=20, policy=P)


def test_credit_points_capped():
    assert rules.credit_points(100, 20) == D("20.00")
    assert rules.credit_points(120, 20) == D("20.00")
    assert rules.credit_points(0, 20) == D("0.00")


def test_direct_rules():
    rules.check_direct(funding="social", ceiling=D("5000000"), reason="唯一具备资质", policy=P)
    rules.check_direct(funding="fiscal", ceiling=D("99999.99"), reason="金额小", policy=P)
    with pytest.raises(ValidationError, match="不得直接选取"):
        rules.check_direct(funding="fiscal", ceiling=D("100000"), reason="金额小", policy=P)
    with pytest.raises(ValidationError, match="理由"):
        rules.check_direct(funding="social", ceiling=D("1"), reason="  ", policy=P)


@pytest.mark.parametrize(("count", "fails"), [(0, True), (2, True), (3, False), (10, False)])
def test_round_fails_below_min_candidates(count, fails):
    assert rules.round_fails(count, P) is fails


@pytest.mark.parametrize(("failed_rounds", "allowed"), [(1, False), (2, True), (3, True)])
def test_method_switch_only_after_second_failure(failed_rounds, allowed):
    assert rules.may_switch_method(failed_rounds=failed_rounds, policy=P) is allowed
