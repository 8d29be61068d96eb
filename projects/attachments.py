"""Attachments on postings (docs/rules.md §12.2): scope documents, drawings and templates.

PDF, Word (.docx), Excel (.xlsx), JPEG and PNG, recognised by content with the kernel's checks
(`marketplace.uploads.check_upload`); an Office file is a ZIP container whose parts name it a Word
document or a workbook. The owner attaches files while drafting; after publication an attachment is
added with a (non-material) revision, so bidders see a dated change. Files of a draft are served to
nobody but the owner and operators (the `projects.view` rule); once the posting is published they are
public.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from django.core.exceptions import ValidationError
from django.db import transaction

from marketplace import audit, uploads
from projects.models import PostingAttachment, Project, ProjectRevision
from projects.services._base import locked, now_or, require
from projects.states import PROJECT

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OFFICE = {DOCX: ("docx", "word/document.xml"), XLSX: ("xlsx", "xl/workbook.xml")}
ACCEPTED_LABEL = "PDF、Word（docx）、Excel（xlsx）、JPEG 或 PNG / PDF, Word (docx), Excel (xlsx), JPEG or PNG"
TITLE_MAX = 200


def _refuse_type(name: str) -> ValidationError:
    return ValidationError(f"文件“{name}”的类型不可接受（按内容识别），只接受 {ACCEPTED_LABEL} 文件 / "
                           f"{name}: only {ACCEPTED_LABEL.split(' / ')[1]} files are accepted (checked by content)",
                           code="type")


def office_type(data: bytes) -> str | None:
    """The Office content type of a ZIP container (docx or xlsx), or None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for content_type, (_ext, part) in OFFICE.items():
        if part in names:
            return content_type
    return None


def check_attachment(upload) -> uploads.CheckedFile:
    """The kernel's content checks, then: an Office container must be docx/xlsx with the matching name."""
    checked = uploads.check_upload(upload, uploads.PDF_IMAGE_OR_ZIP, keep_data=True)
    name = checked.name
    if checked.content_type == "application/zip":
        content_type = office_type(checked.data)
        if content_type is None:
            raise _refuse_type(name)
        ext = OFFICE[content_type][0]
        if not name.lower().endswith(f".{ext}"):
            raise ValidationError(f"文件“{name}”的扩展名与内容不符（应为 .{ext}） / {name}: the extension does not "
                                  f"match the content (expected .{ext})", code="extension")
        return uploads.CheckedFile(name=name, content_type=content_type, ext=ext, size=checked.size,
                                   sha256=checked.sha256, data=checked.data)
    if not name or not uploads.extension_matches(checked.content_type, name):
        raise ValidationError(f"文件“{name}”的扩展名与内容不符 / {name}: the extension does not match the content",
                              code="extension")
    return checked


def _announce(project: Project, *, by, name: str, reason: str, now: dt.datetime) -> ProjectRevision:
    """A published posting's new file is a dated, non-material revision (the window is not extended)."""
    if not (reason or "").strip():
        raise ValidationError("发布后添加附件须说明变更原因 / adding a file after publication needs a reason "
                              "(it is published as a revision)")
    if project.registration_deadline and now >= project.registration_deadline:
        raise ValidationError("报名已截止，不能变更 / registration has closed; no more revisions")
    fields = PROJECT.advance(project, "revise", now=now)
    project.save(update_fields=fields)
    number = project.revisions.count() + 1
    diff = {"附件": ["", name]}
    revision = ProjectRevision.objects.create(
        project=project, number=number, created_at=now, created_by=by, reason=reason.strip(), diff=diff,
        material=False, old_deadline=project.registration_deadline, new_deadline=project.registration_deadline)
    audit.record(action="projects.revised", by=by, obj=project, organisation=project.owner_id, now=now,
                 reason=reason, data={"revision": number, "diff": diff, "material": False,
                                      "deadline": project.registration_deadline})
    return revision


@transaction.atomic
def add_attachment(*, by, project: Project, upload, title: str = "", reason: str = "",
                   now: dt.datetime | None = None) -> PostingAttachment:
    """Attach a checked file to a draft, or (with `reason`, as a revision) to a published posting."""
    require(by, "projects.edit", project)
    now = now_or(now)
    checked = check_attachment(upload)
    title = (title or "").strip()
    if len(title) > TITLE_MAX:
        raise ValidationError(f"说明不得超过 {TITLE_MAX} 字 / the description must not exceed {TITLE_MAX} characters")
    project = locked(project)
    draft = PROJECT.can(project, "publish")
    if not draft and not PROJECT.can(project, "revise"):
        raise ValidationError("只有草稿或报名中的项目可以添加附件 / files can be attached to drafts and open postings only")
    revision = None if draft else _announce(project, by=by, name=checked.name, reason=reason, now=now)
    stored, _sha = uploads.stored_file(checked.data, checked.ext)
    row = PostingAttachment(project=project, name=checked.name, title=title, content_type=checked.content_type,
                            size=checked.size, sha256=checked.sha256, uploaded_at=now, uploaded_by=by,
                            revision=revision)
    row.file.save(stored.name, stored, save=False)
    row.save()
    audit.record(action="projects.attachment_added", by=by, obj=row, organisation=project.owner_id, now=now,
                 reason=reason or "", data={"project": project.pk, "code": project.code, "attachment": row.pk,
                                            "name": row.name, "sha256": row.sha256, "size": row.size,
                                            "published": not draft,
                                            "revision": revision.number if revision else None})
    return row


@transaction.atomic
def remove_attachment(*, by, attachment: PostingAttachment, now: dt.datetime | None = None) -> None:
    """Only a draft's files may be removed: a published file stays in the public record."""
    project = attachment.project
    require(by, "projects.edit", project)
    now = now_or(now)
    project = locked(project)
    if not PROJECT.can(project, "publish"):
        raise ValidationError("已发布项目的附件不能删除，请以变更公告说明 / a published posting's files cannot be "
                              "removed; publish a revision instead")
    row = locked(attachment)
    audit.record(action="projects.attachment_removed", by=by, obj=row, organisation=project.owner_id, now=now,
                 data={"project": project.pk, "code": project.code, "attachment": row.pk, "name": row.name})
    storage, path = row.file.storage, row.file.name
    row.delete()
    transaction.on_commit(lambda: storage.delete(path))
