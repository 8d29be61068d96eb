"""Elasticsearch backend: mappings and generated queries checked as data (no server), plus
integration tests that run only against a real server named by ELASTICSEARCH_URL."""

import datetime as dt
import os

import pytest

from marketplace.search.analysis import parse_query
from marketplace.search.backends import elasticsearch as es

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def test_index_mapping_uses_presegmented_whitespace_fields_and_keywords():
    body = es.build_index("zjcs-agency-20261123", "agency").to_dict()
    analysis = body["settings"]["analysis"]
    assert analysis["analyzer"]["zjcs_presegmented"] == {"type": "custom", "tokenizer": "whitespace",
                                                         "filter": ["lowercase"]}
    assert analysis["filter"]["zjcs_edge"]["type"] == "edge_ngram"
    props = body["mappings"]["properties"]
    assert props["tokens_primary"] == {"type": "text", "analyzer": "zjcs_presegmented"}
    assert props["pinyin"]["fields"]["prefix"]["analyzer"] == "zjcs_pinyin_prefix"
    assert props["name"] == {"type": "text", "analyzer": "standard"}
    for keyword in ("key", "region_code", "region_path", "grade", "status", "method", "service_codes", "price_buckets"):
        assert props[keyword]["type"] == "keyword"
    assert props["recency"] == {"type": "date"}
    assert props["price_min"] == {"type": "scaled_float", "scaling_factor": 100}


def test_chinese_analyser_is_configurable(settings):
    settings.SEARCH_ES_CHINESE_ANALYZER = "smartcn"
    assert es.chinese_analyzer() == "smartcn"


def test_alias_and_timestamped_index_names(settings):
    settings.ELASTICSEARCH_INDEX_PREFIX = "zjcs"
    assert es.alias_name("agency") == "zjcs-agency"
    assert es.new_index_name("project", NOW) == "zjcs-project-20261123120000000000"


def test_query_structure_terms_filters_function_score_and_aggs():
    s = es.build_search("agency", parse_query("平湖 cehui"), {"region": "330400", "grade": "A"},
                        page=2, page_size=10, now=NOW)
    body = s.to_dict()
    assert body["from"] == 10 and body["size"] == 10 and body["track_total_hits"] is True
    query = body["query"]["bool"]
    assert query["filter"] == [{"term": {"kind": "agency"}}, {"term": {"status": "admitted"}},
                               {"term": {"grade": "A"}}, {"term": {"region_path": "330400"}}]
    fs = query["must"][0]["function_score"]
    assert fs["boost_mode"] == "multiply" and fs["score_mode"] == "sum"
    weights = {f["filter"]["term"]["grade"]: f["weight"] for f in fs["functions"]
               if "filter" in f and "term" in f["filter"] and f["filter"]["term"].get("grade")}
    assert weights == {"A": 1.3, "B": 1.15, "C": 1.0, "D": 0.9}
    decay = [f for f in fs["functions"] if "exp" in f][0]
    assert decay == {"exp": {"recency": {"origin": NOW.isoformat(), "scale": "180d", "decay": 0.5}}, "weight": 0.2}
    pinghu, cehui = fs["query"]["bool"]["must"]
    assert {"term": {"tokens_primary": {"value": "平湖", "boost": 4.0}}} in pinghu["bool"]["should"]
    assert {"term": {"tokens_primary": {"value": "pinghu", "boost": 4.0}}} in pinghu["bool"]["should"]
    assert {"match_phrase": {"name": {"query": "平湖", "boost": 2.0}}} in pinghu["bool"]["should"]
    assert {"prefix": {"tokens_primary": {"value": "cehui", "boost": 4.0}}} in cehui["bool"]["should"]
    assert {"term": {"pinyin.prefix": {"value": "cehui", "boost": 2.0}}} in cehui["bool"]["should"]
    assert body["aggs"] == {name: {"terms": {"field": field, "size": 200}} for name, field in
                            [("service_type", "service_codes"), ("region", "region_code"), ("grade", "grade"),
                             ("price", "price_buckets")]}


