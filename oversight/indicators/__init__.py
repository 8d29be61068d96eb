"""The risk indicators, one function per kind: `fn(window) -> list[Finding]` (docs/rules.md "Risk indicators").

Each reads the marketplace with set-based SQL (aggregates, joins, CTEs and window counts that run on SQLite and
PostgreSQL alike) and leaves only the arithmetic on the aggregated rows to the pure rules in
`oversight.rules`.
"""

from oversight.indicators import awards, delays, people, prices

INDICATORS = {
    "shared_person": people.shared_person,
    "identical_quotes": prices.identical_quotes,
    "close_quotes": prices.close_quotes,
    "discounted_bid": prices.discounted_bid,
    "single_bidder": prices.single_bidder,
    "short_window": prices.short_window,
    "win_concentration": awards.win_concentration,
    "split_purchase": awards.split_purchase,
    "high_win_ratio": awards.high_win_ratio,
    "heterogeneous_supplier": awards.heterogeneous_supplier,
    "owner_delay": delays.owner_delay,
}
