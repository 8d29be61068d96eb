"""`manage.py cms_replay` rebuilds notices from the audit log, and replaying twice changes nothing."""

from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import call_command

from cms.models import NoticePage
from marketplace import audit

pytestmark = pytest.mark.django_db


def test_replay_builds_notices_once(tree, published_project, monkeypatch, django_capture_on_commit_callbacks):
    kept, cancelled = published_project(), published_project()
    with monkeypatch.context() as patch:  # history recorded before the CMS listened
        patch.setattr(audit, "_subscribers", defaultdict(list))
        with django_capture_on_commit_callbacks(execute=True):
            audit.record(action="projects.published", obj=kept)
            audit.record(action="projects.published", obj=cancelled)
            audit.record(action="projects.cancelled", obj=cancelled, reason="撤销")
            audit.record(action="agencies.admitted", obj=kept,  # not a notice event
                         data={"uscc": "91330482MA2B00001G", "name": "甲", "region": "330482"})
    assert not NoticePage.objects.exists()

    out = StringIO()
    call_command("cms_replay", stdout=out)
    assert "replayed 3 entries; 0 failed" in out.getvalue()
    assert NoticePage.objects.get(object_id=str(kept.pk)).live
    withdrawn = NoticePage.objects.get(object_id=str(cancelled.pk))
    assert not withdrawn.live and withdrawn.withdrawn_reason == "撤销"
    revisions = {page.pk: page.revisions.count() for page in NoticePage.objects.all()}

    call_command("cms_replay", stdout=StringIO())
    assert NoticePage.objects.count() == 2
    assert {page.pk: page.revisions.count() for page in NoticePage.objects.all()} == revisions
