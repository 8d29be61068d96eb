"""seed_demo leaves a clarification asked and answered, a posting attachment and a job thread with a file,
made through the real services (so they are audited), shown on the pages (seeded once for the module)."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from marketplace.models import AuditEntry
from projects.models import Clarification, JobMessage, JobMessageFile, PostingAttachment

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", "--agencies", "30", stdout=io.StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_the_demo_has_an_answered_clarification_and_a_public_attachment(demo, client):
    row = Clarification.objects.select_related("project", "agency").get()
    assert row.is_answered and row.project.status == "published"
    assert AuditEntry.objects.filter(action__in=["projects.clarification_asked", "projects.clarification_answered"],
                                     object_id=str(row.pk)).count() == 2
    page = client.get(reverse("projects:detail", args=[row.project.code])).content.decode()
    assert row.question in page and row.answer in page and row.agency.name not in page
    attachment = PostingAttachment.objects.get(project=row.project)
    assert client.get(reverse("projects:attachment", args=[row.project.code, attachment.pk])).status_code == 200


def test_the_demo_has_a_job_thread_with_a_file_and_receipts(demo):
    rows = list(JobMessage.objects.order_by("sent_at"))
    assert [m.side for m in rows] == ["owner", "agency", "owner"]
    assert len({m.job_id for m in rows}) == 1 and rows[0].read_at is not None
    assert JobMessageFile.objects.filter(message=rows[1]).count() == 1
    assert AuditEntry.objects.filter(action="projects.message_sent").count() == 3
