"""Replay marketplace audit entries into notices (idempotent): after installing the CMS on a database
with history, after a failed subscriber, or after seeding demo data."""

from django.core.management.base import BaseCommand

from cms import subscribers as events
from marketplace.models import AuditEntry


class Command(BaseCommand):
    help = "Replay audit entries (projects.*, ratings.sanction_*) into CMS notices; safe to run repeatedly."

    def add_arguments(self, parser):
        parser.add_argument("--since-id", type=int, default=0, help="only entries with a larger id")

    def handle(self, *args, since_id=0, **options):
        entries = (AuditEntry.objects.filter(action__in=list(events.HANDLERS), id__gt=since_id)
                   .order_by("id").iterator(chunk_size=500))
        done = failed = 0
        for entry in entries:
            try:
                events.HANDLERS[entry.action](entry)
                done += 1
            except Exception as exc:  # noqa: BLE001 - report and continue with the next entry
                failed += 1
                self.stderr.write(f"entry {entry.pk} ({entry.action}): {exc}")
        self.stdout.write(self.style.SUCCESS(f"replayed {done} entries; {failed} failed"))
