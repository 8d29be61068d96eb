"""Index sync: the declared audit actions of agencies and projects re-index the objects after commit."""

import pytest
from django.core.management import call_command
from django.db import transaction

from agencies.models import Agency, AgencyService
from marketplace import audit, events
from marketplace.models import AuditEntry, SearchDocument
from marketplace.search import AGENCY, OBJECT, PROJECT, registry, search_agencies, search_projects, sync
from marketplace.search.sync import targets
from tests.search.factories import agency, payload, project

pytestmark = pytest.mark.django_db


def admitted(a, **extra):
    return {"action": "agencies.admitted", "obj": a, "organisation": a.organisation,
            "data": payload("agencies.admitted", uscc=a.uscc, name=a.name, region=a.region_id, **extra)}


def test_admission_is_indexed_after_commit(django_capture_on_commit_callbacks):
    a = agency("平湖华正测绘有限公司", status="submitted")
    assert search_agencies("测绘").total == 0
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Agency.objects.filter(pk=a.pk).update(status="admitted")
        audit.record(**admitted(a))
    assert search_agencies("测绘").total == 0  # nothing before commit
    for callback in callbacks:
        callback()
    assert [h.id for h in search_agencies("测绘").hits] == [a.pk]


def test_suspension_and_credit_update_reindex(django_capture_on_commit_callbacks):
    a = agency("平湖华正测绘有限公司", grade="A")
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(**admitted(a))
    Agency.objects.filter(pk=a.pk).update(credit_grade="C")
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(action="agencies.credit_updated", obj=a, data=payload("agencies.credit_updated", score=70,
                                                                              grade="C"))
    assert search_agencies("测绘").hits[0].grade == "C"
    Agency.objects.filter(pk=a.pk).update(status="suspended")
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(action="agencies.status_changed", obj=a,
                     data=payload("agencies.status_changed", **{"from": "admitted", "to": "suspended"}))
    assert search_agencies("测绘").total == 0
    assert not SearchDocument.objects.filter(kind="agency", object_id=a.pk).exists()


def test_storefront_change_reindexes_the_agency(django_capture_on_commit_callbacks):
    a = agency("平湖华正测绘有限公司")
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(**admitted(a))
    AgencyService.objects.create(agency=a, service_type_id="HB01")
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(action="agencies.storefront_updated", obj=a, organisation=a.organisation,
                     data=payload("agencies.storefront_updated", uscc=a.uscc, service="HB01", created=True))
    assert [h.id for h in search_agencies("环评").hits] == [a.pk]


def test_project_publication_indexes_and_drafts_stay_out(django_capture_on_commit_callbacks):
    p = project("平湖新城道路地形测绘", status="draft")
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(action="projects.revised", obj=p, data=payload("projects.revised", project=p.pk))
    assert search_projects("测绘").total == 0
    p.status = "published"
    p.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(action="projects.published", obj=p, data=payload("projects.published", project=p.pk))
    assert [h.key for h in search_projects("测绘").hits] == [p.code]


def test_other_actions_are_ignored(django_capture_on_commit_callbacks):
    a = agency("平湖华正测绘有限公司")
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(action="ratings.rating_recorded", obj=a,
                     data=payload("ratings.rating_recorded", project=1, agency=a.pk))
    assert search_agencies("测绘").total == 0


def test_targets_follow_the_declarations_only():
    change = AuditEntry(action="agencies.change_approved", object_type="agencies.changerequest", object_id="5",
                        data={"agency": 12, "kind": "qualification", "applied": {}})
    assert targets(change) == {(AGENCY, 12)}
    job = AuditEntry(action="projects.service_started", object_type="projects_delivery.servicejob", object_id="3",
                     data={"project": 7, "agency": 12, "job": 3})
    assert targets(job) == {(PROJECT, 7)}  # the agency's document does not depend on its jobs
    assert targets(AuditEntry(action="projects.contract_uploaded", object_type="projects.project",
                              object_id="7", data={"agency": 12})) == {(PROJECT, 7)}
    # The object must be the kind's own row: no following of foreign keys, no guessing by prefix.
    assert targets(AuditEntry(action="agencies.admitted", object_type="agencies.qualification",
                              object_id="1")) == set()
    assert targets(AuditEntry(action="agencies.document_uploaded", object_type="agencies.agencydocument",
                              object_id="1", data={"agency": 12})) == set()
    assert targets(AuditEntry(action="cms.notice_published", object_type="agencies.agency", object_id="1")) == set()
    # A USCC or code where a primary key is expected is not an id.
    assert targets(AuditEntry(action="projects.low_quote_flagged", object_type="projects.registration",
                              object_id="1", data={"project": "PH-2026-0001"})) == set()


