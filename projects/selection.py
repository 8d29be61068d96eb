"""Selection methods (rules §5) as pure functions over plain data; no database, no clock.

Money is Decimal 元. Every function takes the `Policy` it applies and results say which rule fired.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

from marketplace.policy import Policy

TWO = Decimal("0.01")


@dataclass(frozen=True)
class Quote:
    uscc: str
    amount: Decimal
    submitted_at: dt.datetime


def check_quote_band(amount: Decimal, *, floor: Decimal | None, ceiling: Decimal) -> None:
    """Refuse a quote outside [floor, ceiling] with the wording of rules §5."""
    if amount is None:
        raise ValidationError("请填写报价 / a quote is required")
    if amount <= 0:
        raise ValidationError("报价必须大于零 / the quote must be positive")
    if floor is not None and amount < floor:
        raise ValidationError(f"报价不能低于最低价 {floor} 元 / quote below the floor")
    if amount > ceiling:
        raise ValidationError(f"报价不能高于最高价 {ceiling} 元 / quote above the ceiling")


def check_direct(*, funding: str, ceiling: Decimal, reason: str, policy: Policy) -> None:
    """Direct selection: a recorded reason; fiscal funds only below `direct_fiscal_limit_yuan`."""
    if not (reason or "").strip():
        raise ValidationError("直接选取必须说明理由 / direct selection needs a recorded reason")
    if funding == "fiscal" and ceiling >= policy.direct_fiscal_limit_yuan:
        raise ValidationError(
            f"财政资金项目金额达到 {policy.direct_fiscal_limit_yuan} 元的不得直接选取 / "
            "fiscal-funded needs at or above the limit cannot use direct selection")
    if funding == "state":
        raise ValidationError("国有资金项目不得直接选取 / state-owned funds cannot use direct selection")


def check_price_weight(weight: int, policy: Policy) -> None:
    lo, hi = policy.composite_price_weight_min, policy.composite_price_weight_max
    if not lo <= weight <= hi:
        raise ValidationError(f"价格权重须在 {lo}–{hi}% 之间 / the price weight must be within {lo}-{hi} %")


def ratio_to_others(amounts: list[Decimal], index: int) -> Decimal | None:
    """A quote's ratio to the mean of the OTHER quotes (None when it is the only one)."""
    others = [a for i, a in enumerate(amounts) if i != index]
    if not others:
        return None
    mean = sum(others) / len(others)
    return amounts[index] / mean


def abnormally_low(quotes: list[Quote], policy: Policy) -> set[str]:
    """USCCs whose quote is below `abnormal_low_ratio` × the mean of the other valid quotes."""
    amounts = [q.amount for q in quotes]
    out = set()
    for i, q in enumerate(quotes):
        r = ratio_to_others(amounts, i)
        if r is not None and r < policy.abnormal_low_ratio:
            out.add(q.uscc)
    return out


def rank_lowest(quotes: list[Quote]) -> list[Quote]:
    """Lowest first; ties go to the earliest submission (then USCC, so the order is total)."""
    return sorted(quotes, key=lambda q: (q.amount, q.submitted_at, q.uscc))


@dataclass(frozen=True)
class LowestResult:
    order: list[str]  # ranked USCCs
    abnormal: set[str]
    winner: str | None


def lowest_price(quotes: list[Quote], policy: Policy, *, rejected_justifications: set[str] = frozenset()) -> LowestResult:
    """Rank sealed quotes; quotes whose low-price justification the owner rejected drop out."""
    abnormal = abnormally_low(quotes, policy)
    ranked = [q.uscc for q in rank_lowest(quotes) if q.uscc not in rejected_justifications]
    return LowestResult(order=ranked, abnormal=abnormal, winner=ranked[0] if ranked else None)


@dataclass(frozen=True)
class CompositeLine:
    uscc: str
    quote: Decimal
    price_score: Decimal
    technical: Decimal
    credit_score: int
    credit_points: Decimal
    total: Decimal
    submitted_at: dt.datetime | None = None


def credit_points(score: int, credit_weight: int) -> Decimal:
    """score/100 × weight, at most the weight."""
    pts = Decimal(score) / Decimal(100) * Decimal(credit_weight)
    return min(pts, Decimal(credit_weight)).quantize(TWO, ROUND_HALF_UP)


def composite(entries: list[tuple[Quote, Decimal, int]], *, price_weight: int, technical_weight: int,
              credit_weight: int, policy: Policy) -> list[CompositeLine]:
    """entries: (quote, technical score 0..technical_weight, credit score 0..100). Best total first.

    price score = lowest valid price ÷ quote × price weight (as in examples.md: 80,000/100,000 × 30 = 24).
    Ties go to the lower quote, then the earlier submission.
    """
    check_price_weight(price_weight, policy)
    if price_weight + technical_weight + credit_weight != 100:
        raise ValidationError("权重之和须为100 / the weights must sum to 100")
    if not entries:
        return []
    lowest = min(q.amount for q, _, _ in entries)
    lines = []
    for q, technical, credit in entries:
        technical = Decimal(technical)
        if not 0 <= technical <= technical_weight:
            raise ValidationError(f"技术分须在 0–{technical_weight} 之间 / technical score out of range")
        price = (lowest / q.amount * Decimal(price_weight)).quantize(TWO, ROUND_HALF_UP)
        cpts = credit_points(credit, credit_weight)
        total = (price + technical + cpts).quantize(TWO, ROUND_HALF_UP)
        lines.append(CompositeLine(q.uscc, q.amount, price, technical, credit, cpts, total, q.submitted_at))
    return sorted(lines, key=lambda ln: (-ln.total, ln.quote, ln.submitted_at.timestamp() if ln.submitted_at else 0.0, ln.uscc))


def round_fails(eligible_count: int, policy: Policy) -> bool:
    """流标 below `draw_min_candidates` eligible registrants.

    Decision: rules §5 state the minimum for random draws; we apply the same minimum to every
    competitive method (lowest price, composite, invitation), since a price competition among fewer
    than three is no competition. Direct selection has no round and never fails this way.
    """
    return eligible_count < policy.draw_min_candidates


def may_switch_method(*, failed_rounds: int, policy: Policy) -> bool:
    """After a first failure the owner re-publishes with the same method; a switch needs a further failure."""
    return failed_rounds > policy.max_republish_before_switch
