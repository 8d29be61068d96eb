"""Batch subscribers: one call per commit with the transaction's entries (bulk appends stay cheap)."""

from collections import defaultdict

import pytest
from django.db import transaction

from marketplace import audit
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
ACTION = "marketplace.member_added"


@pytest.fixture
def subscribers(monkeypatch):
    monkeypatch.setattr(audit, "_subscribers", defaultdict(list))
    monkeypatch.setattr(audit, "_batched", set())
    batches, singles = [], []
    audit.subscribe(ACTION, lambda entries: batches.append([e.data["user"] for e in entries]), batch=True)
    audit.subscribe(ACTION, lambda entry: singles.append(entry.data["user"]))
    return batches, singles


def _entries(org, *users):
    return [{"action": ACTION, "obj": org, "organisation": org, "data": {"user": u, "role": "staff"}} for u in users]


def test_a_bulk_append_reaches_a_batch_subscriber_once_after_commit(subscribers, django_capture_on_commit_callbacks):
    batches, singles = subscribers
    org = OrganisationFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        audit.record_many(_entries(org, "a", "b", "c"))
    assert batches == [] and singles == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert batches == [["a", "b", "c"]]
    assert singles == ["a", "b", "c"]


def test_a_rolled_back_savepoint_takes_its_entries_along(subscribers, django_capture_on_commit_callbacks):
    batches, singles = subscribers
    org = OrganisationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        audit.record_many(_entries(org, "a"))
        with pytest.raises(RuntimeError), transaction.atomic():
            audit.record_many(_entries(org, "lost"))
            raise RuntimeError
        audit.record_many(_entries(org, "b", "c"))
    assert [u for batch in batches for u in batch] == ["a", "b", "c"]
    assert singles == ["a", "b", "c"]


def test_a_failing_batch_subscriber_never_breaks_the_write(monkeypatch, django_capture_on_commit_callbacks, caplog):
    monkeypatch.setattr(audit, "_subscribers", defaultdict(list))
    monkeypatch.setattr(audit, "_batched", set())

    def broken(entries):
        raise ValueError("listener bug")

    audit.subscribe(ACTION, broken, batch=True)
    org = OrganisationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        assert audit.record_many(_entries(org, "a", "b")) == 2
    assert "batch subscriber" in caplog.text
