"""Writes for service delivery. Each: a guard (who, which status), the job's state machine, save with
update_fields, one audit entry, notifications (inbox rows now, email after commit)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from agencies.credit import record_credit_event
from marketplace import audit, uploads
from marketplace.notify import notify
from marketplace.permissions import can
from marketplace.policy import Policy, current_policy
from marketplace.workdays import Calendar, get_calendar
from projects.clock import completion_event
from projects.states import PROJECT

from .models import ClockPause, Deliverable, DeliverableFile, Extension, ServiceJob
from .selectors import job_policy
from .states import JOB
from .status import job_clock

S = ServiceJob.Status
MAX_FILES = 20  # files in one deliverable


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _local_day(now: dt.datetime) -> dt.date:
    return timezone.localtime(now).date()


def _locked(job: ServiceJob) -> ServiceJob:
    """Re-read the job under a row lock so racing transitions serialise."""
    return ServiceJob.objects.select_for_update().select_related("project", "agency").get(pk=job.pk)


def _require(by, action: str, job: ServiceJob, message: str) -> None:
    if not can(by, action, job):
        raise PermissionDenied(message)


def job_url(job: ServiceJob) -> str:
    try:
        return reverse("delivery:job", args=[job.pk])
    except Exception:  # URLs not mounted (e.g. a management shell without the delivery URLs)
        return ""


def _owner_org(job: ServiceJob):
    return job.project.owner


def _agency_org(job: ServiceJob):
    return job.agency.organisation


def _audit(action: str, *, job: ServiceJob, by, data: dict | None = None, reason: str = "", organisation=None,
           now: dt.datetime | None = None):
    base = {"project": job.project_id, "agency": job.agency_id, "job": job.pk}
    return audit.record(action=action, by=by, obj=job, organisation=organisation, data={**base, **(data or {})},
                        reason=reason, now=now)


# ---- start ----------------------------------------------------------------------------------


@transaction.atomic
def start_service(*, project, agency, contract_signed_on: dt.date, limit_wd: int, by,
                  materials_complete_on: dt.date | None = None, policy: Policy | None = None,
                  now: dt.datetime | None = None) -> ServiceJob:
    """Open the service job once the contract is signed. The clock starts at the later of signing and
    complete materials; until the materials are complete the job waits on the owner."""
    if by is not None and not can(by, "projects.job_start", project):
        raise PermissionDenied("只有项目业主可以开始服务 / only the project owner can start the service")
    if not isinstance(limit_wd, int) or limit_wd < 1:
        raise ValidationError("服务时限须为正整数个工作日 / the limit must be a positive number of working days")
    today = _local_day(_now(now))
    if contract_signed_on > today:
        raise ValidationError("合同签订日不能晚于今天 / the contract cannot be signed in the future")
    if materials_complete_on is not None and materials_complete_on > today:
        raise ValidationError("资料齐全日不能晚于今天 / materials cannot be complete in the future")
    if ServiceJob.objects.filter(project=project).exists():
        raise ValidationError("该项目的服务已开始 / the service for this project has already started")
    if project.status != project.Status.IN_SERVICE:
        project.save(update_fields=PROJECT.advance(project, "start_service", now=now))
    policy = policy or current_policy()
    started_on = max(contract_signed_on, materials_complete_on) if materials_complete_on else None
    try:
        with transaction.atomic():
            job = ServiceJob.objects.create(
                project=project, agency=agency, limit_wd=limit_wd, contract_signed_on=contract_signed_on,
                materials_complete_on=materials_complete_on, started_on=started_on,
                status=S.RUNNING if started_on else S.WAITING_MATERIALS, policy_version=policy.version)
    except IntegrityError:
        raise ValidationError("该项目的服务已开始 / the service for this project has already started")
    _audit("projects.service_started", job=job, by=by, organisation=project.owner_id, now=now,
           data={"limit_wd": limit_wd, "contract_signed_on": contract_signed_on,
                 "materials_complete_on": materials_complete_on, "started_on": started_on,
                 "policy_version": policy.version})
    notify(key=f"job:{job.pk}:started", recipients=_agency_org(job), kind="service_started",
           title=f"服务开始：{project.code} {project.title}",
           body=f"服务时限 {limit_wd} 个工作日。", url=job_url(job))
    return job


@transaction.atomic
def record_materials_complete(*, job: ServiceJob, on: dt.date, by, now: dt.datetime | None = None) -> ServiceJob:
    """Record the day the owner's materials were complete; the clock starts (from the contract day at the earliest)."""
    job = _locked(job)
    if not (can(by, "projects.job_owner", job) or can(by, "projects.job_agency", job)):
        raise PermissionDenied("只有业主或服务机构可以确认资料齐全 / only the owner or the agency can confirm")
    fields = JOB.advance(job, "record_materials_complete")
    if on > _local_day(_now(now)):
        raise ValidationError("资料齐全日不能晚于今天 / the date cannot be in the future")
    job.materials_complete_on = on
    job.started_on = max(on, job.contract_signed_on)
    job.save(update_fields=["materials_complete_on", "started_on", *fields])
    _audit("projects.materials_complete", job=job, by=by, now=now,
           data={"materials_complete_on": on, "started_on": job.started_on})
    notify(key=f"job:{job.pk}:materials_complete", recipients=[_agency_org(job), _owner_org(job)], kind="resume",
           title=f"资料齐全，开始计时：{job.project.code}", body=f"起算日 {job.started_on:%Y-%m-%d}。",
           url=job_url(job))
    return job


