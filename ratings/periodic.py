"""Periodic work of the ratings app (run by the kernel's `sweep_deadlines`)."""

import datetime as dt

from marketplace.periodic import periodic


@periodic("ratings.automatic_ratings")
def automatic_ratings(*, today: dt.date, now: dt.datetime) -> int:
    """满意 (automatic, never deducting) for ratings not given by their deadline."""
    from ratings.services import sweep_overdue_ratings

    return sweep_overdue_ratings(today=today)


@periodic("ratings.ended_suspensions")
def ended_suspensions(*, today: dt.date, now: dt.datetime) -> int:
    """Suspended agencies whose suspensions have all ended return to 已入驻."""
    from ratings.services import expire_sanctions

    return expire_sanctions(today=today)
