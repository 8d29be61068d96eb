"""Posting attachments (docs/rules.md §12.2): content checks, drafts stay private, revisions after publication."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse

from marketplace.models import AuditEntry
from projects import attachments
from projects.models import PostingAttachment
from tests.projects.factories import PUBLISH_AT, make_draft, make_published
from tests.talk.conftest import PNG, office, pdf

pytestmark = pytest.mark.django_db
DOCX = attachments.DOCX
XLSX = attachments.XLSX


@pytest.fixture
def draft(owner_user, owner_org):
    return make_draft(owner_user, owner_org)


@pytest.mark.parametrize(("upload", "content_type"), [
    (lambda: pdf("范围.pdf"), "application/pdf"),
    (lambda: office("模板.docx", "word/document.xml"), DOCX),
    (lambda: office("清单.xlsx", "xl/workbook.xml"), XLSX),
    (lambda: pdf("图.png", PNG), "image/png"),
])
def test_pdf_office_and_images_are_accepted_by_content(draft, owner_user, upload, content_type):
    row = attachments.add_attachment(by=owner_user, project=draft, upload=upload(), now=PUBLISH_AT)
    assert row.content_type == content_type and row.revision is None
    entry = AuditEntry.objects.get(action="projects.attachment_added")
    assert entry.data["published"] is False and entry.data["sha256"] == row.sha256


@pytest.mark.parametrize(("upload", "message"), [
    (lambda: office("压缩包.zip", ""), "类型不可接受"),                      # a plain ZIP is not an Office file
    (lambda: office("模板.xlsx", "word/document.xml"), "扩展名与内容不符"),  # a Word file named .xlsx
    (lambda: pdf("恶意.pdf", b"MZ\x90\x00 not a pdf"), "只接受"),            # an executable named .pdf
    (lambda: pdf("范围.docx"), "扩展名与内容不符"),                          # a PDF named .docx
    (lambda: pdf("空.pdf", b""), "为空"),
])
def test_wrong_types_are_refused_with_a_clear_message_and_nothing_changes(draft, owner_user, upload, message):
    with pytest.raises(ValidationError) as exc:
        attachments.add_attachment(by=owner_user, project=draft, upload=upload(), now=PUBLISH_AT)
    assert message in str(exc.value)
    assert not PostingAttachment.objects.exists()
    assert not AuditEntry.objects.filter(action="projects.attachment_added").exists()


@override_settings(UPLOAD_MAX_BYTES=1024)
def test_an_oversized_file_is_refused(draft, owner_user):
    with pytest.raises(ValidationError) as exc:
        attachments.add_attachment(by=owner_user, project=draft, upload=pdf(data=b"%PDF-1.4\n" + b"0" * 2048),
                                   now=PUBLISH_AT)
    assert "过大" in str(exc.value)
    assert not PostingAttachment.objects.exists()


def test_only_the_owner_attaches_or_removes(draft, owner_user, other_owner_user, agencies):
    for user in (other_owner_user, agencies[0].user):
        with pytest.raises(PermissionDenied):
            attachments.add_attachment(by=user, project=draft, upload=pdf(), now=PUBLISH_AT)
    row = attachments.add_attachment(by=owner_user, project=draft, upload=pdf(), now=PUBLISH_AT)
    with pytest.raises(PermissionDenied):
        attachments.remove_attachment(by=other_owner_user, attachment=row, now=PUBLISH_AT)
    attachments.remove_attachment(by=owner_user, attachment=row, now=PUBLISH_AT)
    assert not PostingAttachment.objects.exists()
    assert AuditEntry.objects.filter(action="projects.attachment_removed").count() == 1


def test_after_publication_a_file_is_added_with_a_revision_and_never_removed(owner_user, owner_org):
    project = make_published(owner_user, owner_org)
    with pytest.raises(ValidationError) as exc:
        attachments.add_attachment(by=owner_user, project=project, upload=pdf(), now=PUBLISH_AT)
    assert "须说明变更原因" in str(exc.value)
    deadline = project.registration_deadline
    row = attachments.add_attachment(by=owner_user, project=project, upload=pdf("图纸.pdf"), reason="补充图纸",
                                     now=PUBLISH_AT)
    project.refresh_from_db()
    assert row.revision.number == 1 and not row.revision.material and row.revision.diff == {"附件": ["", "图纸.pdf"]}
    assert project.registration_deadline == deadline  # a new file is not a material change
    assert AuditEntry.objects.get(action="projects.attachment_added").data["revision"] == 1
    with pytest.raises(ValidationError):
        attachments.remove_attachment(by=owner_user, attachment=row, now=PUBLISH_AT)
    assert PostingAttachment.objects.count() == 1


def _download(client, row):
    return client.get(reverse("projects:attachment", args=[row.project.code, row.pk]))


def test_a_drafts_file_is_served_to_its_owner_only(client, draft, owner_user, other_owner_user, agencies,
                                                   regulator_user, plain_user):
    row = attachments.add_attachment(by=owner_user, project=draft, upload=pdf(), now=PUBLISH_AT)
    assert _download(client, row).status_code == 404  # anonymous
    for user in (plain_user, other_owner_user, agencies[0].user, regulator_user):
        client.force_login(user)
        assert _download(client, row).status_code == 404
    client.force_login(owner_user)
    response = _download(client, row)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    # Its public API and page do not exist either.
    client.logout()
    assert client.get(f"/api/projects/{draft.code}/attachments").status_code == 404


def test_once_published_the_file_is_public_and_listed(client, draft, owner_user):
    row = attachments.add_attachment(by=owner_user, project=draft, upload=pdf("范围说明.pdf"), title="测区范围",
                                     now=PUBLISH_AT)
    from projects import services

    services.publish(by=owner_user, project=draft, now=PUBLISH_AT)
    assert _download(client, row).status_code == 200
    page = client.get(reverse("projects:detail", args=[draft.code])).content.decode()
    assert "范围说明.pdf" in page and reverse("projects:attachment", args=[draft.code, row.pk]) in page
    api = client.get(f"/api/projects/{draft.code}/attachments").json()
    assert api == [{"name": "范围说明.pdf", "title": "测区范围", "content_type": "application/pdf", "size": row.size,
                    "sha256": row.sha256, "uploaded_at": api[0]["uploaded_at"], "revision": None,
                    "url": reverse("projects:attachment", args=[draft.code, row.pk])}]
    # A file of another posting is not served under this code.
    assert client.get(reverse("projects:attachment", args=["XX-2026-9999", row.pk])).status_code == 404
