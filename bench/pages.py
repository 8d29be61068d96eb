"""Benchmark: pages through gunicorn as a share of a bare view's throughput in the same server.

    python bench/pages.py --db zjcs_demo [--requests 400] [--clients 8] [--rounds 4] [--port 8765]

Starts gunicorn (2 sync workers, DEBUG=0, the given PostgreSQL database, Redis cache) with
bench/bench_settings.py, which mounts a bare `HttpResponse` view at /__bare__/ for the benchmark
only. Each page is loaded by `--clients` concurrent keep-alive clients, interleaved with the bare
view (rounds of page, bare, page, bare…), so both see the same machine load; prints requests/s,
p50/p95 latency and the throughput ratio page / bare per page. Anonymous pages are measured as a
visitor without cookies (the page cache serves them after the first request); signed-in pages with
the session of a demo user. Results: bench/pages_results.md.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def server_env(args) -> dict:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "bench.bench_settings", "DEBUG": "0",
        "SECRET_KEY": env.get("SECRET_KEY") or "bench-only-" + os.urandom(24).hex(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0", "SECURE_HSTS_SECONDS": "0", "LOG_LEVEL": "WARNING",
        "DATABASE_URL": f"{args.base_url}/{args.db}", "REDIS_URL": args.redis,
    })
    return env


def start_gunicorn(args, env) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen([str(gunicorn), "marketplace.wsgi", "--workers", "2", "--worker-class", "sync",
                             "--bind", f"127.0.0.1:{args.port}", "--log-level", "warning", "--keep-alive", "5"],
                            cwd=ROOT, env=env)
    for _ in range(120):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=5)
            conn.request("GET", "/__bare__/")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("gunicorn did not start")


def load(port: int, path: str, total: int, clients: int, cookie: str = "") -> tuple[float, list[float], set]:
    """`total` requests of `path` by `clients` concurrent clients: (seconds, latencies, statuses)."""
    latencies: list[float] = []
    statuses: set = set()
    lock = threading.Lock()
    per_client = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": cookie} if cookie else {}
        mine = []
        for _ in range(n):
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 0
            mine.append(time.perf_counter() - t0)
            with lock:
                statuses.add(status)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in per_client]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, latencies, statuses


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 20 else max(values)


def targets(args, env) -> list[tuple[str, str, str]]:
    """(label, path, cookie) for each page, read from the benchmark database."""
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from agencies.models import Agency
    from cms.models import NoticePage
    from marketplace.models import Membership
    from projects.models import Project

    agency = Agency.objects.filter(status="admitted").order_by("pk").first()
    notice = NoticePage.objects.live().order_by("pk").first()
    posting = Project.objects.exclude(published_at=None).order_by("-published_at").first()
    pages = [("home", "/", ""), ("directory", "/agencies/", ""), ("notices list", "/notices/", ""),
             ("postings", "/projects/", ""), ("agency API", "/api/agencies", ""),
             ("agency API cursor filter", "/api/agencies?service_type=ZR01", ""),
             ("search API", "/api/search/agencies?q=%E6%B5%8B%E7%BB%98", "")]
    if agency:
        pages.insert(2, ("storefront", f"/agencies/s/{agency.uscc}/", ""))
    if notice:
        pages.append(("a notice", notice.url, ""))
    if posting:
        pages.append(("a posting", f"/projects/{posting.code}/", ""))
    for role, label in (("owner", "owner dashboard"), ("agency", "agency dashboard")):
        member = (Membership.objects.filter(organisation__kind=role, user__is_active=True)
                  .select_related("user", "organisation").order_by("pk").first())
        if member:
            client = Client()
            client.force_login(member.user)
            cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
            pages.append((f"{label} (signed in)", f"/dashboard/{role}/{member.organisation_id}/", cookie))
    return pages


def grow_register(total: int) -> None:
    """Grow the (already set up) benchmark database to `total` agencies and index them all."""
    from django.core.management import call_command
    from django.db import connection

    from bench.lists import grow

    started = time.perf_counter()
    grow(total)
    call_command("search_index", "rebuild", verbosity=0)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
        cur.execute("SELECT count(*) FROM agencies_agency WHERE status = 'admitted'")
        admitted = cur.fetchone()[0]
    print(f"register grown to {admitted:,} admitted agencies and re-indexed in {time.perf_counter() - started:.0f} s",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="zjcs")
    parser.add_argument("--base-url", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/7"))
    parser.add_argument("--requests", type=int, default=400, help="requests per page per measurement")
    parser.add_argument("--rounds", type=int, default=4, help="page/bare alternations per page")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--only", help="comma-separated labels to measure")
    parser.add_argument("--grow", type=int, default=0,
                        help="first add admitted agencies (SQL, bench/lists.py) up to this many, re-index them "
                             "and ANALYZE: the demo database at register size (use a copy: createdb -T)")
    parser.add_argument("--no-page-cache", action="store_true",
                        help="PAGE_CACHE_SECONDS=0 in the server: every page rendered (the before/after baseline)")
    args = parser.parse_args()
    env = server_env(args)
    if args.no_page_cache:
        env["PAGE_CACHE_SECONDS"] = "0"
    from bench._common import collect_static

    collect_static(env)
    pages = targets(args, env)
    if args.grow:
        grow_register(args.grow)
    if args.only:
        pages = [p for p in pages if p[0] in set(args.only.split(","))]
    from bench._common import load_note

    proc = start_gunicorn(args, env)
    try:
        print(f"gunicorn 2 sync workers, DEBUG=0, PostgreSQL {args.db}, Redis {args.redis}; {args.clients} clients; "
              f"page cache {'OFF' if args.no_page_cache else 'on'}; {load_note()}", flush=True)
        print(f"{'page':34} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'bare req/s':>11} {'bare p95':>9} {'ratio':>6}  status")
        per_round = max(args.clients, args.requests // args.rounds)
        for label, path, cookie in pages:
            load(args.port, path, args.clients * 2, args.clients, cookie)  # warm: caches, connections
            page_s = bare_s = 0.0
            page_lat: list[float] = []
            bare_lat: list[float] = []
            statuses: set = set()
            for _ in range(args.rounds):
                s, lat, st = load(args.port, path, per_round, args.clients, cookie)
                page_s, page_lat, statuses = page_s + s, page_lat + lat, statuses | st
                s, lat, _st = load(args.port, "/__bare__/", per_round, args.clients)
                bare_s, bare_lat = bare_s + s, bare_lat + lat
            page_rps, bare_rps = len(page_lat) / page_s, len(bare_lat) / bare_s
            print(f"{label:34} {page_rps:8.0f} {statistics.median(page_lat) * 1000:8.1f} {p95(page_lat) * 1000:8.1f} "
                  f"{bare_rps:11.0f} {p95(bare_lat) * 1000:9.1f} {page_rps / bare_rps:6.2f}  {sorted(statuses)}",
                  flush=True)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=120)  # a saturated machine can take a while to stop the workers
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    main()
