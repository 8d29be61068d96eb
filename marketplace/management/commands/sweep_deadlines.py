"""`python manage.py sweep_deadlines`: run every app's registered periodic work once.

Idempotent and safe every minute (cron: `* * * * * cd /srv/zjcs && .venv/bin/python manage.py
sweep_deadlines`): it closes registration windows, expires unconfirmed offers and low-quote
justifications, ends publicity, sends service-clock warnings and owner-side delays, qualification
reminders, automatic ratings, ends suspensions and retries unsent mail. `--only` runs named jobs.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from marketplace import periodic


class Command(BaseCommand):
    help = "Run the registered periodic work once (idempotent); --list names the jobs."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="compute as of this date (YYYY-MM-DD), for replays and tests")
        parser.add_argument("--only", nargs="+", metavar="JOB", help="run only these jobs (see --list)")
        parser.add_argument("--list", action="store_true", help="list the registered jobs and exit")

    def handle(self, *args, today=None, only=None, list=False, **options):
        if list:
            for name in periodic.names():
                self.stdout.write(name)
            return
        try:
            day = dt.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD / --today must be YYYY-MM-DD")
        try:
            results = periodic.run(today=day, only=only)
        except KeyError as exc:
            raise CommandError(exc.args[0])
        for name, count in results.items():
            self.stdout.write(f"{name}: {count}")
