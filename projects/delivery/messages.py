"""The job's message thread (docs/rules.md §12.3): one thread per project between the owner and the agency.

It opens with the service job (the contract upload opens the job). Messages carry files checked like
deliverables (`marketplace.uploads.check_upload`, PDF / JPEG / PNG / ZIP by content), are audited, notify
the other side (declared on `projects.message_sent` in `projects/notifications.py`) and are never edited or deleted after sending: there is no write path for that. A read
receipt is set the first time a member of the receiving side opens the thread. The competent regulator
reads the thread (read-only) when an objection, complaint or appeal concerns the project
(`projects.thread_view`).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from marketplace import audit, uploads
from marketplace.permissions import is_member
from projects.talk_models import JobMessage, JobMessageFile

from .models import ServiceJob
from .services import MAX_FILES

BODY_MAX_CHARS = 5000


def side_of(user, job: ServiceJob) -> str | None:
    """"owner" or "agency" for a member of that side of the job, else None."""
    if is_member(user, job.project.owner_id):
        return "owner"
    if is_member(user, job.agency.organisation_id):
        return "agency"
    return None


def thread_url(job: ServiceJob) -> str:
    try:
        return reverse("delivery:thread", args=[job.pk])
    except Exception:  # URLs not mounted
        return ""


def _clean_files(files) -> list[tuple[object, dict]]:
    files = [f for f in (files or []) if f]
    if len(files) > MAX_FILES:
        raise ValidationError(f"一次最多上传 {MAX_FILES} 个文件 / at most {MAX_FILES} files")
    return [(f, uploads.check_upload(f, uploads.PDF_IMAGE_OR_ZIP, match_name=True).meta()) for f in files]


@transaction.atomic
def send_message(*, by, job: ServiceJob, body: str, files=(), now: dt.datetime | None = None):
    """Send a message (with optional checked files) from the sender's side; the other side is notified."""
    side = side_of(by, job) if by is not None else None
    if side is None:
        raise PermissionDenied("只有本项目的业主和服务机构可以发送消息 / only the project's owner and agency may "
                               "write in this thread")
    body = (body or "").strip()
    if not body:
        raise ValidationError("请填写消息内容 / the message is empty", code="required")
    if len(body) > BODY_MAX_CHARS:
        raise ValidationError(f"消息不得超过 {BODY_MAX_CHARS} 字 / a message must not exceed {BODY_MAX_CHARS} "
                              "characters", code="length")
    checked = _clean_files(files)
    now = now or timezone.now()
    job = ServiceJob.objects.select_for_update().select_related("project", "agency").get(pk=job.pk)
    message = JobMessage.objects.create(job=job, side=side, author=by, body=body, sent_at=now)
    for upload, meta in checked:
        row = JobMessageFile(message=message, **meta)
        row.file.save(meta["name"], upload, save=False)
        row.save()
    organisation = job.project.owner_id if side == "owner" else job.agency.organisation_id
    audit.record(action="projects.message_sent", by=by, obj=message, organisation=organisation, now=now,
                 data={"project": job.project_id, "agency": job.agency_id, "job": job.pk, "message": message.pk,
                       "side": side, "files": [meta["sha256"] for _f, meta in checked]})
    return message


@transaction.atomic
def mark_read(*, by, job: ServiceJob, now: dt.datetime | None = None) -> int:
    """Set the read receipts of the other side's unread messages; returns how many were set (0 writes nothing)."""
    side = side_of(by, job) if by is not None else None
    if side is None:
        return 0  # a regulator reading a thread leaves no receipt: the parties see what they read
    now = now or timezone.now()
    ids = list(JobMessage.objects.select_for_update().filter(job=job, read_at__isnull=True)
               .exclude(side=side).values_list("pk", flat=True))
    if not ids:
        return 0
    JobMessage.objects.filter(pk__in=ids).update(read_at=now, read_by=by)
    organisation = job.project.owner_id if side == "owner" else job.agency.organisation_id
    audit.record(action="projects.messages_read", by=by, obj=job, organisation=organisation, now=now,
                 data={"project": job.project_id, "agency": job.agency_id, "job": job.pk, "messages": ids,
                       "side": side})
    return len(ids)


def thread(job: ServiceJob):
    """The job's messages in order, with their files and authors (one query each)."""
    return JobMessage.objects.filter(job=job).select_related("author", "read_by").prefetch_related("files")


def unread_count(user, job: ServiceJob) -> int:
    side = side_of(user, job)
    if side is None:
        return 0
    return JobMessage.objects.filter(job=job, read_at__isnull=True).exclude(side=side).count()
