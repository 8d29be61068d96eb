"""Benchmark: full credit recomputation, set-based SQL vs. a per-agency Python loop, on PostgreSQL.

    python bench/credit_recompute.py [--agencies 100000] [--events 2000000] [--sample 2000]
                                             [--db zjcs_bench] [--keep]

Creates (drops first) a dedicated database, migrates it, generates the agencies and the ledger with
generate_series (one INSERT ... SELECT each), then measures:
  1. `ratings.recompute.recompute_all` on every agency (the production nightly path: one SQL
     aggregate + UPDATE ... FROM, and one chained audit entry per changed agency, bulk-appended);
  2. the same run again (a steady night: nothing changed);
  3. the equal-work per-agency loop (lock, projection, store with its audit entry, after-commit
     re-index of that agency alone, grade note) on a sample reset to the generated state,
     extrapolated to all agencies;
and checks that both paths agree on a sample. Every timed call includes its after-commit work (the
task backend is printed); peak memory is the Python heap (tracemalloc) and the peak RSS since process
start. Results: bench/credit_results.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup(db: str, base_url: str) -> None:
    import psycopg

    with psycopg.connect(f"{base_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}"')
        conn.execute(f'CREATE DATABASE "{db}"')
    os.environ["DATABASE_URL"] = f"{base_url}/{db}"
    # Not DEBUG: Django's debug cursor would keep every query (memory) and mis-handle '%' in raw SQL.
    os.environ.pop("DEBUG", None)
    os.environ.setdefault("SECRET_KEY", "bench-only-" + os.urandom(24).hex())
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill_defaults(cur, table: str, given: dict[str, str]) -> dict[str, str]:
    """Add a neutral value for every NOT NULL column without a database default that we do not set
    (so the generator keeps working when other apps add defaulted fields)."""
    cur.execute("""SELECT column_name, data_type FROM information_schema.columns
                   WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL""", [table])
    out = dict(given)
    for name, dtype in cur.fetchall():
        if name in out or name == "id":
            continue
        if "char" in dtype or dtype == "text":
            out[name] = "''"
        elif dtype in ("integer", "smallint", "bigint", "numeric"):
            out[name] = "0"
        elif dtype == "boolean":
            out[name] = "false"
        elif "timestamp" in dtype:
            out[name] = "now()"
        elif dtype == "date":
            out[name] = "current_date"
        elif dtype == "jsonb":
            out[name] = "'{}'::jsonb"
    return out


def generate(n_agencies: int, n_events: int, as_of: dt.date) -> None:
    from django.db import connection

    codes = (["award_county"] * 12 + ["award_city"] * 8 + ["award_province"] * 4 + ["award_national"] * 1
             + ["eval_basic"] * 30 + ["overdue_minor"] * 15 + ["eval_unsat"] * 10 + ["overdue_major"] * 7
             + ["complaint"] * 5 + ["abandon"] * 3 + ["violation"] * 3 + ["penalty_general"] * 2)
    code_array = "ARRAY[" + ",".join(f"'{c}'" for c in codes) + "]"
    states = "ARRAY['counted','counted','counted','counted','counted','counted','counted','counted'," \
             "'appeal_pending','voided','repaired']"
    with connection.cursor() as cur:
        org = fill_defaults(cur, "marketplace_organisation", {
            "kind": "'agency'", "name": "'bench-' || g", "region_id": "'330482'", "created_at": "now()"})
        cur.execute(f"INSERT INTO marketplace_organisation ({', '.join(org)}) "
                    f"SELECT {', '.join(org.values())} FROM generate_series(1, %s) g", [n_agencies])
        agency = fill_defaults(cur, "agencies_agency", {
            "organisation_id": "o.id", "name": "o.name", "uscc": "'B' || lpad(o.id::text, 17, '0')",
            "region_id": "'330482'", "status": "'admitted'", "credit_score": "100", "credit_grade": "'A'",
            "credit_forced": "false", "rating_count": "0", "created_at": "now()", "updated_at": "now()"})
        cur.execute(f"INSERT INTO agencies_agency ({', '.join(agency)}) SELECT {', '.join(agency.values())} "
                    "FROM marketplace_organisation o WHERE o.kind = 'agency' AND o.name LIKE 'bench-%%'")
        cur.execute("SELECT min(id), max(id) FROM agencies_agency")
        lo, hi = cur.fetchone()
        # Events spread over five years before as_of, so roughly a fifth are inside the 12-month window;
        # fraud is rare (one per ~20,000 events).
        event = fill_defaults(cur, "agencies_creditevent", {
            "agency_id": f"{lo} + (random() * {hi - lo})::int",
            "code": f"CASE WHEN random() < 0.00005 THEN 'fraud' ELSE "
                    f"({code_array})[1 + floor(random() * {len(codes)})::int] END",
            "date": f"DATE '{as_of.isoformat()}' - (random() * 1826)::int",
            "state": f"({states})[1 + floor(random() * 11)::int]",
            "cause_type": "''", "cause_id": "''", "cause": "'bench'", "safety_related": "false",
            "created_at": "now()"})
        cur.execute(f"INSERT INTO agencies_creditevent ({', '.join(event)}) SELECT {', '.join(event.values())} "
                    "FROM generate_series(1, %s) g", [n_events])
        cur.execute("ANALYZE agencies_agency; ANALYZE agencies_creditevent;")


def measure(label, fn):
    """Time `fn()` (no tracemalloc while timing: it slows Python code several-fold)."""
    rss0 = rss_mb()
    t0 = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - t0
    print(f"{label}: {seconds:.2f} s wall; max RSS {rss_mb():.0f} MiB (+{rss_mb() - rss0:.0f})", flush=True)
    return result, seconds, None


def python_loop(agency_ids, as_of, policy):
    """The equal-work per-agency loop: for each agency in its own transaction, lock it, compute its
    projection, store it (one audited `agencies.credit_updated` entry when it changed, whose after-commit
    re-index then runs for that agency alone), refresh its rating summary and note a grade change —
    `ratings.services.recompute_agency` without the sanctions, as `recompute_all(sanctions=False)`."""
    from django.db import transaction

    from agencies import credit
    from agencies.models import Agency
    from ratings.recompute import projection
    from ratings.services import _note_grade

    for pk in agency_ids:
        with transaction.atomic():
            agency = Agency.objects.select_for_update().get(pk=pk)
            result = projection(pk, as_of=as_of, policy=policy)
            previous = agency.credit_grade
            credit.store_credit(agency=agency, score=result.score, grade=result.grade, forced=result.forced,
                                policy_version=policy.version, as_of=as_of)
            credit.store_rating_summary(agency=agency, count=result.rating_count, mean=result.rating_mean)
            _note_grade(agency, previous=previous, result=result, as_of=as_of, policy=policy)


def reset(agency_ids=None) -> None:
    """Back to the generated state (score 100, grade A, never computed), so a run has the same changes."""
    from django.db import connection

    where = f"WHERE id IN ({', '.join(str(int(i)) for i in agency_ids)})" if agency_ids else ""
    with connection.cursor() as cur:
        cur.execute("UPDATE agencies_agency SET credit_score = 100, credit_grade = 'A', credit_forced = false, "
                    f"credit_policy_version = NULL {where}")
        cur.execute(f"DELETE FROM ratings_gradechange {where.replace('WHERE id', 'WHERE agency_id')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agencies", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--db", default="zjcs_bench")
    parser.add_argument("--base-url", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--as-of", default="2026-06-30")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    as_of = dt.date.fromisoformat(args.as_of)

    t0 = time.perf_counter()
    setup(args.db, args.base_url)
    print(f"database {args.db} migrated in {time.perf_counter() - t0:.1f} s", flush=True)
    t0 = time.perf_counter()
    generate(args.agencies, args.events, as_of)
    print(f"generated {args.agencies:,} agencies and {args.events:,} events in {time.perf_counter() - t0:.1f} s",
          flush=True)

    from django.db.models import Count

    from agencies.models import Agency
    from bench._common import load_note, peak_rss_mb, task_backend
    from marketplace import audit
    from marketplace.policy import current_policy
    from ratings import scoring
    from ratings.recompute import recompute_all
    from ratings.selectors import ledger_events

    print(f"task backend: {task_backend()}; {load_note()}", flush=True)
    policy = current_policy()
    changes, t_full, peak_full = measure(
        "FIRST RUN set-based recompute, all agencies (SQL + bulk audit + after-commit batched re-index)",
        lambda: recompute_all(as_of=as_of, policy=policy, sanctions=False))
    grades = dict.fromkeys("ABCD", 0)
    for g, n in Agency.objects.values_list("credit_grade").annotate(n=Count("id")).order_by():
        grades[g] = n
    print(f"  changed {len(changes):,} agencies; grades now {grades}", flush=True)
    again, t_again, _ = measure("STEADY set-based recompute again (nothing changed)",
                                lambda: recompute_all(as_of=as_of, policy=policy, sanctions=False))
    print(f"  changed {len(again):,}", flush=True)

    # The loop's sample: agencies whose first run changed their score but kept grade A. A grade change
    # would make the single-agency path (`store_credit`, which does not know "never computed") publish a
    # CMS grade notice that the set-based first run rightly does not, and the two sides would differ.
    same_grade = [c.agency_id for c in changes if c.grade == "A" and c.score != 100]
    ids = random.Random(7).sample(same_grade, min(args.sample, len(same_grade)))
    reset(ids)  # the loop must find the same changes the first set-based run found
    changed_in_sample = len({c.agency_id for c in changes} & set(ids))
    _none, t_loop, peak_loop = measure(f"EQUAL-WORK per-agency loop (audit + re-index per agency) on a sample of "
                                       f"{len(ids):,} ({changed_in_sample:,} of them change)",
                                       lambda: python_loop(ids, as_of, policy))
    per_agency = t_loop / len(ids)
    projected = per_agency * args.agencies
    print(f"  {per_agency * 1000:.2f} ms per agency → projected {projected:.0f} s for {args.agencies:,} agencies; "
          f"set-based first run is {projected / t_full:.1f}× faster than the equal-work loop", flush=True)
    print(f"peak RSS since process start: {peak_rss_mb():.0f} MB", flush=True)

    rng = random.Random(1)
    check = rng.sample(ids, min(500, len(ids)))
    mismatches = 0
    for a in Agency.objects.filter(pk__in=check):
        r = scoring.score(ledger_events(a.pk), as_of=as_of, policy=policy)
        mismatches += (a.credit_score, a.credit_grade, a.credit_forced) != (r.score, r.grade, r.forced)
    print(f"agreement check on {len(check)} agencies: {mismatches} mismatches", flush=True)
    t0 = time.perf_counter()
    problem = audit.verify_chain()
    print(f"audit chain verified in {time.perf_counter() - t0:.1f} s: {'OK' if problem is None else problem}")

    if not args.keep:
        from django.db import connections

        connections.close_all()
        import psycopg

        with psycopg.connect(f"{args.base_url}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.db}"')


if __name__ == "__main__":
    main()