# ---- pauses ---------------------------------------------------------------------------------


@transaction.atomic
def request_pause(*, job: ServiceJob, request: str, by, now: dt.datetime | None = None) -> ClockPause:
    """The agency pauses the clock with a written 补正 request listing what it needs; the day counts as paused."""
    job = _locked(job)
    _require(by, "projects.job_agency", job, "只有服务机构可以申请补正 / only the agency can request materials")
    text = (request or "").strip()
    if len(text) < 4:
        raise ValidationError("请书面列明需要补正的资料 / list in writing the materials you need")
    fields = JOB.advance(job, "request_pause")
    now = _now(now)
    on = _local_day(now)
    pause = ClockPause.objects.create(job=job, requested_on=on, request=text, requested_by=by, first_day=on)
    job.save(update_fields=fields)
    _audit("projects.clock_paused", job=job, by=by, now=now, reason=text,
           data={"pause": pause.pk, "first_day": on})
    notify(key=f"pause:{pause.pk}:requested", recipients=_owner_org(job), kind="pause",
           title=f"服务机构申请补正资料：{job.project.code}", body=text, url=job_url(job))
    return pause


@transaction.atomic
def supply_materials(*, job: ServiceJob, by, note: str = "", now: dt.datetime | None = None) -> ClockPause:
    """The owner supplies what was requested; the supply day is the last paused day, the clock resumes after it."""
    job = _locked(job)
    _require(by, "projects.job_owner", job, "只有项目业主可以提供补正资料 / only the owner can supply materials")
    fields = JOB.advance(job, "supply_materials")
    pause = job.pauses.select_for_update().filter(last_day__isnull=True).first()
    if pause is None:
        raise ValidationError("没有待补正的申请 / there is no open request for materials")
    now = _now(now)
    on = _local_day(now)
    if on < pause.first_day:
        raise ValidationError("补正日期早于申请日 / supply date before the request")
    pause.last_day = pause.supplied_on = on
    pause.supplied_by = by
    pause.supply_note = (note or "").strip()
    pause.save(update_fields=["last_day", "supplied_on", "supplied_by", "supply_note"])
    job.save(update_fields=fields)
    _audit("projects.clock_resumed", job=job, by=by, now=now, reason=pause.supply_note,
           data={"pause": pause.pk, "first_day": pause.first_day, "last_day": on})
    notify(key=f"pause:{pause.pk}:supplied", recipients=_agency_org(job), kind="resume",
           title=f"业主已提供补正资料，恢复计时：{job.project.code}", body=pause.supply_note, url=job_url(job))
    return pause


# ---- extensions -----------------------------------------------------------------------------


@transaction.atomic
def request_extension(*, job: ServiceJob, requested_wd: int, reason: str, by,
                      now: dt.datetime | None = None) -> Extension:
    job = _locked(job)
    _require(by, "projects.job_agency", job, "只有服务机构可以申请延期 / only the agency can request an extension")
    JOB.target(job, "request_extension")
    if not isinstance(requested_wd, int) or requested_wd < 1:
        raise ValidationError("延长天数须为正整数 / the extension must be a positive number of working days")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError("请写明延期理由 / a reason for the extension is required")
    if job.extensions.filter(decision=Extension.Decision.PENDING).exists():
        raise ValidationError("已有待决定的延期申请 / an extension request is already pending")
    now = _now(now)
    ext = Extension.objects.create(job=job, requested_wd=requested_wd, reason=reason, requested_by=by,
                                   requested_at=now)
    _audit("projects.extension_requested", job=job, by=by, now=now, reason=reason,
           data={"extension": ext.pk, "requested_wd": requested_wd})
    notify(key=f"extension:{ext.pk}:requested", recipients=_owner_org(job), kind="extension",
           title=f"服务机构申请延期 {requested_wd} 个工作日：{job.project.code}", body=reason, url=job_url(job))
    return ext


