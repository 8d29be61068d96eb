"""Benchmark: the set-based risk scan vs. a per-project Python loop, on PostgreSQL.

    python bench/risk_scan.py [--agencies 100000] [--postings 200000] [--registrations 1000000]
                              [--sample 2000] [--db zjcs_bench_risk] [--keep]

Creates (drops first) a dedicated database, migrates it, generates owners, agencies, postings (draws,
lowest-price, composite and direct picks over 400 days), registrations with quotes, confirmed awards
and service jobs with one INSERT ... SELECT each (generate_series, server side), with a few planted
patterns (shared phones, identical quotes, a favourite agency, split direct picks). Then measures:
  1. `oversight.scan.run_scan` (every indicator, flags stored with their audit entries);
  2. the same scan again (a steady night: flags refreshed, nothing new), then each indicator alone;
  3. a per-project Python loop (registrations and agencies loaded per posting through the ORM, the
     posting-level checks done in Python) on a sample, extrapolated to every posting.
Memory is the process's peak resident set (ru_maxrss) and the Python heap peak (tracemalloc).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.credit_recompute import fill_defaults, rss_mb, setup  # noqa: E402


def _insert(cur, table: str, columns: dict[str, str], source: str) -> None:
    """INSERT ... SELECT (no parameters: the SQL uses % as the modulo operator)."""
    cols = fill_defaults(cur, table, columns)
    cur.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols.values())} {source}")


def generate(n_agencies: int, n_postings: int, n_registrations: int, as_of: dt.date) -> None:
    from django.db import connection

    direct = n_postings * 3 // 20  # one posting in twenty ... three of them direct picks (one registration)
    per = max(2, -(-(n_registrations - direct) // (n_postings - direct)))
    end = f"TIMESTAMPTZ '{as_of.isoformat()} 17:00+08'"
    with connection.cursor() as cur:
        cur.execute("SELECT array_agg(code ORDER BY code) FROM marketplace_servicetype")
        codes = cur.fetchone()[0]
        codes_sql = "ARRAY[" + ",".join(f"'{c}'" for c in codes) + "]"
        _insert(cur, "marketplace_organisation", {"kind": "'owner'", "name": "'bench-owner-' || g",
                                                  "region_id": "'330482'", "created_at": "now()"},
                f"FROM generate_series(1, {max(50, n_agencies // 50)}) g")
        _insert(cur, "marketplace_organisation", {"kind": "'agency'", "name": "'bench-agency-' || g",
                                                  "region_id": "'330482'", "created_at": "now()"},
                f"FROM generate_series(1, {n_agencies}) g")
        # One agency in 500 shares its phone with the agency before it (planted shared_person).
        _insert(cur, "agencies_agency", {
            "organisation_id": "o.id", "name": "o.name", "uscc": "'B' || lpad(o.id::text, 17, '0')",
            "region_id": "'330482'", "status": "'admitted'", "credit_score": "100", "credit_grade": "'A'",
            "credit_forced": "false", "rating_count": "0", "created_at": "now()", "updated_at": "now()",
            "legal_rep_id": "'R' || lpad(o.id::text, 17, '0')",
            "contact_phone": "'139' || lpad((CASE WHEN o.id % 500 = 0 THEN o.id - 1 ELSE o.id END)::text, 8, '0')",
            "address": "'嘉兴市南湖区测试路' || o.id || '号'"},
            "FROM marketplace_organisation o WHERE o.kind = 'agency'")
        cur.execute("SELECT min(id), max(id) FROM agencies_agency")
        lo, hi = cur.fetchone()
        cur.execute("SELECT min(id), max(id) FROM marketplace_organisation WHERE kind = 'owner'")
        olo, ohi = cur.fetchone()
        method = ("CASE WHEN g % 20 < 10 THEN 'draw' WHEN g % 20 < 16 THEN 'lowest' WHEN g % 20 < 17 "
                  "THEN 'composite' ELSE 'direct' END")
        _insert(cur, "projects_project", {
            "code": "'BP-' || g", "owner_id": f"{olo} + (g * 7) % {ohi - olo + 1}", "title": "'bench posting ' || g",
            "service_type_id": f"({codes_sql})[1 + (g % {len(codes)})]", "region_id": "'330482'",
            "ceiling": "CASE WHEN g % 20 >= 17 THEN 20000 + (g % 7) * 10000 ELSE 50000 + (g % 50) * 5000 END",
            "funding": "'fiscal'", "method": method, "status": "'completed'",
            "closed_at": f"{end} - ((g % 400) || ' days')::interval",
            "published_at": f"{end} - ((g % 400 + 7) || ' days')::interval",
            "selected_at": f"{end} - ((g % 400) || ' days')::interval + interval '1 hour'",
            "window_wd": "3 + g % 5", "urgent": "false", "requested_limit_wd": "20", "round_no": "1",
            "offer_index": "0", "qual_mode": "'all'", "selection_order": "'[]'::jsonb",
            "created_at": "now()", "updated_at": "now()"},
            f"FROM generate_series(1, {n_postings}) g")
        n = hi - lo + 1
        _insert(cur, "projects_registration", {
            "project_id": "p.id", "agency_id": f"{lo} + ((p.id * 7919 + k * 4729) % {n})",
            "registered_at": "p.closed_at - interval '2 days'",
            "quote": "CASE WHEN p.method IN ('lowest', 'composite') THEN "
                     "round(p.ceiling * (0.72 + ((p.id * 31 + k * 17) % 97) / 400.0), -2) END",
            "offer": "''", "justification": "''"},
            f"FROM projects_project p CROSS JOIN generate_series(1, {per}) k "
            "WHERE p.method <> 'direct' OR k = 1")
        # Planted: one priced posting in 1,000 has all quotes equal; in one posting in 2,000 the second
        # registrant uses the first one's phone.
        cur.execute("""UPDATE projects_registration r SET quote = p.ceiling * 0.9 FROM projects_project p
                       WHERE r.project_id = p.id AND p.method = 'lowest' AND p.id % 1000 = 10""")
        cur.execute("""UPDATE agencies_agency a SET contact_phone = first.contact_phone FROM (
                         SELECT r.project_id, min(r.agency_id) AS a1, max(r.agency_id) AS a2
                         FROM projects_registration r JOIN projects_project p ON p.id = r.project_id
                         WHERE p.id % 2000 = 1 GROUP BY r.project_id) pair
                       JOIN agencies_agency first ON first.id = pair.a1
                       WHERE a.id = pair.a2""")
        # The first registration of each posting is selected and confirmed (one favourite agency wins
        # every award of the first owner).
        cur.execute("""UPDATE projects_project p SET selected_id = r.id FROM (
                         SELECT DISTINCT ON (project_id) id, project_id FROM projects_registration
                         ORDER BY project_id, id) r WHERE r.project_id = p.id""")
        cur.execute(f"""UPDATE projects_registration r SET agency_id = {lo}
                        FROM projects_project p WHERE p.selected_id = r.id AND p.owner_id = {olo}
                        AND NOT EXISTS (SELECT 1 FROM projects_registration x WHERE x.project_id = p.id
                                        AND x.agency_id = {lo})""")
        cur.execute("""UPDATE projects_registration r SET offer = 'confirmed',
                         offer_answered_at = p.closed_at + interval '1 day'
                       FROM projects_project p WHERE p.selected_id = r.id""")
        cur.execute("UPDATE projects_project p SET awarded_price = r.quote FROM projects_registration r "
                    "WHERE p.selected_id = r.id")
        _insert(cur, "projects_servicejob", {
            "project_id": "p.id", "agency_id": "r.agency_id", "limit_wd": "20",
            "contract_signed_on": "(p.closed_at + interval '10 days')::date",
            "materials_complete_on": "(p.closed_at + ((10 + p.id % 9) || ' days')::interval)::date",
            "status": "'running'", "policy_version": "1", "created_at": "now()", "updated_at": "now()"},
            "FROM projects_project p JOIN projects_registration r ON r.id = p.selected_id WHERE p.id % 4 = 0 "
            f"AND p.closed_at < {end} - interval '15 days'")
        cur.execute("ANALYZE")


def reuse(db: str, base_url: str) -> None:
    os.environ["DATABASE_URL"] = f"{base_url}/{db}"
    os.environ.pop("DEBUG", None)
    os.environ.setdefault("SECRET_KEY", "bench-only-" + os.urandom(24).hex())
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    import django

    django.setup()
    from oversight.models import RiskFlag

    RiskFlag.objects.all().delete()  # the first scan below starts from no flags, as on a fresh run


def measure(label, fn):
    tracemalloc.start()
    t0 = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - t0
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label}: {seconds:.2f} s, Python heap peak {peak / 2**20:.1f} MiB, max RSS so far {rss_mb():.0f} MiB",
          flush=True)
    return result, seconds


def per_indicator(as_of, policy) -> str:
    """Each indicator timed alone, in one transaction tuned as the scan's (where the time goes)."""
    from django.db import transaction

    from oversight.findings import Window
    from oversight.indicators import INDICATORS
    from oversight.scan import tune_session

    window, out = Window(as_of=as_of, policy=policy), []
    with transaction.atomic():
        tune_session()
        for kind, indicator in INDICATORS.items():
            t0 = time.perf_counter()
            indicator(window)
            out.append(f"{kind} {time.perf_counter() - t0:.2f} s")
    return ", ".join(out)


