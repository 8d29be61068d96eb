import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from agencies.services import remind_expiring_qualifications


class Command(BaseCommand):
    help = "提醒即将到期的资质（幂等）/ remind agencies of qualifications about to expire (idempotent)"

    def add_arguments(self, parser):
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None)

    def handle(self, *args, today=None, **options):
        n = remind_expiring_qualifications(today=today or timezone.localdate())
        self.stdout.write(f"{n} reminders created")
