"""Benchmark: generate a 13,260-row agency register (.xlsx) with some bad rows, import it, report
time and peak memory.

    python bench/import_agencies.py [--rows 13260] [--bad-every 97] [--admit] [--keep FILE] [--db NAME]

Creates (drops first) a scratch PostgreSQL database (`--db`, or `--db ''` for DATABASE_URL as is), imports
into it and reports the wall time of the WHOLE import call, after-commit re-indexing included, with the
task backend it ran with; peak RSS since process start (VmHWM; the xlsx is generated in a child process);
and an equal-work baseline: the same import with one re-index per agency (the pre-batching path,
timed on a sample and extrapolated). Results: bench/import_results.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from marketplace.identifiers import make_resident_id, make_uscc  # noqa: E402  (after the path is set)

REGIONS = ["330402", "330411", "330421", "330424", "330481", "330482", "330483"]
SERVICES = ["ZR01", "HB01", "FG01", "FG02", "JS01"]
HEADER = ["name", "uscc", "entity_type", "region_code", "address", "legal_rep_name", "legal_rep_id", "contact_name",
          "contact_phone", "services", "description", "qualification_type", "qualification_level",
          "qualification_number", "qualification_valid_to"]


def uscc(serial: int, region: str, prefix: str = "91") -> str:
    return make_uscc(serial, region, prefix, series="MB")


def resident_id(serial: int, region: str) -> str:
    return make_resident_id(serial, region, birth="19750615")


def rows(n: int, bad_every: int, seed: int = 2026):
    """Yield (row, is_bad). Every `bad_every`-th row is broken in one of several ways."""
    rnd = random.Random(seed)
    for i in range(1, n + 1):
        region = REGIONS[i % len(REGIONS)]
        prefix = "92" if i % 11 == 0 else ("52" if i % 13 == 0 else "91")
        row = [f"嘉兴市第{i}号技术服务有限公司", uscc(i, region, prefix), "", region, f"嘉兴市某路{i}号",
               f"法人{i}", resident_id(i, region), f"联系人{i}", f"0573-8{i:07d}",
               ";".join(rnd.sample(SERVICES, k=1 + i % 3)), "从事工程咨询、测绘等中介服务。",
               "测绘资质" if i % 2 else "", str(1 + i % 3) if i % 2 else "", f"Q{i:06d}" if i % 2 else "",
               f"202{7 + i % 3}-12-31" if i % 2 else ""]
        bad = bad_every and i % bad_every == 0
        if bad:
            kind = (i // bad_every) % 5
            if kind == 0:
                row[1] = row[1][:-1] + ("0" if row[1][-1] != "0" else "1")  # wrong check character
            elif kind == 1:
                row[3] = "999999"  # unknown region
            elif kind == 2:
                row[9] = "XX99"  # unknown service
            elif kind == 3:
                row[0] = "=HYPERLINK(\"http://evil\",\"x\")"  # formula
            else:
                row[6] = row[6][:-1] + ("0" if row[6][-1] != "0" else "1")  # bad ID check digit
        yield row, bool(bad)


def write_xlsx(path: Path, n: int, bad_every: int) -> int:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("名录")
    ws.append(HEADER)
    bad = 0
    for row, is_bad in rows(n, bad_every):
        ws.append(row)
        bad += is_bad
    wb.save(path)
    return bad


def fresh_database(name: str, base_url: str) -> None:
    """Drop and create a scratch PostgreSQL database and point Django at it (an import is measured on
    an empty register, as the first import of a real one)."""
    import psycopg

    with psycopg.connect(f"{base_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = f"{base_url}/{name}"


def per_entity_reindex(ids: list[int]) -> float:
    """The pre-batching path, for comparison: one re-index task per audit entry, i.e. per agency."""
    from marketplace.search import AGENCY, index_objects

    t0 = time.perf_counter()
    for pk in ids:
        index_objects(AGENCY, [pk])
    return time.perf_counter() - t0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=13_260)
    parser.add_argument("--bad-every", type=int, default=97)
    parser.add_argument("--admit", action="store_true")
    parser.add_argument("--keep", help="keep the generated xlsx at this path")
    parser.add_argument("--db", default="zjcs_bench_import",
                        help="scratch PostgreSQL database, dropped and created ('' = use DATABASE_URL as is)")
    parser.add_argument("--base-url", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--sample", type=int, default=300, help="agencies re-indexed one by one for the baseline")
    args = parser.parse_args(argv)

    path = Path(args.keep) if args.keep else Path(tempfile.mkdtemp()) / "register.xlsx"
    t0 = time.perf_counter()
    # Generated in a child process, so this process's peak memory is Django + the import only.
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        bad = pool.apply(write_xlsx, (path, args.rows, args.bad_every))
    gen_s = time.perf_counter() - t0
    print(f"generated {args.rows} rows ({bad} bad) → {path} ({path.stat().st_size / 1e6:.1f} MB) in {gen_s:.1f}s")

    if args.db:
        fresh_database(args.db, args.base_url)
    # Default settings, not DEBUG (Django's debug cursor would keep every query in memory).
    os.environ.pop("DEBUG", None)
    os.environ.setdefault("SECRET_KEY", "bench-only-" + os.urandom(24).hex())
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from agencies.importer import import_agencies
    from agencies.models import Agency
    from bench._common import load_note, peak_rss_mb, rss_mb, task_backend
    from marketplace.search import AGENCY, index_objects

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; task backend: {task_backend()}; "
          f"{load_note()}")
    rss_start = rss_mb()
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    report = import_agencies(path, admit=args.admit, progress=sys.stderr.isatty())
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    print(report.summary())
    print(f"errors reported: {len(report.errors)} in {report.skipped} rows (expected {bad})")
    print(f"IMPORT wall time, whole call incl. after-commit re-index ({task_backend()}): {elapsed:.2f} s "
          f"({cpu:.2f} s CPU, {args.rows / elapsed:.0f} rows/s); peak RSS since process start {peak_rss_mb():.0f} MB "
          f"(RSS before the import {rss_start:.0f} MB)")

    admitted = list(Agency.objects.filter(status="admitted").order_by("pk").values_list("pk", flat=True))
    if admitted:
        t0 = time.perf_counter()
        index_objects(AGENCY, admitted)
        batched = time.perf_counter() - t0
        sample = admitted[:args.sample]
        one_by_one = per_entity_reindex(sample) / len(sample) * len(admitted)
        print(f"re-index of the {len(admitted):,} admitted agencies: batched {batched:.2f} s; one task per agency "
              f"(the pre-batching path, {len(sample)} timed, extrapolated) {one_by_one:.1f} s")
        print(f"equal-work baseline (same import, per-agency re-index): {elapsed - batched + one_by_one:.1f} s → "
              f"batched import is {(elapsed - batched + one_by_one) / elapsed:.1f}× faster")

    t0 = time.perf_counter()
    again = import_agencies(path, progress=False)
    print(f"re-import, unchanged (updates by USCC): {time.perf_counter() - t0:.2f} s — {again.summary()}")

    # Python-level peak allocation, measured on a dry run (tracemalloc slows the run, so it is timed apart).
    tracemalloc.start()
    import_agencies(path, dry_run=True, progress=False)
    _, py_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"python peak allocation during a dry run (tracemalloc): {py_peak / 1e6:.1f} MB; "
          f"peak RSS since process start {peak_rss_mb():.0f} MB")
    return 0 if report.skipped == bad else 1


if __name__ == "__main__":
    raise SystemExit(main())