def test_the_index_listens_to_declared_actions_only():
    declared = events.declared()
    watched = {action for kind in registry.registered().values() for action in kind.reindex_on}
    assert watched and sorted(watched - set(declared)) == []
    assert {"agencies.admitted", "agencies.credit_updated", "projects.published"} <= watched
    assert sync.on_audit_entries in audit._batched
    assert "*" not in audit._subscribers or sync.on_audit_entries not in audit._subscribers["*"]


def test_every_trigger_names_a_declared_id_field():
    """A trigger's payload key must be a declared ID field of its action, so the sync never reads a
    key the writer does not promise (actions not declared yet are checked once they are)."""
    problems = []
    for kind in registry.registered().values():
        for action, source in kind.reindex_on.items():
            declared = events.declared().get(action)
            if declared is None or source == OBJECT:
                continue
            types, _optional = declared.fields.get(source, ((), False))
            if int not in types:
                problems.append(f"{kind.name}: {action} has no ID field {source!r}")
    assert not problems, "\n".join(problems)


class RecordingTask:
    def __init__(self, calls):
        self.calls = calls

    def enqueue(self, kind, ids):
        self.calls.append((kind, ids))


def test_bulk_append_enqueues_one_task_per_kind(monkeypatch, django_capture_on_commit_callbacks):
    agencies = [agency(f"平湖第{i}测绘有限公司") for i in range(5)]
    calls = []
    monkeypatch.setattr(sync, "reindex", RecordingTask(calls))
    with django_capture_on_commit_callbacks(execute=True):
        audit.record_many([admitted(a, **{"import": True}) for a in agencies])
        p = project("平湖新城道路地形测绘")
        audit.record(action="projects.published", obj=p, data=payload("projects.published", project=p.pk))
    assert sorted(k for k, _ids in calls) == [AGENCY, PROJECT]
    assert dict(calls)[AGENCY] == sorted(a.pk for a in agencies)


def test_entries_of_a_rolled_back_savepoint_are_not_delivered(monkeypatch, django_capture_on_commit_callbacks):
    kept, dropped, later = (agency(f"平湖第{i}测绘有限公司") for i in range(3))
    calls = []
    monkeypatch.setattr(sync, "reindex", RecordingTask(calls))
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(**admitted(kept))
        try:
            with transaction.atomic():
                audit.record(**admitted(dropped))
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        audit.record(**admitted(later))
    assert sorted(i for _k, ids in calls for i in ids) == [kept.pk, later.pk]


def test_command_rebuild_and_update(capsys):
    a = agency("平湖华正测绘有限公司")
    b = agency("平湖天成测绘有限公司")
    p = project("平湖新城道路地形测绘")
    call_command("search_index", "rebuild", "--no-progress")
    assert search_agencies("测绘").total == 2 and search_projects("测绘").total == 1
    Agency.objects.filter(pk=b.pk).update(status="removed")
    call_command("search_index", "update", "--kind", "agency", "--chunk-size", "1", "--no-progress")
    assert [h.id for h in search_agencies("测绘").hits] == [a.pk]
    out = capsys.readouterr().out
    assert "agency: 2 documents indexed (rebuild" in out
    assert "agency: 1 documents indexed, 1 removed (update" in out
    assert p.code in [h.key for h in search_projects("").hits]


def test_generation_never_repeats_after_the_cache_is_cleared():
    """A cleared cache (Redis restart) must not make an old index generation look current, or a
    worker's in-memory columns would keep showing agencies that were suspended meanwhile."""
    from django.core.cache import cache

    from marketplace.search.backends import database

    seen = {database._generation("agency")}
    for _ in range(3):
        database._incr("agency")
        seen.add(database._generation("agency"))
        cache.clear()
        seen.add(database._generation("agency"))
    assert len(seen) == 7
