"""Check that every agency row shows what its ledger and ratings give: the stored score, grade, forced
flag, rating count and rating mean against the projection computed from source
(`ratings.recompute.projections`, the same computation the services store). Exit status 1 on any mismatch."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from marketplace import workdays
from marketplace.policy import current_policy
from ratings.recompute import STORED_FIELDS, projections


class Command(BaseCommand):
    help = "Recompute every agency's credit and rating summary from source and compare with the stored values."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today in Asia/Shanghai)")

    def handle(self, *args, **options):
        try:
            as_of = dt.date.fromisoformat(options["as_of"]) if options.get("as_of") else workdays.today()
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD / --as-of must be YYYY-MM-DD") from None
        started = time.monotonic()
        policy = current_policy()
        computed = projections(as_of=as_of, policy=policy)
        mismatches = checked = 0
        rows = Agency.objects.order_by("pk").values_list("pk", "uscc", *STORED_FIELDS).iterator(chunk_size=5000)
        for pk, uscc, *stored in rows:
            if pk not in computed:
                continue  # created since the projection was read
            checked += 1
            expected = computed[pk].stored()
            for field, value in zip(STORED_FIELDS, stored, strict=True):
                if value != expected[field]:
                    mismatches += 1
                    self.stdout.write(f"{uscc}\t{field}\tstored={value}\tcomputed={expected[field]}")
        seconds = time.monotonic() - started
        if mismatches:
            raise CommandError(f"{mismatches} 处不一致（{checked} 家机构，计算日 {as_of}） / {mismatches} mismatches "
                               f"in {checked} agencies at {as_of}", returncode=1)
        self.stdout.write(f"OK: {checked} agencies (as_of={as_of}, policy v{policy.version}, {seconds:.2f} s)")