def test_project_query_excludes_drafts_and_browse_mode_replaces_score():
    body = es.build_search("project", (), {"method": "draw"}, page=1, page_size=20, now=NOW).to_dict()
    query = body["query"]["bool"]
    assert {"bool": {"must_not": [{"terms": {"status": ["draft"]}}]}} in query["filter"]
    assert {"term": {"method": "draw"}} in query["filter"]
    fs = query["must"][0]["function_score"]
    assert fs["query"] == {"match_all": {}} and fs["boost_mode"] == "replace"
    assert set(body["aggs"]) == {"service_type", "region", "method", "status", "price"}


def test_relaxed_query_adds_masked_variants():
    strict = es.term_query(parse_query("造介")[0]).to_dict()
    relaxed = es.term_query(parse_query("造介")[0], relaxed=True).to_dict()
    values = lambda q: {c["term"]["tokens_primary"]["value"] for c in q["bool"]["should"] if "term" in c  # noqa: E731
                        and "tokens_primary" in c["term"]}
    assert values(strict) == {"造介", "zaojie"}
    assert values(relaxed) == {"造介", "zaojie", "x介", "造x"}


@pytest.mark.django_db
def test_bulk_actions_carry_presegmented_text(reindex):
    from marketplace.search.documents import iter_documents
    from tests.search.factories import agency

    a = agency("平湖华正测绘有限公司")
    (doc,) = list(iter_documents("agency"))
    (action,) = list(es.bulk_actions("zjcs-agency-x", [doc]))
    assert action["_index"] == "zjcs-agency-x" and action["_id"] == str(a.pk)
    source = action["_source"]
    assert "测绘" in source["tokens_primary"].split() and "cehui" in source["pinyin"].split()
    assert source["region_path"] == ["330482", "330400", "330000"]
    assert source["key"] == a.uscc and source["status"] == "admitted"


needs_server = pytest.mark.skipif(not os.environ.get("ELASTICSEARCH_URL"),
                                  reason="integration test: set ELASTICSEARCH_URL to a running Elasticsearch 8")


@needs_server
@pytest.mark.django_db
def test_integration_rebuild_swaps_alias_and_searches(settings):
    from marketplace import search as search_module
    from marketplace.search import search_agencies
    from marketplace.search.backends.elasticsearch import ElasticsearchBackend
    from marketplace.search.documents import iter_documents
    from tests.search.factories import agency

    settings.ELASTICSEARCH_URL = os.environ["ELASTICSEARCH_URL"]
    settings.ELASTICSEARCH_INDEX_PREFIX = f"zjcs-test-{os.getpid()}"
    backend = ElasticsearchBackend()
    a = agency("平湖华正测绘有限公司", grade="A")
    b = agency("嘉善宏信测绘有限公司", region="330421", grade="B")
    agency("平湖永安测绘有限公司", status="suspended")
    try:
        backend.rebuild("agency", [list(iter_documents("agency"))])
        first = set(backend.client.indices.get_alias(name=es.alias_name("agency")))
        backend.rebuild("agency", [list(iter_documents("agency"))])
        second = set(backend.client.indices.get_alias(name=es.alias_name("agency")))
        assert len(first) == len(second) == 1 and first != second
        assert not backend.client.indices.exists(index=list(first)[0])
        search_module._backends["elasticsearch"] = backend
        result = search_agencies("测绘", backend="elasticsearch")
        assert [h.id for h in result.hits] == [a.pk, b.pk]
        assert {v.value: v.count for v in result.facets["region"]} == {"330482": 1, "330421": 1}
        assert [h.id for h in search_agencies("cehui", {"region": "330421"}, backend="elasticsearch").hits] == [b.pk]
        assert search_agencies("造介", backend="elasticsearch").total == 0
    finally:
        backend.client.indices.delete(index=f"{settings.ELASTICSEARCH_INDEX_PREFIX}-*", ignore_unavailable=True)
        search_module._backends.pop("elasticsearch", None)
