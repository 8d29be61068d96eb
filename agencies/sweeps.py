"""Periodic work of the agencies app, run by the kernel's `sweep_deadlines`."""

import datetime as dt

from marketplace.notify import sweeper


@sweeper
def qualification_reminders(*, today: dt.date) -> int:
    from agencies.services import remind_expiring_qualifications

    return remind_expiring_qualifications(today=today)
