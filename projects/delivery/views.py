"""Service job pages: one detail page with the actions each party may take; actions are POST-only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.models import CreditEvent
from marketplace import audit
from marketplace.feedback import show_errors
from marketplace.permissions import can, require
from marketplace.workdays import get_calendar, today

from . import services
from .models import DeliverableFile, Extension, ServiceJob
from .selectors import job_actions, job_policy, jobs_with_history
from .status import WAIT_LABELS, effective_limit, job_clock, owner_waits


def _job(request, pk: int) -> ServiceJob:
    job = get_object_or_404(jobs_with_history(), pk=pk)
    require(request.user, "projects.job_view", job)
    return job


@login_required
def job_detail(request, pk: int):
    job = _job(request, pk)
    kw = {"today": today(), "calendar": get_calendar(), "policy": job_policy(job)}
    waits = [(w, WAIT_LABELS[w.kind]) for w in owner_waits(job, **kw)]
    credit = CreditEvent.objects.filter(cause_type=audit.object_ref(job)[0], cause_id=str(job.pk))
    is_owner = can(request.user, "projects.job_owner", job)
    return render(request, "delivery/job_detail.html", {
        "job": job, "project": job.project, "clock": job_clock(job, **kw), "waits": waits, "today": kw["today"],
        "limit": effective_limit(job), "pauses": job.pauses.all(), "extensions": job.extensions.all(),
        "deliverables": job.deliverables.all(), "credit_events": credit,
        "history": audit.history(job),
        "completion_label": CreditEvent.Code(job.completion_event).label if job.completion_event else "",
        "is_owner": is_owner, "rating": _rating_to_give(request.user, job) if is_owner else None,
        "actions": job_actions(job, is_owner=is_owner, is_agency=can(request.user, "projects.job_agency", job)),
    })


def _rating_to_give(user, job: ServiceJob):
    """The owner's pending rating of an accepted job, if this user may give it (created by the ratings app on
    acceptance; read through the project's reverse relation so this app does not import ratings)."""
    if job.status != ServiceJob.Status.ACCEPTED:
        return None
    rating = job.project.ratings.filter(agency=job.agency, result="").first()
    return rating if rating is not None and can(user, "ratings.rate", rating) else None


def _act(request, pk: int, fn, success: str):
    """Run a service for the job, turning refusals into a 403 and bad input into a message."""
    job = _job(request, pk)
    try:
        fn(job)
        messages.success(request, success)
    except ValidationError as exc:
        show_errors(request, exc)
    return redirect("delivery:job", pk=job.pk)


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        if default is not None:
            return default
        raise ValidationError("请输入整数 / please enter a whole number")


@login_required
@require_POST
def materials_complete(request, pk: int):
    from datetime import date

    def run(job):
        try:
            on = date.fromisoformat(request.POST.get("on", ""))
        except ValueError:
            raise ValidationError("日期格式应为 YYYY-MM-DD / the date must be YYYY-MM-DD")
        services.record_materials_complete(job=job, on=on, by=request.user)

    return _act(request, pk, run, _("已确认资料齐全，开始计时 / materials complete, the clock runs"))


@login_required
@require_POST
def pause(request, pk: int):
    return _act(request, pk, lambda job: services.request_pause(job=job, request=request.POST.get("request", ""),
                                                                by=request.user),
                _("已提交补正申请，计时暂停 / clock paused, the owner has been asked"))


@login_required
@require_POST
def supply(request, pk: int):
    return _act(request, pk, lambda job: services.supply_materials(job=job, note=request.POST.get("note", ""),
                                                                   by=request.user),
                _("已提供补正资料，恢复计时 / materials supplied, the clock runs again"))


@login_required
@require_POST
def extension_request(request, pk: int):
    return _act(request, pk, lambda job: services.request_extension(
        job=job, requested_wd=_int(request.POST.get("requested_wd")), reason=request.POST.get("reason", ""),
        by=request.user), _("已提交延期申请 / extension requested"))


@login_required
@require_POST
def extension_decide(request, pk: int, ext_id: int):
    def run(job):
        ext = get_object_or_404(Extension, pk=ext_id, job=job)
        grant = request.POST.get("decision") == "grant"
        granted = request.POST.get("granted_wd") or None
        services.decide_extension(extension=ext, grant=grant, granted_wd=_int(granted) if granted else None,
                                  reason=request.POST.get("reason", ""), by=request.user)

    return _act(request, pk, run, _("已决定延期申请 / extension decided"))


@login_required
@require_POST
def deliver(request, pk: int):
    return _act(request, pk, lambda job: services.submit_deliverable(
        job=job, files=request.FILES.getlist("files"), note=request.POST.get("note", ""), by=request.user),
        _("成果已提交 / deliverable submitted"))


@login_required
@require_POST
def accept(request, pk: int, deliverable_id: int):
    def run(job):
        d = get_object_or_404(job.deliverables.all(), pk=deliverable_id)
        services.accept_deliverable(deliverable=d, by=request.user)

    return _act(request, pk, run, _("成果已验收 / deliverable accepted"))


@login_required
@require_POST
def return_(request, pk: int, deliverable_id: int):
    def run(job):
        d = get_object_or_404(job.deliverables.all(), pk=deliverable_id)
        services.return_deliverable(deliverable=d, reason=request.POST.get("reason", ""), by=request.user)

    return _act(request, pk, run, _("成果已退回修改 / deliverable returned"))


@login_required
def download(request, pk: int, file_id: int):
    job = _job(request, pk)
    row = DeliverableFile.objects.filter(pk=file_id, deliverable__job=job).first()
    if row is None:
        raise Http404
    try:
        handle = row.file.open("rb")
    except FileNotFoundError:
        raise Http404
    return FileResponse(handle, as_attachment=True, filename=row.name, content_type=row.content_type)
