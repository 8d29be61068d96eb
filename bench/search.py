"""Benchmark: the embedded search backend against a naive `icontains` scan, on SQLite and PostgreSQL.

    DEBUG=1 python bench/search.py                       # 100,000 agencies, 500,000 service listings
    DEBUG=1 python bench/search.py --scale 0.05          # quick run
    DEBUG=1 python bench/search.py --engines sqlite      # one engine

Each engine runs in its own process on a dedicated, freshly created database (SQLite file
--sqlite-path, PostgreSQL database --pg-url; both are dropped and recreated). Data is generated with
bulk inserts, indexed with the same code as `search_index rebuild`, then every query is timed through
`marketplace.search.search_agencies` (hits + facet counts, exactly what the page and API do) and
through a naive scan (`name/description/service name icontains` for every word, first page + count)
in the same process. Embedded and scan runs alternate, so both see the same load. Prints p50/p95 per engine and the
speed-up, the FULL build time (generate + index; a `--reuse` run says it measured none) and peak RSS
since process start. Results: bench/search_results.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    ("测绘", {}), ("环评", {}), ("平湖 造价", {}), ("cehui", {}), ("嘉善 监理", {}), ("资产评估", {}),
    ("华正", {}), ("测会", {}), ("海宁 测绘 有限公司", {}), ("土地估价", {}), ("防雷 检测", {}),
    ("测绘", {"region": "330482"}), ("造价", {"grade": "A"}), ("招标代理", {"region": "330400"}),
    ("zaojia", {}), ("南湖 环境", {}),
]
BRAND_CHARS = "华中宏恒天正博金同瑞永鼎明立汇国新长东致远方建科启信诚达元通安泰源昌盛丰佳德嘉和兴隆广利众合"
SUFFIXES = ["有限公司", "事务所有限公司", "技术有限公司", "股份有限公司", "工程咨询有限公司"]
NAME_WORDS = {"ZR01": "测绘", "HB01": "环境科技", "JS05": "造价咨询", "JS06": "工程监理", "JS04": "招标代理",
              "CZ01": "资产评估", "ZR02": "土地估价", "QX01": "防雷检测", "JS01": "勘察设计"}


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def recreate_database(engine: str, args) -> str:
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(args.sqlite_path + suffix).unlink(missing_ok=True)
        return f"sqlite:///{args.sqlite_path}"
    import psycopg

    base, name = args.pg_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return args.pg_url


def generate(n_agencies: int, listings_per_agency: int, seed: int = 2026) -> None:
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from agencies.models import Agency, AgencyService
    from marketplace.identifiers import make_uscc
    from marketplace.models import Organisation, Region, ServiceType

    rng = random.Random(seed)
    counties = list(Region.objects.filter(parent__isnull=False, parent__parent__isnull=False))
    service_codes = list(ServiceType.objects.values_list("code", flat=True))
    st_names = dict(ServiceType.objects.values_list("code", "name"))
    now = timezone.now()
    batch = 5000
    for start in range(0, n_agencies, batch):
        orgs, agencies, plans = [], [], []
        for i in range(start, min(start + batch, n_agencies)):
            region = counties[i % len(counties)]
            offered = rng.sample(service_codes, listings_per_agency)
            word = NAME_WORDS.get(offered[0], st_names[offered[0]][:4])
            brand = rng.choice(BRAND_CHARS) + rng.choice(BRAND_CHARS)
            name = f"{region.name[:2]}{brand}{word}{rng.choice(SUFFIXES)}"
            uscc = make_uscc(i + 1, region=region.code)
            orgs.append(Organisation(kind="agency", name=name, uscc=uscc, region=region))
            status = "admitted" if i % 20 else rng.choice(["suspended", "removed", "blacklisted", "draft"])
            agencies.append(Agency(name=name, uscc=uscc, region=region, entity_type="企业", status=status,
                                   description="专业从事" + "、".join(st_names[c] for c in offered[:3]) + "等中介服务，"
                                   + rng.choice(["经验丰富", "服务优质", "响应及时", "团队专业"]) + "。",
                                   credit_grade=rng.choice("AAABBBCD"), admitted_at=now))
            plans.append(offered)
        with transaction.atomic():
            orgs = Organisation.objects.bulk_create(orgs)
            for org, agency in zip(orgs, agencies, strict=True):
                agency.organisation = org
            agencies = Agency.objects.bulk_create(agencies)
            services = []
            for agency, offered in zip(agencies, plans, strict=True):
                for code in offered:
                    low = Decimal(rng.choice([3000, 8000, 20000, 45000, 120000, 300000, 1500000]))
                    services.append(AgencyService(agency=agency, service_type_id=code, price_min=low, price_max=low * 2))
            AgencyService.objects.bulk_create(services, batch_size=10000)
        print(f"  generated {min(start + batch, n_agencies)} agencies", file=sys.stderr, flush=True)


def naive(q: str, filters: dict):
    """What one would write without a search index: icontains on every text column, per word."""
    from django.db.models import Q

    from agencies.models import Agency

    qs = Agency.objects.filter(status="admitted")
    for word in q.split():
        qs = qs.filter(Q(name__icontains=word) | Q(description__icontains=word)
                       | Q(services__service_type__name__icontains=word) | Q(region__name__icontains=word))
    if filters.get("region"):
        qs = qs.filter(Q(region_id=filters["region"]) | Q(region__parent_id=filters["region"]))
    if filters.get("grade"):
        qs = qs.filter(credit_grade=filters["grade"])
    qs = qs.distinct()
    page = list(qs.order_by("credit_grade", "-updated_at", "id").values_list("id", flat=True)[:20])
    return page, qs.count()


def timed(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def child(engine: str, args) -> dict:
    if args.reuse:
        url = f"sqlite:///{args.sqlite_path}" if engine == "sqlite" else args.pg_url
    else:
        url = recreate_database(engine, args)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    from agencies.models import Agency
    from bench._common import load_note, peak_rss_mb
    from marketplace.search import AGENCY, get_backend, search_agencies
    from marketplace.search.documents import count_objects, iter_documents

    n_agencies = int(100_000 * args.scale)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    if args.reuse:
        n_agencies = Agency.objects.count()
    else:
        generate(n_agencies, 5)
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    backend = get_backend("database")

    def chunks():
        chunk = []
        for doc in iter_documents(AGENCY, chunk_size=2000):
            chunk.append(doc)
            if len(chunk) == 2000:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    indexed = count_objects(AGENCY) if args.reuse else backend.rebuild(AGENCY, chunks())
    t_index = time.perf_counter() - t0
    from agencies.models import AgencyService

    listings = AgencyService.objects.count()
    if engine == "postgresql":
        with connection.cursor() as c:
            c.execute("VACUUM ANALYZE")
    # What a worker pays once at start (and every Snapshot.FULL_RELOAD seconds): loading the
    # in-memory ranking and facet columns.
    from marketplace.search.backends import database

    database._snapshot = database.Snapshot()
    if args.cold:
        database._snapshot.terms.MAX_IDS = 0
    t0 = time.perf_counter()
    columns = database._snapshot.ensure()
    t_snapshot = time.perf_counter() - t0
    rows = []
    all_embedded, all_naive = [], []
    for q, filters in QUERIES:
        result = search_agencies(q, filters)  # warm caches
        naive(q, filters)
        # Embedded and scan runs alternate (one scan after every fourth search), so both see the same
        # machine load; the scan is slow, hence fewer of its runs.
        emb, nav = [], []
        for i in range(args.repeats):
            emb += timed(lambda q=q, f=filters: search_agencies(q, f), 1)
            if i % 4 == 3 or (i == args.repeats - 1 and len(nav) < 2):
                nav += timed(lambda q=q, f=filters: naive(q, f), 1)
        all_embedded += emb
        all_naive += nav
        rows.append({"q": q, "filters": filters, "total": result.total, "naive_total": naive(q, filters)[1],
                     "emb_p50": statistics.median(emb), "emb_p95": pct(emb, 95), "naive_p50": statistics.median(nav)})
    return {"engine": engine, "agencies": n_agencies, "admitted_indexed": indexed, "listings": listings,
            "generate_s": round(t_gen, 1), "index_s": round(t_index, 1), "queries": rows,
            "emb_p50": statistics.median(all_embedded), "emb_p95": pct(all_embedded, 95),
            "naive_p50": statistics.median(all_naive), "naive_p95": pct(all_naive, 95),
            "index_rows": count_objects(AGENCY), "snapshot_s": round(t_snapshot, 2),
            "snapshot_mib": round(columns.nbytes / 2 ** 20, 1), "reused": bool(args.reuse),
            "build_s": None if args.reuse else round(t_gen + t_index, 1), "peak_rss_mb": round(peak_rss_mb()),
            "load": load_note(), "term_cache": "off (--cold)" if args.cold else "on"}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 100,000 agencies / 500,000 listings")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--sqlite-path", default="/tmp/zjcs_search_bench.sqlite3")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/zjcs_search_bench")
    parser.add_argument("--reuse", action="store_true", help="reuse the generated and indexed databases")
    parser.add_argument("--cold", action="store_true",
                        help="turn the per-query-text id cache off (every search reads the full-text index)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print("RESULT " + json.dumps(child(args.child, args), ensure_ascii=False, default=str))
        return
    results = []
    for engine in args.engines.split(","):
        cmd = [sys.executable, __file__, "--child", engine, "--scale", str(args.scale), "--repeats", str(args.repeats),
               "--sqlite-path", args.sqlite_path, "--pg-url", args.pg_url] + (["--reuse"] if args.reuse else [])
        cmd += ["--cold"] if args.cold else []
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
        sys.stderr.write(out.stderr[-2000:])
        line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
        results.append(json.loads(line[len("RESULT "):]))
    for r in results:
        build = ("REUSED databases (--reuse): no build measured in this run" if r["reused"] else
                 f"FULL BUILD {r['build_s']} s (generate + migrate {r['generate_s']} s, index {r['index_s']} s)")
        print(f"\n## {r['engine']}: {r['agencies']:,} agencies ({r['index_rows']:,} admitted, indexed), "
              f"{r['listings']:,} service listings; {build}; snapshot load {r['snapshot_s']} s, "
              f"{r['snapshot_mib']} MiB; per-query-text id cache {r['term_cache']}; peak RSS since process start {r['peak_rss_mb']} MB; {r['load']}")
        print("| query | filters | hits | embedded p50 ms | embedded p95 ms | naive p50 ms | speed-up (p50) |")
        print("|---|---|---:|---:|---:|---:|---:|")
        for row in r["queries"]:
            print(f"| {row['q']} | {json.dumps(row['filters'], ensure_ascii=False) if row['filters'] else ''} "
                  f"| {row['total']} (naive {row['naive_total']}) | {row['emb_p50']:.1f} | {row['emb_p95']:.1f} "
                  f"| {row['naive_p50']:.1f} | {row['naive_p50'] / row['emb_p50']:.0f}× |")
    print("\n| engine | embedded p50 ms | embedded p95 ms | naive p50 ms | naive p95 ms | p95 speed-up "
          "| target p95 ≤ 15 ms PostgreSQL, ≤ 10 ms SQLite |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for r in results:
        ok = r["emb_p95"] <= (15 if r["engine"] == "postgresql" else 10)
        print(f"| {r['engine']} | {r['emb_p50']:.1f} | {r['emb_p95']:.1f} | {r['naive_p50']:.1f} | {r['naive_p95']:.1f} "
              f"| {r['naive_p95'] / r['emb_p95']:.0f}× | {'met' if ok else 'NOT met'} |")


if __name__ == "__main__":
    main()
