"""Writes of the admission workflow: start, edit, submit, approve or reject an application.

Every function: keyword-only, explicit actor `by` (None = the system: imports, sweeps), a guard,
`save(update_fields=...)`, one audit entry, side effects on commit. A `by` user is checked against
the named permission rule; the system actor is trusted.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies import events
from agencies.identifiers import duplicate_error, entity_type_from_uscc, validate_resident_id, validate_uscc
from agencies.models import Agency
from agencies.permissions import check_actor
from agencies.selectors import active_blacklist, missing_for_submission
from agencies.states import MACHINE, S, guard
from agencies.status import blacklist_error
from marketplace import audit, workdays
from marketplace.models import Membership, Notification, Organisation, Region
from marketplace.policy import current_policy

BASIC_FIELDS = ["name", "entity_type", "region", "address", "established_on", "legal_rep_name", "legal_rep_id",
                "contact_name", "contact_phone", "contact_id", "description"]


def _clean_basic(data: dict) -> dict:
    out = {}
    for key in BASIC_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if key == "region" and value is not None and not isinstance(value, Region):
            value = Region.objects.filter(code=str(value)).first()
            if value is None:
                raise ValidationError("行政区划代码不存在 / unknown region code", code="region")
        elif key in ("legal_rep_id", "contact_id") and value:
            value = validate_resident_id(value)
        elif key == "entity_type" and value and value not in Agency.EntityType.values:
            raise ValidationError("主体类型无效 / invalid entity type", code="entity_type")
        elif isinstance(value, str):
            value = value.strip()
        out[key] = value
    return out


@transaction.atomic
def start_application(*, by, uscc: str, name: str, region, today: dt.date | None = None, **basic) -> Agency:
    """Create a draft application (and its agency Organisation) for `uscc`, or reopen a removed agency's row
    once any blacklist has ended. Raises ValidationError(code=duplicate|blacklisted|...)."""
    today = today or timezone.localdate()
    code = validate_uscc(uscc)
    entry = active_blacklist(code, today)
    if entry is not None:
        raise blacklist_error(entry)
    fields = _clean_basic({"name": name, "region": region, **basic})
    if not fields.get("name"):
        raise ValidationError("请填写机构名称 / the name is required", code="required")
    if fields.get("region") is None:
        raise ValidationError("请选择行政区划 / the region is required", code="required")
    fields["entity_type"] = fields.get("entity_type") or entity_type_from_uscc(code)
    existing = Agency.objects.select_for_update().filter(uscc=code).first()
    if existing is not None:
        return _reopen(existing, by=by, fields=fields)
    # Two applicants racing for one code: the unique constraints on Organisation.uscc and Agency.uscc
    # let exactly one through; the other gets `duplicate`.
    try:
        with transaction.atomic():
            org = Organisation.objects.filter(uscc=code).first()
            if org is None:
                org = Organisation.objects.create(kind=Organisation.Kind.AGENCY, name=fields["name"], uscc=code,
                                                  region=fields["region"])
            elif org.kind != Organisation.Kind.AGENCY:
                raise duplicate_error()
            agency = Agency.objects.create(organisation=org, uscc=code, applicant=by, status=S.DRAFT, **fields)
    except IntegrityError:
        raise duplicate_error() from None
    audit.record(action=events.APPLICATION_STARTED.action, by=by, obj=agency, organisation=org,
                 data={"uscc": code, "name": agency.name})
    return agency


def _reopen(existing: Agency, *, by, fields: dict) -> Agency:
    """A removed or blacklisted agency applies again on its own row (any other status is a duplicate)."""
    if not MACHINE.can(existing, "reopen"):
        raise duplicate_error()
    for key, value in fields.items():
        setattr(existing, key, value)
    existing.applicant = by
    existing.rejection_reason = ""
    MACHINE.transition(existing, "reopen", by=by, action=events.STATUS_CHANGED.action,
                       organisation=existing.organisation_id, data={"until": None},
                       reason="重新申请入驻 / re-application",
                       extra_fields=[*fields, "applicant", "rejection_reason"])
    return existing


@transaction.atomic
def update_application(*, by, agency: Agency, **data) -> Agency:
    """Edit the basic information of a draft or returned application."""
    check_actor(by, "agencies.edit_application", agency)
    if agency.status not in (S.DRAFT, S.REJECTED):
        raise ValidationError("申请已提交，不能修改 / the application is no longer editable", code="status")
    fields = _clean_basic(data)
    for key, value in fields.items():
        setattr(agency, key, value)
    if not agency.entity_type:
        agency.entity_type = entity_type_from_uscc(agency.uscc)
        fields["entity_type"] = agency.entity_type
    agency.save(update_fields=[*fields, "updated_at"])
    if "name" in fields and agency.organisation.name != agency.name:
        agency.organisation.name = agency.name
        agency.organisation.save(update_fields=["name"])
    return agency


@transaction.atomic
def submit_application(*, by, agency: Agency, today: dt.date | None = None,
                       now: dt.datetime | None = None) -> Agency:
    """Submit (or resubmit) an application; the review is due `admission_review_wd` working days later."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    check_actor(by, "agencies.edit_application", agency)
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    guard(agency, "submit")
    entry = active_blacklist(agency.uscc, today)
    if entry is not None:
        raise blacklist_error(entry)
    missing = missing_for_submission(agency)
    if missing:
        raise ValidationError("申请材料不完整 / the application is incomplete: " + "；".join(missing), code="incomplete")
    policy = current_policy()
    due = workdays.add_working_days(today, policy.admission_review_wd)
    resubmission = agency.status == S.REJECTED
    fields = MACHINE.advance(agency, "submit", now=now)
    agency.submitted_at = now
    agency.review_due_on = due
    agency.save(update_fields=[*fields, "submitted_at", "review_due_on"])
    audit.record(action=events.APPLICATION_SUBMITTED.action, by=by, obj=agency,
                 organisation=agency.organisation_id, now=now,
                 data={"uscc": agency.uscc, "due_on": due, "due_confirmed": due.confirmed,
                       "resubmission": resubmission, "policy_version": policy.version})
    return agency


