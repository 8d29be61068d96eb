"""Nightly: record automatic ratings past their deadline, recompute every agency (events age out of the
window), impose sanctions for new D grades and end expired suspensions."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from marketplace import workdays
from ratings import services
from ratings.recompute import recompute_all


class Command(BaseCommand):
    help = "Recompute all agencies' credit (set-based), sweep overdue ratings, expire suspensions."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today in Asia/Shanghai)")
        parser.add_argument("--no-sweep", action="store_true", help="skip the automatic-rating sweep")

    def handle(self, *args, **options):
        try:
            as_of = dt.date.fromisoformat(options["as_of"]) if options.get("as_of") else workdays.today()
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD / --as-of must be YYYY-MM-DD") from None
        started = time.monotonic()
        swept = 0 if options["no_sweep"] else services.sweep_overdue_ratings(today=as_of)
        changes = recompute_all(as_of=as_of)
        expired = services.expire_sanctions(today=as_of)
        self.stdout.write(f"as_of={as_of} automatic_ratings={swept} changed={len(changes)} "
                          f"suspensions_ended={expired} seconds={time.monotonic() - started:.2f}")
