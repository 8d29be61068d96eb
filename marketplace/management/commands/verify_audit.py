from django.core.management.base import BaseCommand, CommandError

from marketplace.audit import verify_chain
from marketplace.models import AuditEntry


class Command(BaseCommand):
    help = "Walk the audit hash chain; exit non-zero naming the first broken entry. / 校验审计链"

    def handle(self, *args, **options):
        problem = verify_chain()
        if problem is not None:
            raise CommandError(f"审计链断裂 / audit chain broken at entry #{problem.entry_id}: {problem.reason}")
        self.stdout.write(self.style.SUCCESS(f"OK: {AuditEntry.objects.count()} entries, chain intact / 审计链完整"))
