"""`manage.py risk_scan [--as-of DATE] [--json] [--dry-run]`: run the risk scan (docs/rules.md "Risk indicators")."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from oversight import scan


class Command(BaseCommand):
    help = "Run the risk indicators and store the flags / 运行风险监测并保存风险线索"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="scan as of this date (YYYY-MM-DD); default today")
        parser.add_argument("--json", action="store_true", help="one JSON object per flag per line")
        parser.add_argument("--dry-run", action="store_true", help="find only, store nothing")

    def handle(self, *args, **opts):
        as_of = None
        if opts["as_of"]:
            try:
                as_of = dt.date.fromisoformat(opts["as_of"])
            except ValueError:
                raise CommandError("日期格式应为 YYYY-MM-DD / the date must be YYYY-MM-DD") from None
        if opts["dry_run"]:
            from django.utils import timezone

            findings, new = scan.find(as_of=as_of or timezone.localdate()), None
        else:
            result = scan.run_scan(as_of=as_of)
            findings, new = result.findings, result.new
        if opts["json"]:
            for finding in findings:
                self.stdout.write(json.dumps(finding.as_json(), ensure_ascii=False))
            return
        for finding in findings:
            self.stdout.write(f"[{finding.severity}] {finding.kind} {finding.subject}: {finding.evidence[0]}")
        summary = f"{len(findings)} 条风险线索 / flags" + ("" if new is None else f"，新增 / new: {new}")
        self.stdout.write(summary)