def python_loop(project_ids, policy) -> Counter:
    """The naive way: per posting, load its registrations and agencies and check the posting-level rules."""
    from oversight.rules import within_pct
    from projects.models import Project

    found = Counter()
    for pk in project_ids:
        project = Project.objects.get(pk=pk)
        regs = list(project.registrations.select_related("agency"))
        seen: dict = {}
        for r in regs:
            for value in (r.agency.legal_rep_id, r.agency.contact_phone, r.agency.address):
                if value and value in seen and seen[value] != r.agency_id:
                    found["shared_person"] += 1
                seen.setdefault(value, r.agency_id)
        quotes = [r.quote for r in regs if r.quote is not None]
        if len(quotes) != len(set(quotes)):
            found["identical_quotes"] += 1
        winner = next((r for r in regs if r.pk == project.selected_id), None)
        if winner and winner.quote is not None:
            gaps = [abs(q - winner.quote) for q in quotes if q != winner.quote]
            if gaps and within_pct(winner.quote, winner.quote + min(gaps), policy["risk_close_quote_pct"]):
                found["close_quotes"] += 1
            if winner.quote < project.ceiling * policy["risk_discount_ratio"]:
                found["discounted_bid"] += 1
        if project.method != "direct" and len(regs) == 1 and winner:
            found["single_bidder"] += 1
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agencies", type=int, default=100_000)
    parser.add_argument("--postings", type=int, default=200_000)
    parser.add_argument("--registrations", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--db", default="zjcs_bench_risk")
    parser.add_argument("--base-url", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--as-of", default="2026-06-30")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="scan the database kept by an earlier --keep run")
    args = parser.parse_args()
    as_of = dt.date.fromisoformat(args.as_of)

    t0 = time.perf_counter()
    if args.reuse:
        reuse(args.db, args.base_url)
    else:
        setup(args.db, args.base_url)
        print(f"database {args.db} migrated in {time.perf_counter() - t0:.1f} s", flush=True)
        t0 = time.perf_counter()
        generate(args.agencies, args.postings, args.registrations, as_of)
    from agencies.models import Agency
    from projects.models import Project, Registration

    print(f"{'reused' if args.reuse else 'generated'} {Agency.objects.count():,} agencies, {Project.objects.count():,} postings and "
          f"{Registration.objects.count():,} registrations in {time.perf_counter() - t0:.1f} s", flush=True)

    from marketplace.policy import current_policy
    from oversight.scan import run_scan

    policy = current_policy()
    result, t_scan = measure("set-based scan, every indicator (flags and audit entries stored)",
                             lambda: run_scan(as_of=as_of, policy=policy))
    print(f"  {len(result.findings):,} flags: {dict(Counter(f.kind for f in result.findings))}", flush=True)
    again, t_again = measure("set-based scan again (steady night: flags refreshed, none new)",
                             lambda: run_scan(as_of=as_of, policy=policy))
    print(f"  {again.new} new", flush=True)
    print("  per indicator (same session settings as the scan): " + per_indicator(as_of, policy), flush=True)
    ids = list(Project.objects.order_by("?").values_list("id", flat=True)[:args.sample])
    found, t_loop = measure(f"per-project Python loop on a sample of {len(ids):,} postings (posting-level checks only)",
                            lambda: python_loop(ids, policy))
    projected = t_loop / len(ids) * Project.objects.count()
    print(f"  found {dict(found)}; {t_loop / len(ids) * 1000:.2f} ms per posting → projected {projected:.0f} s for "
          f"{Project.objects.count():,} postings; the set-based scan (all eleven indicators) is "
          f"{projected / t_scan:.1f}× faster", flush=True)
    print(f"peak RSS of the run: {rss_mb():.0f} MiB", flush=True)
    if not (args.keep or args.reuse):
        from django.db import connections

        connections.close_all()
        import psycopg

        with psycopg.connect(f"{args.base_url}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.db}"')


if __name__ == "__main__":
    main()
