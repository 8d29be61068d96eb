"""Benchmark: the daily OCDS bulk files (releases and records as gzip JSON Lines, plus the flat CSV) on the
100,000-agency benchmark data, on PostgreSQL.

    python bench/ocds_bulk.py [--agencies 100000] [--projects 20000] [--db zjcs_bench_ocds] [--keep]

Creates (drops first) a dedicated database, migrates it, generates the agencies as bench/credit_recompute.py
does (no ledger), then `--projects` completed postings, one service job each, and their public history in the
audit log: ten entries per posting (published, registration closed, result published, publicity ended,
contract signed and uploaded, service started, materials complete, deliverable submitted and accepted),
inserted with SQL (the chain's hashes are made up: the bulk files do not walk the chain). Then it times
`opendata.bulk.generate` and reports the files' sizes, and validates a sample of records against OCDS 1.1.5.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.credit_recompute import fill_defaults, rss_mb, setup  # noqa: E402
from bench.credit_recompute import generate as generate_agencies  # noqa: E402

STEPS = [  # (action, object: project or job, payload SQL, minutes after publication)
    ("projects.published", "p", "jsonb_build_object('code', p.code, 'method', 'draw', 'deadline', "
                                "to_char(p.registration_deadline, 'YYYY-MM-DD\"T\"HH24:MI:SSOF'))", 0),
    ("projects.registration_closed", "p", "jsonb_build_object('closed_at', 'x', 'registrations', 5)", 4320),
    ("projects.result_published", "p", "jsonb_build_object('code', p.code, 'agency', a.id, 'uscc', a.uscc, "
                                       "'price', p.awarded_price::text)", 5760),
    ("projects.publicity_ended", "p", "jsonb_build_object('code', p.code, 'contract_due_on', '2026-01-01')", 10080),
    ("projects.contract_signed", "p", "jsonb_build_object('agency', a.id, 'signed_on', "
                                      "to_char(j.contract_signed_on, 'YYYY-MM-DD'), 'late', false)", 11520),
    ("projects.contract_uploaded", "p", "jsonb_build_object('agency', a.id, 'signed_on', "
                                        "to_char(j.contract_signed_on, 'YYYY-MM-DD'))", 11530),
    ("projects.service_started", "j", "jsonb_build_object('project', p.id, 'agency', a.id, 'job', j.id, "
                                      "'limit_wd', 10, 'contract_signed_on', to_char(j.contract_signed_on, "
                                      "'YYYY-MM-DD'), 'policy_version', 1)", 11531),
    ("projects.materials_complete", "j", "jsonb_build_object('project', p.id, 'agency', a.id, 'job', j.id, "
                                         "'materials_complete_on', to_char(j.contract_signed_on, 'YYYY-MM-DD'), "
                                         "'started_on', to_char(j.contract_signed_on, 'YYYY-MM-DD'))", 11540),
    ("projects.deliverable_submitted", "j", "jsonb_build_object('project', p.id, 'agency', a.id, 'job', j.id, "
                                            "'deliverable', j.id, 'files', '[]'::jsonb, 'submitted_on', "
                                            "to_char(j.accepted_on - 1, 'YYYY-MM-DD'))", 20000),
    ("projects.deliverable_accepted", "j", "jsonb_build_object('project', p.id, 'agency', a.id, 'job', j.id, "
                                           "'accepted_on', to_char(j.accepted_on, 'YYYY-MM-DD'), 'limit_wd', 10, "
                                           "'used_wd', 9, 'overdue_wd', 0)", 21440),
]


def generate_projects(n: int) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        org = fill_defaults(cur, "marketplace_organisation", {
            "kind": "'owner'", "name": "'业主单位-' || g", "region_id": "'330482'", "created_at": "now()"})
        cur.execute(f"INSERT INTO marketplace_organisation ({', '.join(org)}) "
                    f"SELECT {', '.join(org.values())} FROM generate_series(1, 200) g")
        cur.execute("SELECT min(id), max(id) FROM marketplace_organisation WHERE kind = 'owner'")
        olo, ohi = cur.fetchone()
        cur.execute("SELECT min(id), max(id) FROM agencies_agency")
        alo, ahi = cur.fetchone()
        project = fill_defaults(cur, "projects_project", {
            "code": "'BN-2025-' || lpad(g::text, 6, '0')", "owner_id": f"{olo} + g %% {ohi - olo + 1}",
            "title": "'平湖市某道路工程地形测绘 ' || g", "service_type_id": "'ZR01'", "region_id": "'330482'",
            "scope": "'1:500 地形图测绘约 2 平方公里'", "ceiling": "100000", "awarded_price": "80000 + g %% 1000",
            "funding": "'fiscal'", "method": "'draw'", "status": "'completed'", "round_no": "1",
            "published_at": "TIMESTAMPTZ '2025-01-06 09:00+08' + (g %% 300) * interval '1 day'",
            "registration_deadline": "TIMESTAMPTZ '2025-01-09 17:00+08' + (g %% 300) * interval '1 day'",
            "requested_limit_wd": "10", "selection_order": "'[]'::jsonb", "created_at": "now()", "updated_at": "now()",
            "draw_commitment": "md5(g::text) || md5(g::text)", "investment_code": "'2025-330482-48-01-' || lpad(g::text, 6, '0')"})
        cur.execute(f"INSERT INTO projects_project ({', '.join(project)}) SELECT {', '.join(project.values())} "
                    "FROM generate_series(1, %s) g", [n])
        job = fill_defaults(cur, "projects_servicejob", {
            "project_id": "p.id", "agency_id": f"{alo} + (p.id * 7919) % {ahi - alo + 1}", "limit_wd": "10",
            "contract_signed_on": "(p.published_at + interval '10 days')::date", "status": "'accepted'",
            "accepted_on": "(p.published_at + interval '25 days')::date", "policy_version": "1",
            "created_at": "now()", "updated_at": "now()"})
        cur.execute(f"INSERT INTO projects_servicejob ({', '.join(job)}) SELECT {', '.join(job.values())} "
                    "FROM projects_project p WHERE p.code LIKE 'BN-%%'")
        for i, (action, obj, payload, minutes) in enumerate(STEPS):
            otype, oid = ("projects.project", "p.id") if obj == "p" else ("projects.servicejob", "j.id")
            cur.execute(f"""
                INSERT INTO marketplace_auditentry (created_at, actor_repr, action, object_type, object_id, data,
                                                    reason, prev_hash, hash)
                SELECT p.published_at + interval '{minutes} minutes', 'bench', '{action}', '{otype}',
                       {oid}::text, {payload}, '', '', encode(sha256(('{i}-' || p.id)::bytea), 'hex')
                FROM projects_project p JOIN projects_servicejob j ON j.project_id = p.id
                JOIN agencies_agency a ON a.id = j.agency_id
                WHERE p.code LIKE 'BN-%%' ORDER BY p.published_at, p.id""")
        cur.execute("ANALYZE marketplace_auditentry; ANALYZE projects_project; ANALYZE projects_servicejob;")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agencies", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--db", default="zjcs_bench_ocds")
    parser.add_argument("--base-url", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    t0 = time.perf_counter()
    setup(args.db, args.base_url)
    print(f"database {args.db} migrated in {time.perf_counter() - t0:.1f} s", flush=True)
    t0 = time.perf_counter()
    generate_agencies(args.agencies, 0, dt.date(2026, 6, 30))
    generate_projects(args.projects)
    print(f"generated {args.agencies:,} agencies, {args.projects:,} postings, {args.projects * len(STEPS):,} "
          f"audit entries in {time.perf_counter() - t0:.1f} s", flush=True)

    import tempfile

    from django.conf import settings
    from django.utils import timezone

    from opendata import bulk, packages, releases
    from opendata.validation import package_errors
    from projects.models import Project

    settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="ocds-bench-"))
    # Timed without tracemalloc (it slows this pure-Python work several times over); memory is the RSS.
    rss0, t0, cpu0 = rss_mb(), time.perf_counter(), time.process_time()
    manifest = bulk.generate(now=timezone.localtime())
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    print(f"bulk files (releases, records, CSV): {seconds:.1f} s wall, {cpu:.1f} s CPU of this process "
          f"(the rest is PostgreSQL and waiting for a core), max RSS {rss_mb():.0f} MiB (+{rss_mb() - rss0:.0f})",
          flush=True)
    print(f"  {manifest['releases']:,} releases, {manifest['records']:,} records; "
          f"{manifest['releases'] / seconds:,.0f} releases/s", flush=True)
    for name, info in manifest["files"].items():
        print(f"  {name}: {info['bytes'] / 2**20:.1f} MiB", flush=True)
    sample = list(Project.objects.order_by("?")[:200])
    errors = package_errors(packages.record_package(releases.records_for(sample), uri="bench"), "record")
    print(f"validated a record package of {len(sample)} sampled postings: {len(errors)} errors", flush=True)

    if not args.keep:
        from django.db import connections

        connections.close_all()
        import psycopg

        with psycopg.connect(f"{args.base_url}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.db}"')


if __name__ == "__main__":
    main()
