"""Bulk stays bulk: one transaction's index changes become one re-index task with every id, and the
re-index runs a fixed number of queries whether it is given 1 agency or 1,000."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency
from marketplace import audit
from marketplace.models import SearchDocument
from marketplace.search import AGENCY, index_objects, search_agencies, sync
from tests.perf.helpers import many_agencies

pytestmark = pytest.mark.django_db
DATA = {"score": 90, "grade": "A", "previous": "B", "forced": False, "policy_version": 1, "as_of": dt.date(2026, 6, 30)}


def _reindex_queries(ids, *, fresh: bool) -> int:
    if fresh:
        SearchDocument.objects.all().delete()
    with CaptureQueriesContext(connection) as ctx:
        index_objects(AGENCY, ids)
    assert SearchDocument.objects.filter(kind=AGENCY, object_id__in=ids).count() == len(ids)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("fresh", [True, False], ids=["new documents", "replacing documents"])
def test_reindex_runs_the_same_queries_for_one_and_a_thousand_agencies(fresh, django_assert_num_queries):
    agencies = many_agencies(1000)
    everyone = [a.pk for a in agencies]
    index_objects(AGENCY, everyone)  # warm the process-wide region cache; documents exist
    one = _reindex_queries([agencies[0].pk], fresh=fresh)
    thousand = _reindex_queries(everyone, fresh=fresh)
    assert one == thousand
    assert one <= 16  # documents with prefetch, old rows out, rows and facets in, savepoints
    if fresh:
        SearchDocument.objects.all().delete()
    with django_assert_num_queries(one):
        index_objects(AGENCY, everyone)


@pytest.mark.django_db(transaction=True)  # a real commit: the batch is delivered once, at its end
def test_a_loop_of_single_records_in_one_transaction_enqueues_one_task(monkeypatch):
    agencies = many_agencies(50)
    calls = []
    monkeypatch.setattr(sync, "reindex", SimpleNamespace(enqueue=lambda kind, ids: calls.append((kind, ids))))
    with transaction.atomic():
        for a in agencies:  # a status change rebuilds documents
            audit.record(action="agencies.status_changed", obj=a, data={"from": "admitted", "to": "suspended"})
        for a in agencies:  # one `record` per agency, as a per-entity service loop does
            audit.record(action="agencies.credit_updated", obj=a, data=DATA)
        assert calls == []  # nothing before commit
    assert calls == [(AGENCY, sorted(a.pk for a in agencies))]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_savepoint_is_not_reindexed(monkeypatch):
    kept, lost = many_agencies(2)
    calls = []
    monkeypatch.setattr(sync, "refresh_columns",
                        SimpleNamespace(enqueue=lambda kind, ids: calls.append((kind, ids))))
    with transaction.atomic():
        audit.record(action="agencies.credit_updated", obj=kept, data=DATA)
        with pytest.raises(RuntimeError), transaction.atomic():
            audit.record(action="agencies.credit_updated", obj=lost, data=DATA)
            raise RuntimeError
    assert [ids for _kind, ids in calls] == [[kept.pk]]


def test_the_batched_task_makes_the_agencies_searchable(django_capture_on_commit_callbacks):
    agencies = many_agencies(30)
    with django_capture_on_commit_callbacks(execute=True):
        audit.record_many([{"action": "agencies.admitted", "obj": a, "organisation": a.organisation_id,
                            "data": {"uscc": a.uscc, "name": a.name, "region": a.region_id}} for a in agencies])
    assert search_agencies("批量测绘").total == 30


@pytest.mark.django_db(transaction=True)
def test_credit_changes_refresh_the_grade_column_in_one_task(monkeypatch):
    agencies = many_agencies(40)
    index_objects(AGENCY, [a.pk for a in agencies])
    calls = []
    real = sync.refresh_columns
    monkeypatch.setattr(sync, "refresh_columns", SimpleNamespace(
        enqueue=lambda kind, ids: (calls.append((kind, ids)), real.call(kind, ids))))
    monkeypatch.setattr(sync, "reindex", SimpleNamespace(enqueue=lambda kind, ids: pytest.fail("no rebuild")))
    with transaction.atomic():
        for a in agencies:
            Agency.objects.filter(pk=a.pk).update(credit_grade="D")
            audit.record(action="agencies.credit_updated", obj=a, data={**DATA, "grade": "D"})
    assert calls == [(AGENCY, sorted(a.pk for a in agencies))]
    assert set(SearchDocument.objects.filter(kind=AGENCY).values_list("grade", flat=True)) == {"D"}
    assert search_agencies("批量测绘", {"grade": "D"}).total == 40
