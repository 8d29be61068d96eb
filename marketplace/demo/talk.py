"""Demo clarifications, posting attachments and a job thread (docs/rules.md §12), all through the real services.

After `seed_projects`: the open posting gets a scope document (a revision), a question asked by a
registered agency and answered by the owner; the running service job gets a short thread with a file.
Idempotent: nothing is added when the open posting already has a question.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from marketplace.demo.history import MINIMAL_PDF, admin_of

OPEN_POSTING = "平湖市独山港区道路工程1:500地形图测绘"
RUNNING_JOB = "平湖市乍浦镇滨海大道拓宽工程规划放线测量"


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, MINIMAL_PDF, content_type="application/pdf")


def _clarification(project, now: dt.datetime) -> None:
    from projects import attachments, clarifications

    if project.clarifications.exists():
        return
    owner = admin_of(project.owner)
    base = project.published_at
    attachments.add_attachment(by=owner, project=project, upload=_pdf("测绘范围示意图.pdf"), title="测区范围及控制点分布",
                               reason="补充测区范围示意图", now=min(now, base + dt.timedelta(hours=1)))
    registration = project.registrations.select_related("agency__organisation").first()
    if registration is None:
        return
    agency = registration.agency
    asked = clarifications.ask(by=admin_of(agency.organisation), project=project, agency=agency,
                               question="测区内是否包含已建成的地下管线？是否需要同步开展管线探测？",
                               now=min(now, base + dt.timedelta(hours=2)))
    clarifications.answer(by=owner, clarification=asked,
                          text="不包含。本项目仅为1:500地形图测绘，地下管线探测另行委托；现状管线检查井需在图上表示。",
                          now=min(now, base + dt.timedelta(hours=3)))


def _thread(job, now: dt.datetime) -> None:
    from projects.delivery import messages

    if job.messages.exists():
        return
    owner, agency = admin_of(job.project.owner), admin_of(job.agency.organisation)
    start = timezone.localtime(job.created_at) if job.created_at else now - dt.timedelta(days=10)
    start = min(start, now - dt.timedelta(days=2))
    messages.send_message(by=owner, job=job, body="控制点成果已发至贵司邮箱，请查收；现场踏勘可联系道路科王工。",
                          now=start + dt.timedelta(hours=2))
    messages.mark_read(by=agency, job=job, now=start + dt.timedelta(hours=3))
    messages.send_message(by=agency, job=job, body="已收到。附件为放线测量作业方案，请审阅。",
                          files=[_pdf("放线测量作业方案.pdf")], now=start + dt.timedelta(hours=4))
    messages.mark_read(by=owner, job=job, now=start + dt.timedelta(days=1))
    messages.send_message(by=owner, job=job, body="方案已阅，同意按此实施。", now=start + dt.timedelta(days=1, hours=1))


def seed_talk() -> None:
    """A clarification asked and answered, a posting attachment, and a job thread with a file."""
    from projects.models import Project

    now = timezone.now()
    with transaction.atomic():
        project = Project.objects.filter(title=OPEN_POSTING, status=Project.Status.PUBLISHED).first()
        if project is not None:
            _clarification(project, now)
        running = Project.objects.filter(title=RUNNING_JOB).select_related("service_job").first()
        job = getattr(running, "service_job", None) if running is not None else None
        if job is not None:
            _thread(job, now)
