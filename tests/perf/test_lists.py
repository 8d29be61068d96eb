"""Lists independent of the register's size: cursor pages, cached counts, fixed query counts, the
indexes that serve them."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies import selectors
from agencies.models import Agency
from tests.perf.helpers import many_agencies

pytestmark = pytest.mark.django_db


def _walk(client, url, params=None):
    seen, cursor, pages = [], None, 0
    while True:
        data = client.get(url, {**(params or {}), **({"cursor": cursor} if cursor else {})}).json()
        seen.extend(r["uscc"] if "uscc" in r else r["code"] for r in data["results"])
        pages += 1
        cursor = data["next_cursor"]
        if not cursor:
            return seen, pages


def test_agency_cursor_pages_give_the_directory_order_without_gaps_or_repeats(client):
    many_agencies(45)
    expected = list(selectors.directory().values_list("uscc", flat=True))
    seen, pages = _walk(client, "/api/agencies")
    assert seen == expected and pages == 3
    by_page = [u for n in (1, 2, 3) for u in (r["uscc"] for r in client.get("/api/agencies", {"page": n}).json()[
        "results"])]
    assert by_page == expected  # ?page= keeps working, same order


def test_agency_cursor_pages_respect_the_service_type_filter(client):
    many_agencies(45)  # every other agency also offers HB01
    expected = list(selectors.directory(service_type="HB01").values_list("uscc", flat=True))
    seen, _pages = _walk(client, "/api/agencies", {"service_type": "HB01"})
    assert seen == expected and len(seen) == 22


@pytest.mark.parametrize("bad", ["x", "bm90LWpzb24", "WyJBIl0", "WzEsMiwzLHRydWVd"])
def test_a_forged_cursor_is_refused_in_both_languages(client, bad):
    response = client.get("/api/agencies", {"cursor": bad})
    assert response.status_code == 400
    assert "分页游标无效" in response.json()["detail"] and "invalid page cursor" in response.json()["detail"]


def test_api_list_queries_do_not_grow_with_the_register(client):
    many_agencies(5, start=70_000)
    with CaptureQueriesContext(connection) as small:
        client.get("/api/agencies", {"service_type": "ZR01"})
    many_agencies(300, start=80_000)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        data = client.get("/api/agencies", {"service_type": "ZR01"}).json()
    assert len(large) == len(small) and data["count"] == 305


def test_the_count_is_cached_per_filter_and_rows_stay_fresh(client, settings):
    settings.LIST_COUNT_SECONDS = 30
    agencies = many_agencies(3)
    assert client.get("/api/agencies").json()["count"] == 3
    Agency.objects.filter(pk=agencies[0].pk).update(status="suspended")
    data = client.get("/api/agencies").json()
    assert data["count"] == 3  # the cached count (30 s at most)
    assert len(data["results"]) == 2  # the rows are read fresh
    assert client.get("/api/agencies", {"service_type": "ZR01"}).json()["count"] == 2  # another filter, counted


def test_directory_page_uses_the_cached_count(client, settings):
    settings.LIST_COUNT_SECONDS = 30
    many_agencies(25)
    first = client.get("/agencies/")
    assert first.status_code == 200 and "25" in first.content.decode()
    with CaptureQueriesContext(connection) as again:
        client.get("/agencies/", {"page": 2})
    assert not any("COUNT(" in q["sql"].upper() for q in again.captured_queries)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's choice is PostgreSQL's")
def test_the_directory_order_is_read_from_its_index():
    many_agencies(200)
    with connection.cursor() as cur:
        cur.execute("ANALYZE agencies_agency")
    qs = selectors.directory().select_related(None).prefetch_related(None).only("pk")[:20]
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")  # a tiny test table would otherwise be scanned
        plan = qs.explain()
    assert "perf_agency_directory" in plan and "Sort" not in plan.split("perf_agency_directory")[0]


def test_project_cursor_pages_are_newest_first_without_gaps(client):
    import datetime as dt

    from django.utils import timezone

    from tests.search.factories import project

    base = timezone.now()
    made = []
    for i in range(45):
        p = project(f"测绘项目{i}")
        # two postings share each publication time: the id breaks the tie
        type(p).objects.filter(pk=p.pk).update(published_at=base - dt.timedelta(minutes=i // 2))
        made.append(p)
    from projects.selectors import public_projects

    expected = list(public_projects().values_list("code", flat=True))
    seen, pages = _walk(client, "/api/projects")
    assert seen == expected and len(seen) == 45 and pages == 3
    assert client.get("/api/projects", {"cursor": "bad!"}).status_code == 400


def test_a_committed_audited_change_recounts(client, settings):
    from marketplace import pagecache

    settings.LIST_COUNT_SECONDS = 30
    agencies = many_agencies(3)
    assert client.get("/api/agencies").json()["count"] == 3
    Agency.objects.filter(pk=agencies[0].pk).update(status="suspended")
    pagecache.on_audit_entries(["an entry"])  # what the audit batch subscriber does after the commit
    assert client.get("/api/agencies").json()["count"] == 2
