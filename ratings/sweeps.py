"""Periodic work of the ratings app, run by the kernel's `sweep_deadlines`."""

import datetime as dt

from marketplace.notify import sweeper


@sweeper
def automatic_ratings(*, today: dt.date) -> int:
    """满意 (automatic, never deducting) for ratings not given by their deadline."""
    from ratings.services import sweep_overdue_ratings

    return sweep_overdue_ratings(today=today)


@sweeper
def ended_suspensions(*, today: dt.date) -> int:
    from ratings.services import expire_sanctions

    return expire_sanctions(today=today)
