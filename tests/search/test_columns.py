"""The embedded backend's in-memory columns: growth, vocabularies, facet counts and top-k order,
checked against plain Python reference implementations on random data."""

import random
import time
from collections import Counter

import numpy as np
import pytest
from django.utils import timezone

from marketplace.search import index_objects, search_agencies
from marketplace.search.backends import database
from marketplace.search.backends.database import Columns, DatabaseBackend, Snapshot
from tests.search.factories import agency

SERVICES = ["ZR01", "ZR02", "JS05", "HB01", "CZ01", "QX01"]
REGIONS = ["330482", "330421", "330481", "330483", "330402"]


def row(pk, *, kind="agency", region="330482", grade="A", status="admitted", method="", services=("ZR01",),
        prices=("p2",), recency=None):
    return (pk, kind, region, grade, status, method, " ".join(services), " ".join(prices), recency)


def random_rows(rng, n, first_id=1):
    rows = []
    for pk in range(first_id, first_id + n):
        kind = rng.choice(["agency", "agency", "project"])
        rows.append(row(pk, kind=kind, region=rng.choice(REGIONS), grade=rng.choice("ABCD") if kind == "agency" else "",
                        status=rng.choice(["admitted", "admitted", "suspended"]) if kind == "agency"
                        else rng.choice(["published", "completed", "draft"]),
                        method="" if kind == "agency" else rng.choice(["draw", "lowest"]),
                        services=rng.sample(SERVICES, rng.randint(0, 4)), prices=rng.sample(["p0", "p1", "p2"], 1),
                        recency=timezone.now()))
    return rows


def test_growth_keeps_every_slot_and_lowers_the_base():
    snap = Snapshot()
    cols = snap._apply([row(10, grade="A"), row(11, grade="B")], Columns())
    grown = snap._apply([row(5000, grade="C", services=("HB01",))], cols)
    assert grown is not cols and grown.base == cols.base and grown.capacity > 5000 - grown.base
    lowered = snap._apply([row(3, grade="D")], grown)
    assert lowered.base == 3
    pos = lowered.positions(np.array([3, 10, 11, 5000, 4999, 10 ** 9]))
    assert pos[-1] == -1  # outside the covered range
    assert [lowered.labels("grade")[g] for g in lowered.scalar["grade"][pos[:4]]] == ["D", "A", "B", "C"]
    assert lowered.state[pos[4]] == Columns.UNKNOWN  # a slot never written
    assert lowered.column_counts(pos[:4]) == {"service_type": {"ZR01": 3, "HB01": 1}, "price": {"p2": 4}}


def test_more_facet_values_than_the_matrix_is_wide():
    snap = Snapshot()
    cols = snap._apply([row(1)], Columns())
    width = cols.matrix.shape[1]
    many = [f"X{i:03d}" for i in range(width + 10)]
    wider = snap._apply([row(2, services=many)], cols)
    assert wider.matrix.shape[1] > width
    counts = wider.column_counts(wider.positions(np.array([1, 2])))
    assert counts["service_type"]["ZR01"] == 1 and counts["service_type"][many[-1]] == 1
    assert len(counts["service_type"]) == len(many) + 1


def test_rewriting_a_slot_replaces_its_facets():
    snap = Snapshot()
    cols = snap._apply([row(1, services=("ZR01", "JS05"), grade="A")], Columns())
    cols = snap._apply([row(1, services=("HB01",), grade="C", status="suspended")], cols)
    pos = cols.positions(np.array([1]))
    assert cols.column_counts(pos) == {"service_type": {"HB01": 1}, "price": {"p2": 1}}
    assert cols.counts("grade", pos) == {"C": 1}
    assert cols.state[pos[0]] == Columns.HIDDEN


def test_counts_match_a_python_reference_on_random_data():
    rng = random.Random(7)
    rows = random_rows(rng, 3000, first_id=100)
    snap = Snapshot()
    cols = Columns()
    for start in range(0, len(rows), 700):  # several applies, so the columns grow on the way
        cols = snap._apply(rows[start:start + 700], cols)
    chosen = rng.sample(rows, 900)
    pos = cols.positions(np.array([r[0] for r in chosen]))
    assert cols.counts("region", pos) == dict(Counter(r[2] for r in chosen))
    assert cols.counts("grade", pos) == dict(Counter(r[3] for r in chosen))  # "" for postings
    assert cols.counts("method", pos) == dict(Counter(r[5] for r in chosen))
    services = Counter(v for r in chosen for v in r[6].split())
    prices = Counter(v for r in chosen for v in r[7].split())
    assert cols.column_counts(pos) == {"service_type": dict(services), "price": dict(prices)}
    visible_agencies = {r[0] for r in rows if r[1] == "agency" and r[4] == "admitted"}
    all_pos = cols.positions(np.array([r[0] for r in rows]))
    assert {r[0] for r, s in zip(rows, cols.state[all_pos], strict=True) if s == Columns.VISIBLE["agency"]} \
        == visible_agencies


@pytest.mark.parametrize("k", [1, 5, 20, 47, 500])
def test_top_k_matches_a_full_sort_with_ties_by_ascending_id(k):
    rng = np.random.default_rng(k)
    ids = rng.permutation(np.arange(1000, 1400))
    scores = rng.choice([1.0, 1.15, 1.3, 0.3, 0.45], size=ids.size)  # many ties
    expected = sorted(range(ids.size), key=lambda i: (-scores[i], ids[i]))[:k]
    assert DatabaseBackend._top(scores, ids, k).tolist() == expected


@pytest.mark.django_db
def test_documents_indexed_by_another_process_are_loaded_on_demand(reindex):
    agency("平湖华正测绘有限公司", services=("ZR01",), grade="A")
    reindex()
    assert search_agencies("测绘").total == 1
    # Another worker indexes an agency with a service type this process has not seen yet; this
    # process's snapshot still believes it is current, so the new id reaches it only through the
    # full-text index and must be loaded on demand.
    snap = database._snapshot
    newcomer = agency("平湖新锐测绘有限公司", services=("ZR01", "HB02"), grade="B")
    index_objects("agency", [newcomer.pk])
    snap.generation = (database._generation("agency"), database._generation("project"))
    snap.checked = time.monotonic()
    result = search_agencies("测绘")
    assert result.total == 2
    assert {f.value: f.count for f in result.facets["service_type"]} == {"ZR01": 2, "HB02": 1}
    assert {f.value: f.count for f in result.facets["grade"]} == {"A": 1, "B": 1}
    assert [h.id for h in search_agencies("测绘", {"grade": "B"}).hits] == [newcomer.pk]
    assert [h.id for h in search_agencies("测绘", {"service_type": "HB02"}).hits] == [newcomer.pk]
