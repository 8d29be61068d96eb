"""Daily bulk files under MEDIA_ROOT/opendata/: every release and every compiled record as gzip JSON Lines, and
a flat CSV of the compiled releases' main fields for spreadsheets (hand-picked columns, documented in
docs/opendata.md, rather than flatten-tool's full flattening). Files are written beside the old ones and
swapped in with an atomic rename, so a download never sees half a file."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import os
from pathlib import Path

from django.conf import settings

from opendata import releases as source
from projects.models import Project

RELEASES = "releases.jsonl.gz"
RECORDS = "records.jsonl.gz"
CSV_FILE = "contracting-processes.csv"
MANIFEST = "manifest.json"
FILES = (RELEASES, RECORDS, CSV_FILE)
CHUNK = 2000
PROJECT_CHUNK = 500
CSV_COLUMNS = [
    ("ocid", ("ocid",)), ("title", ("tender", "title")), ("buyer", ("buyer", "name")),
    ("investment_project_code", ("planning", "budget", "projectID")),
    ("service_type", ("tender", "items", 0, "classification", "id")),
    ("service_type_name", ("tender", "items", 0, "classification", "description")),
    ("procurement_method", ("tender", "procurementMethod")), ("selection_method", ("tender", "selectionMethod")),
    ("round", ("tender", "round")), ("tender_status", ("tender", "status")),
    ("ceiling_cny", ("tender", "value", "amount")), ("floor_cny", ("tender", "minValue", "amount")),
    ("tender_start", ("tender", "tenderPeriod", "startDate")), ("tender_end", ("tender", "tenderPeriod", "endDate")),
    ("tenderers", ("tender", "numberOfTenderers")),
    ("award_status", ("awards", -1, "status")), ("supplier_uscc", ("awards", -1, "suppliers", 0, "id")),
    ("supplier_name", ("awards", -1, "suppliers", 0, "name")), ("award_value_cny", ("awards", -1, "value", "amount")),
    ("award_date", ("awards", -1, "date")), ("credit_grade_at_award", ("awards", -1, "creditGradeAtAward")),
    ("contract_status", ("contracts", 0, "status")), ("contract_signed", ("contracts", 0, "dateSigned")),
    ("service_end", ("contracts", 0, "period", "endDate")),
    ("working_day_limit", ("contracts", 0, "workingDayLimit")),
    ("used_working_days", ("contracts", 0, "usedWorkingDays")),
    ("overdue_working_days", ("contracts", 0, "overdueWorkingDays")), ("last_release", ("date",)),
]


def directory() -> Path:
    return Path(settings.MEDIA_ROOT) / "opendata"


def _pick(obj, path):
    for step in path:
        try:
            obj = obj[step]
        except (KeyError, IndexError, TypeError):
            return ""
    return "" if obj is None else obj


def csv_row(compiled: dict) -> list:
    row = [_pick(compiled, path) for _name, path in CSV_COLUMNS]
    supplier = row[[name for name, _ in CSV_COLUMNS].index("supplier_uscc")]
    if isinstance(supplier, str) and supplier.startswith("CN-USCC-"):
        row[[name for name, _ in CSV_COLUMNS].index("supplier_uscc")] = supplier.removeprefix("CN-USCC-")
    return row


def _line(obj: dict) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _write_releases(path: Path) -> int:
    count, after = 0, 0
    with gzip.open(path, "wb", compresslevel=6) as out:
        while True:
            batch = list(source.public_entries().filter(id__gt=after)[:CHUNK])
            if not batch:
                return count
            after = batch[-1].pk
            for release in source.build_releases(batch):
                out.write(_line(release))
                count += 1


def _write_records(path: Path, csv_path: Path) -> int:
    count, after = 0, 0
    projects = Project.objects.exclude(status=Project.Status.DRAFT).select_related(
        "owner", "service_type", "previous_round").order_by("id")
    with gzip.open(path, "wb", compresslevel=6) as out, csv_path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([name for name, _path in CSV_COLUMNS])
        while True:
            chunk = list(projects.filter(id__gt=after)[:PROJECT_CHUNK])
            if not chunk:
                return count
            after = chunk[-1].pk
            for record in source.records_for(chunk):
                out.write(_line(record))
                writer.writerow(csv_row(record["compiledRelease"]))
                count += 1


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def generate(*, now: dt.datetime) -> dict:
    """Write the three files and the manifest (counts, sizes, SHA-256, generation time); returns the manifest."""
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    tmp = {name: folder / f".{name}.tmp" for name in FILES}
    releases = _write_releases(tmp[RELEASES])
    records = _write_records(tmp[RECORDS], tmp[CSV_FILE])
    files = {}
    for name, path in tmp.items():
        files[name] = {"bytes": path.stat().st_size, "sha256": _digest(path)}
        os.replace(path, folder / name)
    manifest = {"generated_at": now.isoformat(), "releases": releases, "records": records, "files": files}
    buffer = io.StringIO()
    json.dump(manifest, buffer, ensure_ascii=False, indent=2)
    (folder / MANIFEST).write_text(buffer.getvalue(), encoding="utf-8")
    return manifest


def manifest() -> dict | None:
    path = directory() / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def generated_on(today: dt.date) -> bool:
    """Whether today's files exist already (the daily job then does nothing)."""
    current = manifest()
    if not current:
        return False
    return dt.datetime.fromisoformat(current["generated_at"]).date() == today
