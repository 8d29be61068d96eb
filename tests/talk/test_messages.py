"""The job's message thread (docs/rules.md §12.3): parties only, files checked, receipts, never edited,
read-only for the competent regulator once a case concerns the project."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from marketplace.models import AuditEntry, Notification, Organisation, Region
from projects.delivery import messages
from projects.models import JobMessage, JobMessageFile, Objection, Registration
from tests.factories import AgencyFactory, OrganisationFactory, member_of
from tests.talk.conftest import pdf

pytestmark = pytest.mark.django_db


def thread_url(job):
    return reverse("delivery:thread", args=[job.pk])


@pytest.fixture
def other_scope_regulator(db):
    org = OrganisationFactory(kind=Organisation.Kind.REGULATOR, name="嘉善县监管")
    org.scope_regions.add(Region.objects.get(code="330421"))
    return member_of(org)


def test_owner_and_agency_write_files_are_checked_and_the_other_side_is_told(job, owner_user,
                                                                             django_capture_on_commit_callbacks):
    agency_user = job.agency.user
    with django_capture_on_commit_callbacks(execute=True):
        first = messages.send_message(by=owner_user, job=job, body="请查收控制点成果。")
        reply = messages.send_message(by=agency_user, job=job, body="已收到，附作业方案。", files=[pdf("方案.pdf")])
    assert (first.side, reply.side) == ("owner", "agency")
    assert JobMessageFile.objects.get(message=reply).name == "方案.pdf"
    to_agency = Notification.objects.get(recipient=agency_user, kind="job_message")
    assert to_agency.url == thread_url(job) and "请查收控制点成果。" in to_agency.body
    assert to_agency.title.startswith("业主") and job.project.code in to_agency.title
    to_owner = Notification.objects.get(recipient=owner_user, kind="job_message")
    assert "已收到，附作业方案。" in to_owner.body and to_owner.title.startswith("服务机构")
    sent = AuditEntry.objects.filter(action="projects.message_sent").order_by("id")
    assert [e.data["side"] for e in sent] == ["owner", "agency"] and len(sent[1].data["files"]) == 1


def test_read_receipts_are_set_once_by_the_receiving_side(job, owner_user):
    message = messages.send_message(by=owner_user, job=job, body="你好")
    assert messages.mark_read(by=owner_user, job=job) == 0  # the sender's own message
    assert messages.unread_count(job.agency.user, job) == 1
    assert messages.mark_read(by=job.agency.user, job=job) == 1
    message.refresh_from_db()
    assert message.read_by == job.agency.user and message.read_at is not None
    assert messages.mark_read(by=job.agency.user, job=job) == 0
    assert AuditEntry.objects.filter(action="projects.messages_read").count() == 1


@pytest.mark.parametrize("body", ["", "   ", "字" * (messages.BODY_MAX_CHARS + 1)])
def test_an_empty_or_overlong_message_is_refused_and_nothing_changes(job, owner_user, body):
    with pytest.raises(ValidationError):
        messages.send_message(by=owner_user, job=job, body=body)
    assert not JobMessage.objects.exists() and not Notification.objects.filter(kind="job_message").exists()


def test_a_wrong_type_or_too_many_files_are_refused(job, owner_user):
    with pytest.raises(ValidationError) as exc:
        messages.send_message(by=owner_user, job=job, body="附件", files=[pdf("病毒.pdf", b"MZ\x90\x00")])
    assert "只接受" in str(exc.value)
    with pytest.raises(ValidationError):
        messages.send_message(by=owner_user, job=job, body="附件", files=[pdf(f"{n}.pdf") for n in range(messages.MAX_FILES + 1)])
    assert not JobMessage.objects.exists() and not JobMessageFile.objects.exists()


def test_outsiders_cannot_write(job, other_owner_user, regulator_user):
    other_agency = member_of(AgencyFactory().organisation)
    for user in (other_owner_user, other_agency, regulator_user):
        with pytest.raises(PermissionDenied):
            messages.send_message(by=user, job=job, body="插话")
    assert not JobMessage.objects.exists()


def test_a_sent_message_cannot_be_edited(client, job, owner_user):
    message = messages.send_message(by=owner_user, job=job, body="原文")
    client.force_login(owner_user)
    with pytest.raises(NoReverseMatch):
        reverse("delivery:thread_edit", args=[job.pk, message.pk])
    for path in (f"{thread_url(job)}{message.pk}/", f"{thread_url(job)}{message.pk}/edit/"):
        assert client.post(path, {"body": "改过"}).status_code == 404
    # Posting to the thread always adds a new message; the old one is untouched.
    client.post(thread_url(job), {"body": "补充"})
    message.refresh_from_db()
    assert message.body == "原文" and JobMessage.objects.count() == 2
    assert not hasattr(messages, "edit_message") and not hasattr(messages, "delete_message")


# ---- the thread page: who may read it -------------------------------------------------------------

def test_the_parties_read_and_the_receiver_marks_read(client, job, owner_user):
    messages.send_message(by=owner_user, job=job, body="请查收", files=[pdf("控制点.pdf")])
    client.force_login(job.agency.user)
    page = client.get(thread_url(job)).content.decode()
    assert "请查收" in page and "控制点.pdf" in page and 'id="message-form"' in page
    row = JobMessageFile.objects.get()
    response = client.get(reverse("delivery:thread_file", args=[job.pk, row.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert JobMessage.objects.get().read_at is not None
    client.force_login(owner_user)
    assert "已读" in client.get(thread_url(job)).content.decode()


def test_strangers_get_not_found(client, job, owner_user, other_owner_user, plain_user, regulator_user,
                                 other_scope_regulator):
    messages.send_message(by=owner_user, job=job, body="内部沟通", files=[pdf()])
    row = JobMessageFile.objects.get()
    file_url = reverse("delivery:thread_file", args=[job.pk, row.pk])
    response = client.get(thread_url(job))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    other_agency = member_of(AgencyFactory().organisation)
    # No case concerns the project: even the competent regulator does not read the thread.
    for user in (plain_user, other_owner_user, other_agency, regulator_user, other_scope_regulator):
        client.force_login(user)
        assert client.get(thread_url(job)).status_code == 404
        assert client.get(file_url).status_code == 404
        assert client.post(thread_url(job), {"body": "插话"}).status_code == 404
    assert JobMessage.objects.count() == 1 and JobMessage.objects.get().read_at is None


def _objection(job):
    registration = Registration.objects.create(project=job.project, agency=AgencyFactory(),
                                               registered_at=timezone.now())
    return Objection.objects.create(project=job.project, registration=registration, text="质疑中选结果",
                                    filed_at=timezone.now(), filed_by=member_of(registration.agency.organisation),
                                    answer_due_on=timezone.localdate() + dt.timedelta(days=5))


def test_the_competent_regulator_reads_only_when_a_case_concerns_the_project(client, job, owner_user,
                                                                             regulator_user, other_scope_regulator):
    messages.send_message(by=owner_user, job=job, body="沟通记录")
    _objection(job)
    client.force_login(regulator_user)
    page = client.get(thread_url(job)).content.decode()
    assert "沟通记录" in page and 'id="message-form"' not in page
    assert client.post(thread_url(job), {"body": "监管插话"}).status_code == 403
    assert JobMessage.objects.count() == 1 and JobMessage.objects.get().read_at is None  # no receipt for readers
    client.force_login(other_scope_regulator)
    assert client.get(thread_url(job)).status_code == 404


def test_a_complaint_about_the_project_opens_the_thread_to_the_regulator(client, job, owner_user, regulator_user,
                                                                         plain_user):
    from ratings.services import file_complaint

    messages.send_message(by=owner_user, job=job, body="沟通记录")
    client.force_login(regulator_user)
    assert client.get(thread_url(job)).status_code == 404
    Registration.objects.create(project=job.project, agency=job.agency, registered_at=timezone.now())
    file_complaint(agency=job.agency, by=plain_user, text="服务机构未按约定时间进场作业，影响工期。", project=job.project)
    assert client.get(thread_url(job)).status_code == 200


def test_bad_input_on_the_page_shows_a_message_and_changes_nothing(client, job, owner_user):
    client.force_login(owner_user)
    response = client.post(thread_url(job), {"body": "附件", "files": [pdf("x.pdf", b"not a pdf")]}, follow=True)
    assert "只接受" in response.content.decode()
    response = client.post(thread_url(job), {"body": ""}, follow=True)
    assert "请填写消息内容" in response.content.decode()
    assert not JobMessage.objects.exists()


def test_the_job_page_links_the_thread_with_the_unread_count(client, job, owner_user, plain_user):
    messages.send_message(by=owner_user, job=job, body="你好")
    client.force_login(job.agency.user)
    page = client.get(reverse("delivery:job", args=[job.pk])).content.decode()
    assert thread_url(job) in page and 'id="unread"' in page


def test_dashboards_list_unread_threads(client, job, owner_user):
    messages.send_message(by=owner_user, job=job, body="请尽快进场")
    client.force_login(job.agency.user)
    page = client.get("/dashboard/", follow=True).content.decode()
    assert 'id="unread-threads"' in page and thread_url(job) in page
    client.get(thread_url(job))
    assert 'id="unread-threads"' not in client.get("/dashboard/", follow=True).content.decode()
