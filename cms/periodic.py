"""Periodic work of the cms (run by the kernel's `sweep_deadlines`)."""

import datetime as dt

from marketplace.periodic import periodic


@periodic("cms.bulletins")
def monthly_and_quarterly_bulletins(*, today: dt.date, now: dt.datetime) -> int:
    """The 月简报 and 季度通报 of the last complete month and quarter, once each (idempotent)."""
    from cms.bulletins import publish_due

    return publish_due(today=today)