@transaction.atomic
def decide_extension(*, extension: Extension, grant: bool, by, granted_wd: int | None = None, reason: str = "",
                     now: dt.datetime | None = None) -> Extension:
    """The owner grants (all or part of the requested days) or refuses; a refusal needs a reason."""
    job = _locked(extension.job)
    _require(by, "projects.job_owner", job, "只有项目业主可以决定延期 / only the owner decides extensions")
    ext = Extension.objects.select_for_update().get(pk=extension.pk)
    if ext.decision != Extension.Decision.PENDING:
        raise ValidationError("该延期申请已决定 / this extension has already been decided")
    JOB.target(job, "decide_extension")
    reason = (reason or "").strip()
    if grant:
        granted = ext.requested_wd if granted_wd is None else granted_wd
        if not isinstance(granted, int) or not 1 <= granted <= ext.requested_wd:
            raise ValidationError(f"同意天数须在 1 至 {ext.requested_wd} 之间 / grant between 1 and {ext.requested_wd} days")
        ext.decision, ext.granted_wd = Extension.Decision.GRANTED, granted
    else:
        if len(reason) < 4:
            raise ValidationError("不同意延期须说明理由 / a refusal needs a reason")
        ext.decision, ext.granted_wd = Extension.Decision.REFUSED, 0
    now = _now(now)
    ext.decision_reason, ext.decided_by, ext.decided_at = reason, by, now
    ext.save(update_fields=["decision", "granted_wd", "decision_reason", "decided_by", "decided_at"])
    _audit("projects.extension_decided", job=job, by=by, now=now, reason=reason,
           data={"extension": ext.pk, "decision": ext.decision, "requested_wd": ext.requested_wd,
                 "granted_wd": ext.granted_wd})
    verdict = f"同意延长 {ext.granted_wd} 个工作日" if grant else "不同意延期"
    notify(key=f"extension:{ext.pk}:decided", recipients=_agency_org(job), kind="extension",
           title=f"延期申请结果：{verdict}（{job.project.code}）", body=reason, url=job_url(job))
    return ext


# ---- deliverables ---------------------------------------------------------------------------


@transaction.atomic
def submit_deliverable(*, job: ServiceJob, files, note: str = "", by, now: dt.datetime | None = None) -> Deliverable:
    """The agency submits the result (files checked by content) and a note; its clock stops on this day."""
    job = _locked(job)
    _require(by, "projects.job_agency", job, "只有服务机构可以提交成果 / only the agency can submit deliverables")
    fields = JOB.advance(job, "submit_deliverable")
    files = [f for f in (files or []) if f]
    if not files:
        raise ValidationError("请上传成果文件 / at least one file is required")
    if len(files) > MAX_FILES:
        raise ValidationError(f"一次最多上传 {MAX_FILES} 个文件 / at most {MAX_FILES} files")
    checked = [uploads.check_upload(f, uploads.PDF_IMAGE_OR_ZIP, match_name=True).meta() for f in files]
    now = _now(now)
    deliverable = Deliverable.objects.create(job=job, note=(note or "").strip(), submitted_by=by, submitted_at=now,
                                             submitted_on=_local_day(now))
    for upload, meta in zip(files, checked, strict=True):
        row = DeliverableFile(deliverable=deliverable, **meta)
        row.file.save(meta["name"], upload, save=False)
        row.save()
    job.save(update_fields=fields)
    _audit("projects.deliverable_submitted", job=job, by=by, now=now,
           data={"deliverable": deliverable.pk, "files": [m["sha256"] for m in checked],
                 "submitted_on": deliverable.submitted_on})
    notify(key=f"deliverable:{deliverable.pk}:submitted", recipients=_owner_org(job), kind="deliverable_submitted",
           title=f"服务成果待验收：{job.project.code}", body=deliverable.note, url=job_url(job))
    return deliverable


def _pending(job: ServiceJob, deliverable: Deliverable) -> Deliverable:
    row = Deliverable.objects.select_for_update().get(pk=deliverable.pk, job=job)
    if row.decision != Deliverable.Decision.PENDING:
        raise ValidationError("该成果已有验收结论 / this deliverable has already been decided")
    return row


