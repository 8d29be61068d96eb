from django.core.management.base import BaseCommand, CommandError

from marketplace import anchors
from marketplace.audit import verify_chain
from marketplace.models import AuditEntry


class Command(BaseCommand):
    help = ("Walk the audit hash chain; exit non-zero naming the first broken entry. With --anchors, also "
            "check it against the published anchors (the database's, or a JSON file or URL of them). / 校验审计链")

    def add_arguments(self, parser):
        parser.add_argument("--anchors", nargs="?", const="db", default=None, metavar="FILE|URL",
                            help="check against published anchors: the anchor table (no value), a JSON file or a URL")

    def handle(self, *args, **options):
        problem = verify_chain()
        if problem is not None:
            raise CommandError(f"审计链断裂 / audit chain broken at entry #{problem.entry_id}: {problem.reason}")
        count = AuditEntry.objects.count()
        if options["anchors"] is not None:
            try:
                published = anchors.load(options["anchors"])
            except anchors.AnchorSourceError as exc:
                raise CommandError(str(exc)) from exc
            problems = anchors.check(published)
            if problems:
                raise CommandError("审计链与已公布的锚点不符 / audit chain contradicts the published anchors:\n"
                                   + "\n".join(problems))
            self.stdout.write(f"{len(published)} anchors agree / 与 {len(published)} 个锚点一致")
        self.stdout.write(self.style.SUCCESS(f"OK: {count} entries, chain intact / 审计链完整"))
