"""Recall@10 over a generated, labelled query set (two-character words, region + service, pinyin,
one-character typos, names, initials, codes). Runs on SQLite and, with DATABASE_URL, PostgreSQL."""

from collections import defaultdict

import pytest

from marketplace.search import search
from tests.search.corpus import build_corpus, labelled_queries, recall_at_10

pytestmark = pytest.mark.django_db


def test_recall_at_10_over_labelled_queries(reindex, capsys):
    corpus = build_corpus()
    reindex()
    queries = labelled_queries(corpus)
    assert len(queries) >= 30
    by_category = defaultdict(list)
    misses = []
    for lq in queries:
        result = search(lq.kind, lq.q, page_size=10)
        r = recall_at_10([h.id for h in result.hits], lq.relevant)
        by_category[lq.category].append(r)
        if r < 1:
            misses.append((lq.category, lq.q, round(r, 2), len(lq.relevant)))
    overall = sum(sum(v) for v in by_category.values()) / len(queries)
    with capsys.disabled():
        print(f"\nrecall@10 over {len(queries)} queries: {overall:.3f}")
        for cat, values in by_category.items():
            print(f"  {cat:18s} n={len(values):2d} recall@10={sum(values) / len(values):.3f}")
        for miss in misses:
            print("  miss:", miss)
    assert overall >= 0.9, misses
    for cat, values in by_category.items():
        assert sum(values) / len(values) >= 0.75, (cat, misses)


def test_hidden_agencies_never_appear(reindex):
    corpus = build_corpus(n_agencies=30, n_hidden=12)
    reindex()
    hidden = {f.agency_id for f in corpus.facts if not f.admitted}
    assert hidden
    for q in ["", "测绘", "有限公司", "平湖", "cehui", *[f.name for f in corpus.facts if not f.admitted]]:
        for page in (1, 2):
            result = search("agency", q, page=page, page_size=50)
            assert not hidden & {h.id for h in result.hits}, q
    draft = {p["id"] for p in corpus.projects if not p["visible"]}
    assert draft
    for q in ["", "测绘", "平湖"]:
        assert not draft & {h.id for h in search("project", q, page_size=100).hits}
