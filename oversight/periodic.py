"""Periodic work of the oversight app (run by the kernel's `sweep_deadlines`, every minute from cron)."""

import datetime as dt

from marketplace.periodic import periodic

NIGHTLY_FROM = dt.time(1, 0)  # after midnight, once the day's postings have closed


@periodic("oversight.risk_scan")
def risk_scan(*, today: dt.date, now: dt.datetime) -> int:
    """The nightly risk scan: once per day, from 01:00, as of the day before. Returns the new flags."""
    from django.utils import timezone

    from marketplace.models import AuditEntry
    from oversight import events, scan

    local = timezone.localtime(now)
    if local.time() < NIGHTLY_FROM:
        return 0
    midnight = timezone.make_aware(dt.datetime.combine(local.date(), dt.time()))
    if AuditEntry.objects.filter(action=events.SCAN_RUN.action, actor__isnull=True, created_at__gte=midnight).exists():
        return 0
    return scan.run_scan(as_of=today - dt.timedelta(days=1), now=now).new
