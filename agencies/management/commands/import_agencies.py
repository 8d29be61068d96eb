from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.importer import ImportRefused, import_agencies


class Command(BaseCommand):
    help = ("导入中介机构名录（.xlsx/.csv，按统一社会信用代码更新）/ import an agency register "
            "(.xlsx/.csv; re-import updates by USCC). Columns: see docs/import.md")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="检查但不写入 / validate only")
        parser.add_argument("--admit", action="store_true", help="导入后直接入驻 / admit imported agencies")
        parser.add_argument("--errors-csv", help="把错误写入 CSV 文件 / write the error list to a CSV file")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, file, dry_run, admit, errors_csv=None, no_progress=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在 / no such file: {file}")
        try:
            report = import_agencies(path, dry_run=dry_run, admit=admit, progress=not no_progress)
        except ImportRefused as exc:
            raise CommandError(str(exc)) from None
        for e in report.errors[:200]:
            self.stderr.write(f"row {e.row} · {e.column} · {e.reason}")
        if len(report.errors) > 200:
            self.stderr.write(f"... {len(report.errors) - 200} more errors")
        if errors_csv:
            Path(errors_csv).write_text(report.errors_csv(), encoding="utf-8")  # the text starts with its BOM
        self.stdout.write(report.summary())
