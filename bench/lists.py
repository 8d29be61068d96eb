"""Benchmark: the public directory and the agency list API at 60 agencies and at a large register.

    python bench/lists.py [--agencies 100000] [--requests 200] [--db zjcs_bench_lists]

Creates (drops first) a scratch PostgreSQL database, generates agencies with SQL (random grades and
scores, one to three services each), and times in process (django.test.Client, page cache off so the
view itself is measured) `/agencies/`, `/api/agencies?service_type=ZR01&page=2` (offset pages, kept
for compatibility) and the same page by cursor, at 60 admitted agencies and at `--agencies`; then at
the large size again without the perf_* indexes and with the count recomputed on every request (the
pre-change behaviour), for a before/after in the same run. Results: bench/lists_results.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(db: str, base_url: str, reuse: bool) -> None:
    import psycopg

    if not reuse:
        with psycopg.connect(f"{base_url}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}"')
            conn.execute(f'CREATE DATABASE "{db}"')
    os.environ.update({"DATABASE_URL": f"{base_url}/{db}", "PAGE_CACHE_SECONDS": "0"})
    os.environ.pop("DEBUG", None)
    os.environ.setdefault("SECRET_KEY", "bench-only-" + os.urandom(24).hex())
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    from bench._common import collect_static

    collect_static()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def grow(total: int) -> None:
    """Add admitted agencies (and their services) up to `total`."""
    from django.db import connection

    from bench.credit_recompute import fill_defaults

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM agencies_agency")
        have = cur.fetchone()[0]
        if have >= total:
            return
        org = fill_defaults(cur, "marketplace_organisation", {
            "kind": "'agency'", "name": "'嘉兴第' || g || '号测绘有限公司'", "region_id": "'330482'",
            "created_at": "now()"})
        cur.execute(f"INSERT INTO marketplace_organisation ({', '.join(org)}) "
                    f"SELECT {', '.join(org.values())} FROM generate_series(%s, %s) g", [have + 1, total])
        agency = fill_defaults(cur, "agencies_agency", {
            "organisation_id": "o.id", "name": "o.name", "uscc": "'B' || lpad(o.id::text, 17, '0')",
            "region_id": "'330482'", "status": "'admitted'", "credit_score": "60 + (random() * 40)::int",
            "credit_grade": "(ARRAY['A','A','A','B','B','C','D'])[1 + floor(random() * 7)::int]",
            "credit_forced": "false", "rating_count": "0", "created_at": "now()", "updated_at": "now()"})
        cur.execute(f"INSERT INTO agencies_agency ({', '.join(agency)}) SELECT {', '.join(agency.values())} "
                    "FROM marketplace_organisation o WHERE o.kind = 'agency' AND NOT EXISTS "
                    "(SELECT 1 FROM agencies_agency a WHERE a.organisation_id = o.id)")
        service = fill_defaults(cur, "agencies_agencyservice", {
            "agency_id": "a.id", "service_type_id": "s.code", "fee_basis": "'negotiated'", "time_limit_wd": "20"})
        cur.execute(f"INSERT INTO agencies_agencyservice ({', '.join(service)}) SELECT {', '.join(service.values())} "
                    "FROM agencies_agency a JOIN (VALUES (0, 'ZR01'), (1, 'HB01'), (2, 'FG01'), (3, 'JS01')) "
                    "s(k, code) ON (a.id + s.k) % 4 < 2 WHERE NOT EXISTS "
                    "(SELECT 1 FROM agencies_agencyservice x WHERE x.agency_id = a.id)")
        cur.execute("ANALYZE agencies_agency; ANALYZE agencies_agencyservice; ANALYZE marketplace_organisation")


def timings(client, path: str, n: int, *, fresh_count: bool) -> list[float]:
    from django.core.cache import cache

    out = []
    for _ in range(n):
        if fresh_count:
            cache.clear()
        t0 = time.perf_counter()
        response = client.get(path)
        out.append(time.perf_counter() - t0)
        assert response.status_code == 200, (path, response.status_code)
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] * 1000


def measure(label: str, n: int, *, fresh_count: bool = False) -> dict[str, float]:
    from django.test import Client

    client = Client()
    first = client.get("/api/agencies", {"service_type": "ZR01"}).json()
    paths = {"/agencies/": "/agencies/", "/api/agencies page=2": "/api/agencies?service_type=ZR01&page=2"}
    if first.get("next_cursor"):
        paths["/api/agencies cursor"] = f"/api/agencies?service_type=ZR01&cursor={first['next_cursor']}"
    out = {}
    for name, path in paths.items():
        timings(client, path, 5, fresh_count=fresh_count)  # warm
        out[name] = p95(timings(client, path, n, fresh_count=fresh_count))
    print(f"{label}: " + ", ".join(f"{k} p95 {v:.1f} ms" for k, v in out.items()), flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agencies", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--db", default="zjcs_bench_lists")
    parser.add_argument("--base-url", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run (start from it)")
    args = parser.parse_args()
    setup(args.db, args.base_url, args.reuse)
    from bench._common import load_note

    print(f"in-process, page cache off; {load_note()}", flush=True)
    if args.reuse:
        from django.db import connection

        with connection.cursor() as cur:  # back to the first 60 agencies (the perf_* indexes are recreated)
            cur.execute("DELETE FROM agencies_agencyservice WHERE agency_id > (SELECT min(id) + 59 FROM agencies_agency);"
                        "DELETE FROM agencies_agency WHERE id > (SELECT min(id) + 59 FROM agencies_agency);"
                        "DELETE FROM marketplace_organisation o WHERE kind = 'agency' AND NOT EXISTS "
                        "(SELECT 1 FROM agencies_agency a WHERE a.organisation_id = o.id)")
        from django.core.management import call_command

        call_command("migrate", "agencies", "0004", verbosity=0)
        call_command("migrate", verbosity=0)
    grow(60)
    small = measure("60 agencies", args.requests)
    t0 = time.perf_counter()
    grow(args.agencies)
    print(f"grew to {args.agencies:,} agencies in {time.perf_counter() - t0:.1f} s", flush=True)
    large = measure(f"{args.agencies:,} agencies", args.requests)
    for name in small:
        print(f"  {name}: {large[name] / small[name]:.2f}× the 60-agency p95 (target ≤ 1.5×)")
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("DROP INDEX perf_agency_directory; DROP INDEX perf_agencyservice_type; ANALYZE agencies_agency")
    before = measure(f"BEFORE (no perf_* indexes, count on every request) at {args.agencies:,}", args.requests,
                     fresh_count=True)
    for name in small:
        if name in before:
            print(f"  {name}: before {before[name]:.1f} ms → after {large[name]:.1f} ms")


if __name__ == "__main__":
    main()