def _make_admin(agency: Agency, user) -> None:
    if user is None:
        return
    Membership.objects.get_or_create(user=user, organisation_id=agency.organisation_id,
                                     defaults={"role": Membership.Role.ADMIN})


def _decided(agency: Agency, name: str, verb: str) -> None:
    if not MACHINE.can(agency, name):
        raise ValidationError(f"只能审核待审核的申请 / only submitted applications can be {verb}", code="status")


@transaction.atomic
def approve_application(*, by, agency: Agency, reason: str = "", now: dt.datetime | None = None) -> Agency:
    """Admit a submitted application; the applicant becomes administrator of the agency organisation."""
    now = now or timezone.now()
    check_actor(by, "agencies.review", agency)
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    _decided(agency, "admit", "approved")
    fields = MACHINE.advance(agency, "admit", now=now)
    agency.admitted_at = agency.reviewed_at = now
    agency.rejection_reason = ""
    agency.save(update_fields=[*fields, "admitted_at", "reviewed_at", "rejection_reason"])
    _make_admin(agency, agency.applicant)
    audit.record(action=events.ADMITTED.action, by=by, obj=agency, organisation=agency.organisation_id, now=now,
                 data={"uscc": agency.uscc, "name": agency.name, "region": agency.region_id}, reason=reason)
    _notify_applicant(agency, events.ADMITTED.action, "入驻申请已通过 / admission approved")
    return agency


@transaction.atomic
def reject_application(*, by, agency: Agency, reason: str, now: dt.datetime | None = None) -> Agency:
    """Return a submitted application with written reasons; the applicant may correct and resubmit."""
    now = now or timezone.now()
    check_actor(by, "agencies.review", agency)
    if not (reason or "").strip():
        raise ValidationError("退回必须写明理由 / a rejection must state its reasons", code="reason")
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    _decided(agency, "reject", "rejected")
    fields = MACHINE.advance(agency, "reject", now=now)
    agency.reviewed_at = now
    agency.rejection_reason = reason.strip()
    agency.save(update_fields=[*fields, "reviewed_at", "rejection_reason"])
    audit.record(action=events.REJECTED.action, by=by, obj=agency, organisation=agency.organisation_id, now=now,
                 data={"uscc": agency.uscc}, reason=agency.rejection_reason)
    _notify_applicant(agency, events.REJECTED.action, "入驻申请被退回 / admission returned", agency.rejection_reason)
    return agency


def _notify_applicant(agency: Agency, kind: str, title: str, body: str = "") -> None:
    if agency.applicant_id is None:
        return
    key = f"{kind}:{agency.pk}:{agency.reviewed_at.isoformat() if agency.reviewed_at else ''}"
    Notification.objects.get_or_create(key=key, recipient_id=agency.applicant_id,
                                       defaults={"kind": kind, "title": f"{agency.name}：{title}", "body": body,
                                                 "url": f"/agencies/apply/{agency.pk}/submit/"})
