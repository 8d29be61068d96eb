"""Benchmark: generate a 13,260-row agency register (.xlsx) with some bad rows, import it, report
time and peak memory.

    DEBUG=1 python bench/import_agencies.py [--rows 13260] [--bad-every 97] [--admit] [--keep FILE]

Runs against the configured database (use a scratch database: it writes the agencies). Peak memory
is the process's max RSS (resource.getrusage) and the Python-level peak from tracemalloc.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=13_260)
    parser.add_argument("--bad-every", type=int, default=97)
    parser.add_argument("--admit", action="store_true")
    parser.add_argument("--keep", help="keep the generated xlsx at this path")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from agencies.importer import import_agencies

    call_command("migrate", verbosity=0)
    path = Path(args.keep) if args.keep else Path(tempfile.mkdtemp()) / "register.xlsx"
    t0 = time.perf_counter()
    bad = write_xlsx(path, args.rows, args.bad_every)
    gen_s = time.perf_counter() - t0
    print(f"generated {args.rows} rows ({bad} bad) → {path} ({path.stat().st_size / 1e6:.1f} MB) in {gen_s:.1f}s")

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    report = import_agencies(path, admit=args.admit, progress=sys.stderr.isatty())
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(report.summary())
    print(f"errors reported: {len(report.errors)} in {report.skipped} rows (expected {bad})")
    print(f"import time: {elapsed:.2f} s wall, {cpu:.2f} s CPU ({args.rows / elapsed:.0f} rows/s); process max RSS: {rss_kb / 1024:.1f} MB "
          f"(before import {rss_before / 1024:.1f} MB)")

    t0 = time.perf_counter()
    again = import_agencies(path, progress=False)
    print(f"re-import, unchanged (updates by USCC): {time.perf_counter() - t0:.2f} s — {again.summary()}")

    # Python-level peak allocation, measured on a dry run (tracemalloc slows the run, so it is timed apart).
    tracemalloc.start()
    import_agencies(path, dry_run=True, progress=False)
    _, py_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"python peak allocation during a dry run (tracemalloc): {py_peak / 1e6:.1f} MB")
    return 0 if report.skipped == bad else 1


if __name__ == "__main__":
    raise SystemExit(main())
