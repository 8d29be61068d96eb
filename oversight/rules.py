"""Pure rules of the risk indicators (docs/rules.md "Risk indicators"): the statistics behind the
thresholds, the grouping of split purchases, and severities. Plain data in, plain data out;
the thresholds come from the policy passed in."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal

LOW, MEDIUM, HIGH = "low", "medium", "high"


def mask_id(value: str) -> str:
    """A resident ID shown as its region and last four characters: enough to follow, not enough to copy."""
    return f"{value[:6]}********{value[-4:]}" if len(value) == 18 else "***"


def binomial_tail(n: int, k: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), exactly (math.comb), clamped to [0, 1]."""
    if k <= 0:
        return 1.0
    if k > n or p <= 0:
        return 0.0
    if p >= 1:
        return 1.0
    total = sum(math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k, n + 1))
    return min(1.0, max(0.0, total))


def hhi(shares: Iterable[float]) -> int:
    """Herfindahl–Hirschman index on the 0–10,000 scale from shares in [0, 1]."""
    return round(sum((100 * s) ** 2 for s in shares))


def within_pct(low: Decimal, high: Decimal, pct: Decimal) -> bool:
    """Whether `high` is above `low` by at most `pct` percent of `low` (and they differ)."""
    if low is None or high is None or low <= 0 or high == low:
        return False
    return (high - low) * 100 <= pct * low


def ratio_severity(ratio: float, threshold: float) -> str:
    """How far past its threshold a share is: high at 1.5× the threshold (or all of it), medium otherwise."""
    return HIGH if ratio >= min(1.0, 1.5 * threshold) else MEDIUM


def concentration(rows: Iterable[tuple], policy: Mapping) -> list[dict]:
    """(owner, agency, awards, value) rows for one period → the concentrated pairs, with the owner's HHI.

    A pair is concentrated when the owner made at least `risk_concentration_min_awards` awards and the
    agency's share of their count or of their value exceeds `risk_concentration_share`.
    """
    by_owner: dict = {}
    for owner, agency, count, value in rows:
        by_owner.setdefault(owner, []).append((agency, int(count), Decimal(value or 0)))
    share_min = float(policy["risk_concentration_share"])
    out = []
    for owner, pairs in by_owner.items():
        total = sum(c for _a, c, _v in pairs)
        amount = sum(v for _a, _c, v in pairs)
        if total < policy["risk_concentration_min_awards"]:
            continue
        index = hhi(c / total for _a, c, _v in pairs)
        for agency, count, value in pairs:
            share, value_share = count / total, float(value / amount) if amount else 0.0
            if share > share_min or value_share > share_min:
                out.append({"owner": owner, "agency": agency, "awards": count, "total": total,
                            "share": round(share, 4), "value_share": round(value_share, 4), "hhi": index,
                            "severity": HIGH if index >= policy["risk_hhi_high"] else MEDIUM})
    return out


def split_clusters(picks: list[tuple], *, limit: Decimal, window_days: int) -> list[list[tuple]]:
    """Direct picks (id, date, value) of one owner and service type → clusters that look split.

    Each pick is below `limit`; a cluster is a run of picks each within `window_days` of the run's first,
    whose sum exceeds `limit`. Runs start at the earliest pick not yet in a cluster, so a re-scan names
    the same first pick (the flag's key) as long as the picks do not change.
    """
    picks = sorted((p for p in picks if p[2] < limit), key=lambda p: (p[1], p[0]))
    out, i = [], 0
    while i < len(picks):
        run = [p for p in picks[i:] if (p[1] - picks[i][1]).days <= window_days]
        if len(run) >= 2 and sum(p[2] for p in run) > limit:
            out.append(run)
            i += len(run)
        else:
            i += 1
    return out


def win_ratio(rounds: int, wins: int, chance: float, policy: Mapping) -> float | None:
    """The binomial tail of winning `wins` of `rounds` at the mean chance `chance`; None when too few rounds."""
    if rounds < policy["risk_win_ratio_min_rounds"] or wins <= rounds * chance:
        return None
    return binomial_tail(rounds, wins, chance)
