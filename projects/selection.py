"""Posting and selection rules (docs/rules.md §5) as pure functions over plain data; no database, no clock.

Money is Decimal 元. Every function takes the `Policy` (and the calendar or moment) it applies, and
results say which rule fired. A "project" argument is only read, never saved or queried.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from marketplace import inputs
from marketplace.display import money
from marketplace.policy import Policy
from projects import investment_code
from projects.draw import SHANGHAI

TWO = Decimal("0.01")
DIRECT, DRAW, LOWEST, COMPOSITE, INVITATION = "direct", "draw", "lowest", "composite", "invitation"


# ---- the posting ----------------------------------------------------------------------------------


def effective_method(project) -> str:
    """The rule set that applies: an invitation runs as the draw or the lowest price it names."""
    if project.method == INVITATION:
        return project.invitation_then or DRAW
    return project.method


def quote_required(project) -> bool:
    return effective_method(project) in (LOWEST, COMPOSITE)


def window_min_wd(project, policy: Policy) -> int:
    if effective_method(project) == DRAW:
        return policy.draw_window_min_wd_urgent if project.urgent else policy.draw_window_min_wd
    return policy.registration_window_min_wd


def close_time_on(day: dt.date, policy: Policy) -> dt.datetime:
    """`registration_close_time` (Asia/Shanghai) on `day`."""
    hh, mm = (int(x) for x in str(policy.registration_close_time).split(":"))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hh, mm)), SHANGHAI)


def registration_deadline(published_at: dt.datetime, window_wd: int, policy: Policy, calendar) -> dt.datetime:
    """The `window_wd`-th working day after publication, at `registration_close_time` Asia/Shanghai."""
    day = calendar.add_working_days(timezone.localtime(published_at).date(), window_wd)
    return close_time_on(day, policy)


def code_prefix(region_name: str) -> str:
    """Region-derived prefix: pinyin initials of the region name without its 市/县/区 suffix (平湖市 → PH)."""
    from pypinyin import Style, lazy_pinyin

    name = region_name
    if len(name) > 2 and name[-1] in "市县区省旗":
        name = name[:-1]
    letters = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).upper()
    letters = "".join(ch for ch in letters if ch.isascii() and ch.isalpha())
    return (letters or "XM")[:6]


def clean_money(value, label: str) -> Decimal | None:
    """An amount in 元 to the fen, None when empty; a bilingual error when it is not a finite number in range."""
    return inputs.money(value, label)


def check_posting(project) -> None:
    """The fields every posting needs: a title, a positive ceiling, a floor within it, an invitation's method."""
    if not (project.title or "").strip():
        raise ValidationError("请填写项目名称 / a title is required")
    if project.ceiling is None or project.ceiling <= 0:
        raise ValidationError("最高限价必须大于零 / the ceiling must be positive")
    if project.floor is not None and (project.floor <= 0 or project.floor > project.ceiling):
        raise ValidationError("最低限价须大于零且不高于最高限价 / the floor must be positive and not above the ceiling")
    check_invitation_then(project.method, project.invitation_then)
    investment_code.validate(project.investment_code)


def check_invitation_then(method: str, then: str) -> None:
    """An invitation names how the invitees are then chosen: by draw or by lowest price."""
    if method == INVITATION and then not in (DRAW, LOWEST):
        raise ValidationError("邀请方式须选择随机抽取或竞价 / an invitation needs draw or lowest price")


def check_direct_reason(reason: str) -> None:
    if not (reason or "").strip():
        raise ValidationError("直接选取必须说明理由 / direct selection needs a recorded reason")


# ---- quotes and methods ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    uscc: str
    amount: Decimal
    submitted_at: dt.datetime


def check_quote_band(amount: Decimal, *, floor: Decimal | None, ceiling: Decimal) -> None:
    """Refuse a quote outside [floor, ceiling] with the wording of docs/rules.md §5.3."""
    if amount is None:
        raise ValidationError("请填写报价 / a quote is required")
    if amount <= 0:
        raise ValidationError("报价必须大于零 / the quote must be positive")
    if floor is not None and amount < floor:
        raise ValidationError(f"报价不能低于最低价 {money(floor)} / quote below the floor of {money(floor)}")
    if amount > ceiling:
        raise ValidationError(f"报价不能高于最高价 {money(ceiling)} / quote above the ceiling of {money(ceiling)}")


def check_direct(*, funding: str, ceiling: Decimal, reason: str, policy: Policy) -> None:
    """Direct selection: a recorded reason; fiscal funds only below `direct_fiscal_limit_yuan`."""
    check_direct_reason(reason)
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


def check_weights(price_weight: int, technical_weight: int, credit_weight: int, policy: Policy) -> None:
    """Composite weights: the price weight within the policy band, all three summing to 100."""
    check_price_weight(price_weight, policy)
    if price_weight + technical_weight + credit_weight != 100:
        raise ValidationError("权重之和须为100 / the weights must sum to 100")


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

    price score = lowest valid price ÷ quote × price weight (docs/rules.md §5.5: 80,000/100,000 × 30 = 24).
    Ties go to the lower quote, then the earlier submission.
    """
    check_weights(price_weight, technical_weight, credit_weight, policy)
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

    Decision: docs/rules.md §5.5 states the minimum for random draws; we apply the same minimum to every
    competitive method (lowest price, composite, invitation), since a price competition among fewer
    than three is no competition. Direct selection has no round and never fails this way.
    """
    return eligible_count < policy.draw_min_candidates


def may_switch_method(*, failed_rounds: int, policy: Policy) -> bool:
    """After a first failure the owner re-publishes with the same method; a switch needs a further failure."""
    return failed_rounds > policy.max_republish_before_switch
