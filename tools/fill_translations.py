#!/usr/bin/env python3
"""Fill msgstr in locale/en/LC_MESSAGES/django.po from locale/translations_en.tsv (msgid<TAB>English).

Workflow: `manage.py makemessages -l en` (needs GNU gettext, dev machines only), add lines to the TSV,
run this, commit the .po. `manage.py compile_translations` (Babel) builds the .mo at setup.
"""

import re
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/en/LC_MESSAGES/django.po"
TSV = ROOT / "locale/translations_en.tsv"

# A "中文 / English" msgid (the house form of refusals and a few labels) needs no TSV line: its English
# side is the msgstr.
BILINGUAL = re.compile(r"^(?P<zh>.*[\u3400-\u9fff\uff00-\uffef].*?)\s*/\s+(?P<en>[A-Za-z0-9\"'(][^\u3400-\u9fff]*)$", re.S)

table = dict(line.split("\t", 1) for line in TSV.read_text(encoding="utf-8").splitlines() if "\t" in line)
with PO.open("rb") as fh:
    catalog = read_po(fh)
filled = 0
for message in catalog:
    key = message.id if isinstance(message.id, str) else message.id[0]
    if message.context:  # a msgctxt entry is written "context::msgid" in the TSV
        key = f"{message.context}::{key}"
    english = table.get(key)
    if english is None and isinstance(message.id, str) and (m := BILINGUAL.match(message.id)):
        english = m["en"].strip()
    if key and english and (not any(message.string) or "fuzzy" in message.flags):
        # a plural entry is written "singular||plural" in the TSV
        message.string = tuple(english.split("||")) if isinstance(message.id, tuple) else english
        message.flags.discard("fuzzy")
        filled += 1
with PO.open("wb") as fh:
    write_po(fh, catalog, width=0)
print(f"filled {filled}; untranslated {sum(1 for m in catalog if m.id and not m.string)}")
