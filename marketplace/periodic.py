"""One registry of periodic work, run by `manage.py sweep_deadlines` (every minute from cron).

Each app declares its periodic jobs in its own `periodic.py` (discovered when Django is ready):

    from marketplace.periodic import periodic

    @periodic("agencies.qualification_reminders")
    def qualification_reminders(*, today, now) -> int: ...

A job receives the local `today` and the current `now` (so it never reads the clock itself), must be
idempotent (notification keys and row locks make it so) and returns how many things it did. Jobs run
in registration order: the kernel's jobs first, then each app's in INSTALLED_APPS order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.utils import timezone

Job = Callable[..., int]
_jobs: dict[str, Job] = {}


def periodic(name: str) -> Callable[[Job], Job]:
    """Register `fn(*, today, now) -> int` under `name` (namespaced as app.job)."""
    if "." not in name:
        raise ValueError(f"periodic job {name!r} must be namespaced as app.job")

    def register(fn: Job) -> Job:
        existing = _jobs.get(name)
        if existing is not None and existing is not fn:
            raise ValueError(f"periodic job {name!r} is registered twice")
        _jobs[name] = fn
        return fn

    return register


def names() -> list[str]:
    return list(_jobs)


def run(*, today: dt.date | None = None, now: dt.datetime | None = None,
        only: Iterable[str] | None = None) -> dict[str, int]:
    """Run the registered jobs (or those named in `only`); returns name → count."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    wanted = list(only) if only else list(_jobs)
    unknown = [n for n in wanted if n not in _jobs]
    if unknown:
        raise KeyError(f"未知的周期任务 / unknown periodic jobs: {', '.join(unknown)}")
    return {name: _jobs[name](today=today, now=now) for name in wanted}


def autodiscover() -> None:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("periodic")


try:
    from django_tasks import task
except ImportError:  # pragma: no cover - django-tasks is in requirements
    task = None

if task is not None:

    @task()
    def sweep_deadlines_task(today: str | None = None) -> dict[str, int]:
        """The periodic work as a background task (for a scheduler that enqueues tasks instead of cron)."""
        return run(today=dt.date.fromisoformat(today) if today else None)


@periodic("marketplace.resend_mail")
def resend_mail(*, today: dt.date, now: dt.datetime) -> int:
    """Retry mails whose first attempt failed (exactly-once through the notification rows)."""
    from marketplace.notify import resend_unsent

    return resend_unsent(now=now)


@periodic("marketplace.audit_anchor")
def audit_anchor(*, today: dt.date, now: dt.datetime) -> int:
    """Publish the audit chain head as today's anchor (once a day; see marketplace.anchors)."""
    from marketplace.audit import anchor

    return int(anchor(date=today, now=now) is not None)


@periodic("marketplace.send_digests")
def send_digests(*, today: dt.date, now: dt.datetime) -> int:
    """Mail each user who chose the daily digest one mail with yesterday's messages (after 08:00)."""
    from marketplace.notify import send_digests as send

    return send(now=now)
