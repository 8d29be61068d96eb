"""Broad queries stay cheap: the full-text ids are read once per query text and index generation
(TermCache), PostgreSQL checks the name-like tier only for the page's best candidates, and none of
it changes a result."""

import time

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.models import ServiceType
from marketplace.search import SearchError, index_objects, search_agencies
from marketplace.search.backends import database
from marketplace.search.backends.columns import TermCache
from marketplace.search.backends.database import DatabaseBackend
from tests.search.factories import agency

pytestmark = pytest.mark.django_db

GRADES = "ABCD"


@pytest.fixture
def many(reindex):
    """120 survey agencies: 60 with 测绘 in the name, 60 with it only in the description (the lower
    relevance tier), across grades: deep pages need more name matches than the best candidates hold
    (the fallback to the whole name-like list), early ones do not."""
    made = [agency(f"平湖{i:02d}号测绘有限公司", grade=GRADES[i % 4]) for i in range(60)]
    made += [agency(f"平湖{i:02d}号咨询有限公司", grade=GRADES[i % 4], services=("JS05",),
                    description="承接地形测绘业务") for i in range(60)]
    reindex()
    return made


def page_keys(result):
    return [(h.id, h.score) for h in result.hits]


def full_text_queries(queries):
    """The queries that read a whole posting list (not a primary-key lookup of a few ids)."""
    return [q["sql"] for q in queries
            if ("MATCH" in q["sql"] or "@@" in q["sql"]) and "ANY(" not in q["sql"] and "IN (" not in q["sql"]]


def test_cached_and_candidate_paths_give_the_full_ranking(many, monkeypatch, is_postgres):
    asked = []
    real = DatabaseBackend._primary_ids

    def spy(self, terms, relaxed, among):
        asked.append(None if among is None else among.size)
        return real(self, terms, relaxed, among)

    monkeypatch.setattr(DatabaseBackend, "_primary_ids", spy)
    pages = [(p, 20) for p in range(1, 7)] + [(7, 10), (2, 5)]
    results = {(p, size): search_agencies("测绘", page=p, page_size=size) for p, size in pages}
    assert results[(1, 20)].total == 120
    if is_postgres:  # page 1 from its 60 best candidates; deeper pages fall back to the whole list
        assert asked[:2] == [60, 80] and None in asked
    # The reference: no cache, and the whole name-like id list for every page.
    database._snapshot.terms.MAX_IDS = 0
    monkeypatch.setattr(DatabaseBackend, "MAX_AMONG", 0)
    for (p, size), result in results.items():
        reference = search_agencies("测绘", page=p, page_size=size)
        assert page_keys(result) == page_keys(reference)
        assert result.facets == reference.facets
    tiers = [h.score >= 0.9 for p in range(1, 7) for h in results[(p, 20)].hits]
    assert tiers == [True] * 60 + [False] * 60  # every name match before every description-only match


def test_second_search_reads_no_posting_list(many):
    with CaptureQueriesContext(connection) as first:
        one = search_agencies("测绘")
    with CaptureQueriesContext(connection) as second:
        two = search_agencies("测绘", {"grade": "A"})
    assert full_text_queries(first.captured_queries)
    assert full_text_queries(second.captured_queries) == []
    assert len(second.captured_queries) < len(first.captured_queries)
    assert (one.total, two.total) == (120, 30)


def test_postgresql_page_one_checks_only_candidates(many, is_postgres):
    if not is_postgres:
        pytest.skip("SQLite reads the whole name-like list (a prefix query per rowid is slow in FTS5)")
    with CaptureQueriesContext(connection) as ctx:
        search_agencies("测绘")
    # One posting list (all matches); the name-like tier only for the best candidates.
    assert len(full_text_queries(ctx.captured_queries)) == 1
    assert sum("ANY(" in q["sql"] for q in ctx.captured_queries) == 1


def test_index_change_is_seen_at_once(many):
    assert search_agencies("测绘").total == 120
    newcomer = agency("平湖新锐测绘有限公司", grade="A")
    index_objects("agency", [newcomer.pk])
    result = search_agencies("测绘")
    assert result.total == 121
    newcomer.status = "suspended"
    newcomer.save(update_fields=["status"])
    index_objects("agency", [newcomer.pk])
    assert search_agencies("测绘").total == 120


def test_term_cache_generation_ttl_and_bound(monkeypatch):
    cache = TermCache()
    ids = np.arange(10, dtype=np.int64)
    assert cache.get("a", "g1") is None
    cache.put("a", "g1", ids)
    assert cache.get("a", "g1") is ids
    assert cache.get("a", "g2") is None  # a new generation empties it
    cache.put("a", "g1", ids)  # read under the old generation: not kept
    assert cache.entries == {}
    monkeypatch.setattr(TermCache, "MAX_IDS", 40)
    for key in "abcd":
        cache.put(key, "g2", ids)
    cache.put("e", "g2", ids)
    assert list(cache.entries) == ["b", "c", "d", "e"] and cache.size == 40  # least recently used dropped
    cache.put("big", "g2", np.arange(11))  # more than a quarter of the bound: not kept
    assert "big" not in cache.entries
    monkeypatch.setattr(TermCache, "TTL", 0.0)
    time.sleep(0.001)
    assert cache.get("e", "g2") is None
    monkeypatch.setattr(TermCache, "MAX_IDS", 0)
    cache.put("f", "g2", ids)
    assert "f" not in cache.entries


def test_service_type_labels_follow_saves_and_new_codes(many):
    def label():
        return {f.value: f.label for f in search_agencies("测绘").facets["service_type"]}["ZR01"]

    assert label() == ServiceType.objects.get(code="ZR01").name
    st = ServiceType.objects.get(code="ZR01")
    st.name = "测绘服务（新）"
    st.save()
    assert label() == "测绘服务（新）"
    # Added without signals (bulk): a filter on it is still accepted, not refused as unknown.
    ServiceType.objects.bulk_create([ServiceType(code="ZZ99", name="新增服务", department_id=st.department_id)])
    assert search_agencies("测绘", {"service_type": "ZZ99"}).total == 0
    with pytest.raises(SearchError):
        search_agencies("测绘", {"service_type": "NOPE"})
