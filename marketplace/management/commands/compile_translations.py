"""Compile every locale's django.po to django.mo with Babel (no GNU gettext needed on the server)."""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile .po translation catalogues to .mo (Babel). / 编译翻译文件"

    def handle(self, *args, **options):
        count = 0
        for root in [*map(Path, settings.LOCALE_PATHS), *Path(settings.BASE_DIR).glob("*/locale")]:
            for po in root.glob("*/LC_MESSAGES/*.po"):
                mo = po.with_suffix(".mo")
                if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                    continue
                with po.open("rb") as fh:
                    catalog = read_po(fh)
                with mo.open("wb") as fh:
                    write_mo(fh, catalog)
                count += 1
        self.stdout.write(f"compiled {count} catalogue(s)")
