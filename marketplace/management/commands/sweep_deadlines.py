"""`python manage.py sweep_deadlines`: send deadline warnings (yellow, red, owner overdue) once each.

Idempotent and safe every minute (cron: `* * * * * cd /srv/zjcs && .venv/bin/python manage.py
sweep_deadlines`). Statuses are derived from dates; this only sends what is due and not yet sent.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from marketplace.notify import run_sweeps


class Command(BaseCommand):
    help = "Send deadline notifications that are due and not yet sent (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="compute as of this date (YYYY-MM-DD), for replays and tests")

    def handle(self, *args, today=None, **options):
        try:
            day = dt.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD / --today must be YYYY-MM-DD")
        results = run_sweeps(today=day)
        for name, count in results.items():
            self.stdout.write(f"{name}: {count}")
