"""Validate everything the marketplace publishes in OCDS: each page of the release feed and the record
package of every public posting, against OCDS 1.1.5 + our extension + the codelists. Non-zero exit on errors."""

from django.core.management.base import BaseCommand, CommandError

from opendata import packages, releases
from opendata.validation import package_errors
from projects.models import Project

CHUNK = 200


class Command(BaseCommand):
    help = "Validate the OCDS release and record packages (OCDS 1.1.5 schema, extension, codelists)."

    def handle(self, *args, **options):
        validated, count, errors, after = 0, 0, [], 0
        while True:
            batch = list(releases.public_entries().filter(id__gt=after)[:CHUNK * 10])
            if not batch:
                break
            after = batch[-1].pk
            items = releases.build_releases(batch)
            errors += package_errors(packages.release_package(items, uri="ocds_validate"), "release")
            validated, count = validated + 1, count + len(items)
        public = Project.objects.exclude(status=Project.Status.DRAFT).select_related("owner", "service_type")
        records = 0
        for start in range(0, public.count(), CHUNK):
            chunk = list(public.order_by("id")[start:start + CHUNK])
            found = releases.records_for(chunk)
            for record in found:
                errors += package_errors(packages.record_package([record], uri="ocds_validate"), "record")
            validated, records = validated + len(found), records + len(found)
        for error in errors[:50]:
            self.stderr.write(error)
        self.stdout.write(f"{validated} packages validated ({count} releases, {records} records): {len(errors)} errors")
        if errors:
            raise CommandError(f"{len(errors)} OCDS validation errors")
