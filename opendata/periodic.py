"""Periodic work of the open data: the daily bulk files (the sweep runs every minute; this does its work once
a day, the first time it runs on a new date)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from marketplace.periodic import periodic


@periodic("opendata.bulk_files")
def bulk_files(*, today: dt.date, now: dt.datetime) -> int:
    """Regenerate the bulk files if today's are not there yet; returns 1 when it did."""
    from opendata import bulk

    if bulk.generated_on(today):
        return 0
    bulk.generate(now=timezone.localtime(now))
    return 1
