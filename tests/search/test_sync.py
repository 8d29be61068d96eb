"""Index sync: audit actions of agencies and projects re-index the objects after commit."""

import pytest
from django.core.management import call_command

from agencies.models import Agency, AgencyService, Qualification
from marketplace import audit
from marketplace.models import AuditEntry, SearchDocument
from marketplace.search import search_agencies, search_projects
from marketplace.search.sync import targets
from tests.search.factories import agency, project

pytestmark = pytest.mark.django_db


def test_admission_is_indexed_after_commit(django_capture_on_commit_callbacks):
    a = agency("平湖华正测绘有限公司", status="submitted")
    assert search_agencies("测绘").total == 0
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Agency.objects.filter(pk=a.pk).update(status="admitted")
        audit.record(action="agencies.admitted", obj=a, organisation=a.organisation)
    assert search_agencies("测绘").total == 0  # nothing before commit
    for callback in callbacks:
        callback()
    assert [h.id for h in search_agencies("测绘").hits] == [a.pk]


def test_suspension_and_credit_update_reindex(django_capture_on_commit_callbacks):
    a = agency("平湖华正测绘有限公司", grade="A")
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(action="agencies.admitted", obj=a)
    Agency.objects.filter(pk=a.pk).update(credit_grade="C")
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(action="agencies.credit_updated", obj=a, data={"score": 70, "grade": "C"})
    assert search_agencies("测绘").hits[0].grade == "C"
    Agency.objects.filter(pk=a.pk).update(status="suspended")
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(action="agencies.status_changed", obj=a, data={"from": "admitted", "to": "suspended"})
    assert search_agencies("测绘").total == 0
    assert not SearchDocument.objects.filter(kind="agency", object_id=a.pk).exists()


def test_storefront_change_on_child_row_follows_fk(django_capture_on_commit_callbacks):
    a = agency("平湖华正测绘有限公司")
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(action="agencies.admitted", obj=a)
    service = AgencyService.objects.create(agency=a, service_type_id="HB01")
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(action="agencies.storefront_updated", obj=service, organisation=a.organisation)
    assert [h.id for h in search_agencies("环评").hits] == [a.pk]


def test_project_publication_indexes_and_drafts_stay_out(django_capture_on_commit_callbacks):
    p = project("平湖新城道路地形测绘", status="draft")
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(action="projects.revised", obj=p)
    assert search_projects("测绘").total == 0
    p.status = "published"
    p.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(action="projects.published", obj=p)
    assert [h.key for h in search_projects("测绘").hits] == [p.code]


def test_other_actions_are_ignored(django_capture_on_commit_callbacks):
    a = agency("平湖华正测绘有限公司")
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(action="ratings.rating_recorded", obj=a)
    assert search_agencies("测绘").total == 0


def test_targets_mapping():
    a = agency("平湖华正测绘有限公司")
    q = Qualification.objects.create(agency=a, qualification_type="测绘资质", number="1")
    assert targets(AuditEntry(action="agencies.change_approved", object_type="agencies.qualification",
                              object_id=str(q.pk))) == {("agency", a.pk)}
    assert targets(AuditEntry(action="projects.contract_uploaded", object_type="projects.project", object_id="7",
                              data={"agency": a.pk})) == {("project", 7), ("agency", a.pk)}
    assert targets(AuditEntry(action="cms.notice_published", object_type="agencies.agency", object_id="1")) == set()


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
