"""Run the time-driven project transitions once (schedule it every few minutes, e.g. from cron).

Every sweep is idempotent and locks each project it moves, so overlapping runs are harmless.
"""

from django.core.management.base import BaseCommand

from projects import services


class Command(BaseCommand):
    help = "Close due registration windows, expire unconfirmed offers and unjustified low quotes, end publicity."

    def handle(self, *args, **options):
        closed = services.close_due()
        expired = services.expire_confirmations()
        justified = services.expire_justifications()
        ended = services.end_publicity_due()
        self.stdout.write(f"closed={len(closed)} offers_expired={expired} justifications_expired={justified} "
                          f"publicity_ended={ended}")