@transaction.atomic
def return_deliverable(*, deliverable: Deliverable, reason: str, by, now: dt.datetime | None = None) -> Deliverable:
    """The owner returns the deliverable for rework, with a reason; the agency's clock runs again after today."""
    job = _locked(deliverable.job)
    _require(by, "projects.job_owner", job, "只有项目业主可以退回成果 / only the owner can return a deliverable")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError("退回须写明理由 / a reason for returning is required")
    fields = JOB.advance(job, "return_deliverable")
    row = _pending(job, deliverable)
    now = _now(now)
    row.decision, row.decision_reason, row.decided_by = Deliverable.Decision.RETURNED, reason, by
    row.decided_at, row.decided_on = now, max(_local_day(now), row.submitted_on)
    row.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at", "decided_on"])
    job.save(update_fields=fields)
    _audit("projects.deliverable_returned", job=job, by=by, now=now, reason=reason,
           data={"deliverable": row.pk, "returned_on": row.decided_on})
    notify(key=f"deliverable:{row.pk}:returned", recipients=_agency_org(job), kind="deliverable_returned",
           title=f"服务成果被退回修改：{job.project.code}", body=reason, url=job_url(job))
    return row


@transaction.atomic
def accept_deliverable(*, deliverable: Deliverable, by, now: dt.datetime | None = None,
                       policy: Policy | None = None, calendar: Calendar | None = None) -> ServiceJob:
    """The owner accepts: the clock stops at the submission day; 1..N working days late records
    `overdue_minor`, more records `overdue_major` (credit ledger), on time records nothing."""
    job = _locked(deliverable.job)
    _require(by, "projects.job_owner", job, "只有项目业主可以验收成果 / only the owner can accept a deliverable")
    fields = JOB.advance(job, "accept_deliverable")
    row = _pending(job, deliverable)
    now = _now(now)
    policy = policy or job_policy(job)
    calendar = calendar or get_calendar()
    row.decision, row.decided_by, row.decided_at = Deliverable.Decision.ACCEPTED, by, now
    row.decided_on = max(_local_day(now), row.submitted_on)
    row.save(update_fields=["decision", "decided_by", "decided_at", "decided_on"])
    clock = job_clock(job, today=row.submitted_on, calendar=calendar, policy=policy)
    event = completion_event(clock.overdue, policy)
    job.accepted_on = row.decided_on
    job.overdue_wd, job.completion_event, job.policy_version = clock.overdue, event or "", policy.version
    job.save(update_fields=[*fields, "accepted_on", "overdue_wd", "completion_event", "policy_version"])
    project = job.project
    project.save(update_fields=PROJECT.advance(project, "complete", now=now))
    if event:
        record_credit_event(agency=job.agency, code=event, date=job.accepted_on, cause_obj=job, by=by,
                            cause=f"项目 {project.code} 服务超时 {clock.overdue} 个工作日 / "
                                  f"delivered {clock.overdue} working days late")
    _audit("projects.deliverable_accepted", job=job, by=by, now=now, organisation=project.owner_id,
           data={"accepted_on": job.accepted_on.isoformat(), "deliverable": row.pk,
                 "completed_on": row.submitted_on, "limit_wd": clock.limit, "used_wd": clock.used,
                 "overdue_wd": clock.overdue, "event": event, "calendar_confirmed": clock.confirmed,
                 "policy_version": policy.version})
    _notify_accepted(job, row, clock.overdue)
    return job


def _notify_accepted(job: ServiceJob, row: Deliverable, overdue: int) -> None:
    code = job.project.code
    late = f"超时 {overdue} 个工作日" if overdue else "按期完成"
    notify(key=f"deliverable:{row.pk}:accepted", recipients=_agency_org(job), kind="deliverable_accepted",
           title=f"服务成果已验收（{late}）：{code}", url=job_url(job))
    # The owner's "rating due" message is declared by ratings on `ratings.rating_opened` (with its deadline).


@transaction.atomic
def record_rated(*, job: ServiceJob, on: dt.date) -> ServiceJob:
    """Close the owner's rating deadline (called when the ratings app records the rating)."""
    updated = ServiceJob.objects.filter(pk=job.pk, rated_on__isnull=True).update(rated_on=on)
    job.refresh_from_db(fields=["rated_on"])
    if updated:
        _audit("projects.rating_deadline_closed", job=job, by=None, data={"rated_on": on})
    return job
