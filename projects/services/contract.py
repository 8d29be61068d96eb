"""Contract: the owner records the signing date and uploads the signed scan; the service job opens."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from marketplace import audit, uploads, workdays
from marketplace.policy import current_policy
from projects.delivery.services import start_service
from projects.models import Project
from projects.states import PROJECT

from ._base import local_date, locked, now_or, require


def _contracting(project: Project) -> bool:
    return PROJECT.can(project, "start_service")


@transaction.atomic
def sign_contract(*, by, project: Project, signed_on: dt.date, now: dt.datetime | None = None) -> Project:
    require(by, "projects.edit", project)
    now = now_or(now)
    policy = current_policy()
    project = locked(project)
    if not _contracting(project):
        raise ValidationError("现在不能签订合同 / the contract cannot be signed now")
    if signed_on > local_date(now):
        raise ValidationError("签订日期不能晚于今天 / the signing date cannot be in the future")
    if project.publicity_ends_on and signed_on <= project.publicity_ends_on:
        raise ValidationError("合同须在公示期结束后签订 / sign after the publicity window")
    project.contract_signed_on = signed_on
    project.contract_upload_due_on = workdays.add_working_days(signed_on, policy.contract_upload_wd)
    project.save(update_fields=["contract_signed_on", "contract_upload_due_on", "updated_at"])
    audit.record(action="projects.contract_signed", by=by, obj=project, organisation=project.owner_id, now=now,
                 data={"agency": project.selected.agency_id, "signed_on": signed_on,
                       "late": signed_on > project.contract_due_on if project.contract_due_on else False})
    return project


@transaction.atomic
def upload_contract(*, by, project: Project, upload, signed_on: dt.date | None = None,
                    now: dt.datetime | None = None) -> Project:
    """The signed contract's scan (private storage); the service job opens with this entry."""
    require(by, "projects.edit", project)
    now = now_or(now)
    uploads.check_pdf(upload)
    if signed_on is not None and project.contract_signed_on is None:
        project = sign_contract(by=by, project=project, signed_on=signed_on, now=now)
    project = locked(project)
    if not _contracting(project):
        raise ValidationError("现在不能上传合同 / the contract cannot be uploaded now")
    if project.contract_signed_on is None:
        raise ValidationError("请先填写合同签订日期 / enter the signing date first")
    project.contract_file.save(f"{project.code}.pdf", upload, save=False)
    project.contract_uploaded_at = now
    fields = PROJECT.advance(project, "start_service", now=now)
    project.save(update_fields=[*fields, "contract_file", "contract_uploaded_at"])
    audit.record(action="projects.contract_uploaded", by=by, obj=project, organisation=project.owner_id, now=now,
                 data={"agency": project.selected.agency_id, "signed_on": project.contract_signed_on})
    start_service(project=project, agency=project.selected.agency, contract_signed_on=project.contract_signed_on,
                  limit_wd=project.requested_limit_wd, by=by, now=now)
    return project
