"""The posting notice and its feed carry the answered questions and the attachments; drafts' files never
publish a notice (docs/rules.md §12)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cms.models import NoticePage
from projects import attachments, clarifications, services
from tests.projects.factories import make_draft
from tests.talk.conftest import pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    from cms.tree import ensure_page_tree

    return ensure_page_tree()


def notice_of(project):
    return NoticePage.objects.filter(source_key=f"posting:projects.project:{project.pk}").first()


def test_answers_and_files_reach_the_notice_and_the_feed(tree, client, owner_user, owner_org, agencies,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_draft(owner_user, owner_org, now=timezone.now())
        attachments.add_attachment(by=owner_user, project=draft, upload=pdf("测区范围.pdf"))
    assert notice_of(draft) is None  # a draft's file publishes nothing
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(by=owner_user, project=draft)
    with django_capture_on_commit_callbacks(execute=True):
        row = clarifications.ask(by=agencies[0].user, project=draft, agency=agencies[0], question="成果比例尺？")
    assert "clarifications" not in notice_of(draft).facts  # unanswered questions wait for their answer
    with django_capture_on_commit_callbacks(execute=True):
        clarifications.answer(by=owner_user, clarification=row, text="1:500。")
    notice = notice_of(draft)
    assert notice.facts["clarifications"][0]["question"] == "成果比例尺？"
    assert notice.facts["attachments"][0]["name"] == "测区范围.pdf"
    page = client.get(notice.url).content.decode()
    assert "成果比例尺？" in page and "1:500。" in page and "测区范围.pdf" in page
    assert agencies[0].name not in page and agencies[0].uscc not in page
    feed = client.get(reverse("cms:feed_rss", args=["posting"])).content.decode()
    assert "成果比例尺？" in feed and "测区范围.pdf" in feed
