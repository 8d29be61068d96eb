"""Whether a void took away the grounds of an automatic sanction or of an entry into grade D (docs/rules.md §9).

A ledger line voided after a sanction was imposed (an appeal upheld, an enforcement decision revoked
on review) can take away that sanction's grounds. The grade history is re-derived from the ledger:
the grade on a date is the engine's grade over the ledger on that date, under the policy the
sanction or the grade change was computed with. Only a void takes grounds away: a line pending
appeal or repaired still stands for this purpose (a regulator may lift such a sanction by hand),
and a sanction is lifted only when the ledger with its voided lines restored would still call for it
(so a grade history or sanction the ledger never explained is left alone).

Pure functions over plain data, like `ratings.scoring`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence

from ratings import scoring

STANDING = frozenset({scoring.APPEAL_PENDING, scoring.REPAIRED})


def _counting(events: Iterable[scoring.Event], states: frozenset) -> list[scoring.Event]:
    return [dataclasses.replace(e, state=scoring.COUNTED) if e.state in states else e for e in events]


def standing(events: Iterable[scoring.Event]) -> list[scoring.Event]:
    """The ledger as it stands for grounds: a line pending appeal or repaired counts, a voided one does not
    (nor does a correction line, which only records a void)."""
    return _counting(events, STANDING)


def restored(events: Iterable[scoring.Event]) -> list[scoring.Event]:
    """The ledger as if nothing had been voided."""
    return _counting(events, STANDING | {scoring.VOIDED})


def any_voided(events: Iterable[scoring.Event]) -> bool:
    return any(e.state == scoring.VOIDED for e in events)


def grade_on(events: Sequence[scoring.Event], day: dt.date, policy) -> str:
    """The grade `events` give on `day`."""
    return scoring.score(events, as_of=day, policy=policy).grade


def _counted_on(events: Iterable[scoring.Event], code: str, day: dt.date) -> bool:
    return any(e.code == code and e.state == scoring.COUNTED and e.date == day for e in events)


def founded(kind: str, starts_on: dt.date, *, events: Sequence[scoring.Event], d_dates: Iterable[dt.date],
            policy) -> bool:
    """Whether `events` call for an automatic sanction of `kind` from `starts_on`.

    - `suspend_d`: the grade on its start date is D;
    - `suspend_abandon`: a counted `abandon` dated on its start date;
    - `removal` / `blacklist`: a counted `fraud` dated on its start date, or the grade on its start date
      is D and so is the grade on an earlier entry into D (`d_dates`) within
      sanction_second_d_window_months.

    Kinds the engine never imposes (a regulator's own decision) are always founded.
    """
    if kind == "suspend_abandon":
        return _counted_on(events, "abandon", starts_on)
    if kind == "suspend_d":
        return grade_on(events, starts_on, policy) == "D"
    if kind in ("removal", "blacklist"):
        if _counted_on(events, "fraud", starts_on):
            return True
        window_from = scoring.months_before(starts_on, int(policy["sanction_second_d_window_months"]))
        earlier = [d for d in d_dates if window_from < d < starts_on]
        return bool(earlier) and grade_on(events, starts_on, policy) == "D" and any(
            grade_on(events, d, policy) == "D" for d in earlier)
    return True


def voided_away(kind: str, starts_on: dt.date, *, events: Sequence[scoring.Event], d_dates: Iterable[dt.date],
                policy) -> bool:
    """True when a void took away the grounds of a sanction: founded with the voided lines, not without them."""
    d_dates = list(d_dates)
    return (not founded(kind, starts_on, events=standing(events), d_dates=d_dates, policy=policy)
            and founded(kind, starts_on, events=restored(events), d_dates=d_dates, policy=policy))


def d_voided_away(day: dt.date, *, events: Sequence[scoring.Event], policy) -> bool:
    """True when a void took away an entry into grade D on `day`."""
    return grade_on(standing(events), day, policy) != "D" and grade_on(restored(events), day, policy) == "D"
