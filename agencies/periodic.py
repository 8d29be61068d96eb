"""Periodic work of the agencies app (run by the kernel's `sweep_deadlines`)."""

import datetime as dt

from marketplace.periodic import periodic


@periodic("agencies.qualification_reminders")
def qualification_reminders(*, today: dt.date, now: dt.datetime) -> int:
    """Remind agencies of qualifications about to expire (once per qualification and day count)."""
    from agencies.services import remind_expiring_qualifications

    return remind_expiring_qualifications(today=today)
