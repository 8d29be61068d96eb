"""Clarifications, posting attachments and the job's message thread: entry points that parse input and call
the services in `projects.clarifications`, `projects.attachments` and `projects.delivery.messages`.

Refusals: a user outside the rule gets 403 (or 404 where the object itself must stay hidden: a draft's
file, another project's thread); bad input gets a message and changes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.models import Agency
from marketplace import permissions
from marketplace.feedback import show_errors
from projects import attachments, clarifications, selectors
from projects.delivery import messages as job_messages
from projects.delivery.models import ServiceJob
from projects.models import Clarification, JobMessageFile, PostingAttachment, Project
from projects.talk_forms import AnswerForm, AttachmentForm, MessageForm, QuestionForm


def _project(request, code: str) -> Project:
    try:
        project = selectors.project_detail(code)
    except Project.DoesNotExist:
        raise Http404
    if not permissions.can(request.user, "projects.view", project):
        raise Http404
    return project


def _back(project: Project, anchor: str):
    response = redirect("projects:detail", code=project.code)
    response["Location"] += f"#{anchor}"
    return response


def _stream(row):
    try:
        handle = row.file.open("rb")
    except FileNotFoundError:
        raise Http404
    return FileResponse(handle, as_attachment=True, filename=row.name, content_type=row.content_type)


# ---- clarifications -----------------------------------------------------------------------------

@login_required
@require_POST
def clarification_ask(request, code: str):
    project = _project(request, code)
    orgs = permissions.organisations(request.user, "agency")
    agency = Agency.objects.filter(organisation__in=orgs).first() if orgs else None
    if agency is None:
        raise PermissionDenied(_("只有中介机构可以提问 / agencies only"))
    form = QuestionForm(request.POST)
    if not form.is_valid():
        show_errors(request, form)
        return _back(project, "clarifications")
    try:
        clarifications.ask(by=request.user, project=project, agency=agency, question=form.cleaned_data["question"])
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("问题已提交，业主将公开答复（不显示提问机构） / question sent; the owner answers "
                                    "publicly without naming you"))
    return _back(project, "clarifications")


@login_required
def clarification_answer(request, code: str, number: int):
    project = _project(request, code)
    permissions.require(request.user, "projects.edit", project)
    row = get_object_or_404(Clarification, project=project, number=number)
    initial = {k: getattr(project, k) for k in ("scope", "ceiling", "floor", "requested_limit_wd")}
    form = AnswerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            clarifications.answer(by=request.user, clarification=row, text=form.cleaned_data["answer"],
                                  changes=form.changes(project), reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("答复已公开发布 / answer published"))
            return _back(project, "clarifications")
    elif request.method == "POST":
        show_errors(request, form)
    return render(request, "projects/talk/answer.html", {"project": project, "row": row, "form": form})


# ---- posting attachments ------------------------------------------------------------------------

@login_required
@require_POST
def attachment_add(request, code: str):
    project = _project(request, code)
    permissions.require(request.user, "projects.edit", project)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        show_errors(request, form)
        return _back(project, "attachments")
    d = form.cleaned_data
    try:
        attachments.add_attachment(by=request.user, project=project, upload=d["file"], title=d["title"],
                                   reason=d["reason"])
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("附件已添加 / file attached"))
    return _back(project, "attachments")


@login_required
@require_POST
def attachment_remove(request, code: str, pk: int):
    project = _project(request, code)
    permissions.require(request.user, "projects.edit", project)
    row = get_object_or_404(PostingAttachment, pk=pk, project=project)
    try:
        attachments.remove_attachment(by=request.user, attachment=row)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("附件已删除 / file removed"))
    return _back(project, "attachments")


def attachment_download(request, code: str, pk: int):
    row = PostingAttachment.objects.select_related("project").filter(pk=pk, project__code=code).first()
    if row is None or not permissions.can(request.user, "projects.view_attachment", row):
        raise Http404  # a draft's file does not exist for anyone but its owner
    return _stream(row)


# ---- the job's message thread -------------------------------------------------------------------

def _job(request, pk: int) -> ServiceJob:
    job = ServiceJob.objects.select_related("project__owner", "project__service_type", "agency__organisation") \
        .filter(pk=pk).first()
    if job is None or not permissions.can(request.user, "projects.thread_view", job):
        raise Http404  # another project's thread does not exist for this user
    return job


@login_required
def thread(request, pk: int):
    job = _job(request, pk)
    may_post = permissions.can(request.user, "projects.thread_post", job)
    form = MessageForm(request.POST or None)
    if request.method == "POST":
        if not may_post:
            raise PermissionDenied(_("监管部门只能查阅 / regulators read only"))
        if form.is_valid():
            try:
                job_messages.send_message(by=request.user, job=job, body=form.cleaned_data["body"],
                                          files=request.FILES.getlist("files"))
            except ValidationError as exc:
                show_errors(request, exc)
            else:
                messages.success(request, _("消息已发送 / message sent"))
                return redirect("delivery:thread", pk=job.pk)
        else:
            show_errors(request, form)
    else:
        job_messages.mark_read(by=request.user, job=job)
    return render(request, "projects/talk/thread.html", {
        "job": job, "project": job.project, "rows": list(job_messages.thread(job)), "form": form,
        "may_post": may_post, "my_side": job_messages.side_of(request.user, job),
    })


@login_required
def thread_file(request, pk: int, file_id: int):
    job = _job(request, pk)
    row = JobMessageFile.objects.filter(pk=file_id, message__job=job).first()
    if row is None:
        raise Http404
    return _stream(row)
