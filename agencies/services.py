"""Writes for agencies: admission, documents, storefront, regulated changes, status.

Every function: keyword-only, explicit actor `by` (None = the system: imports, sweeps), a guard,
`save(update_fields=...)`, one audit entry, side effects on commit. A `by` user is checked against
the named permission rule; the system actor is trusted.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.identifiers import (
    duplicate_error,
    entity_type_from_uscc,
    validate_resident_id,
    validate_uscc,
)
from agencies.models import (
    Agency,
    AgencyDocument,
    AgencyService,
    Blacklist,
    Case,
    ChangeRequest,
    Practitioner,
    Qualification,
)
from agencies.uploads import check_upload, stored_file
from marketplace import audit, permissions, workdays
from marketplace.models import Membership, Notification, Organisation, Region, ServiceType
from marketplace.policy import current_policy

S = Agency.Status

# Status transitions (data, checked by one guard). Imports may admit a draft directly.
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.SUBMITTED, S.ADMITTED},
    S.SUBMITTED: {S.ADMITTED, S.REJECTED},
    S.REJECTED: {S.SUBMITTED, S.ADMITTED},
    S.ADMITTED: {S.SUSPENDED, S.REMOVED, S.BLACKLISTED},
    S.SUSPENDED: {S.ADMITTED, S.SUSPENDED, S.REMOVED, S.BLACKLISTED},  # suspended → suspended extends `until`
    S.REMOVED: {S.BLACKLISTED, S.DRAFT},
    S.BLACKLISTED: {S.REMOVED, S.DRAFT},
}
# Transitions `set_status` may perform (the admission ones have their own services).
SANCTION_TARGETS = {S.ADMITTED, S.SUSPENDED, S.REMOVED, S.BLACKLISTED}

BASIC_FIELDS = ["name", "entity_type", "region", "address", "established_on", "legal_rep_name", "legal_rep_id",
                "contact_name", "contact_phone", "contact_id", "description"]


def can_transition(frm: str, to: str) -> bool:
    return to in TRANSITIONS.get(frm, set())


def _guard_transition(agency: Agency, to: str) -> None:
    if not can_transition(agency.status, to):
        raise ValidationError(
            f"状态不能从“{Agency.Status(agency.status).label}”变为“{Agency.Status(to).label}” / "
            f"cannot move from {agency.status} to {to}", code="transition")


def _check(by, action: str, obj) -> None:
    if by is not None:
        permissions.require(by, action, obj)


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def active_blacklist(uscc: str, today: dt.date) -> Blacklist | None:
    return Blacklist.objects.filter(uscc=uscc, ends_on__gte=today).order_by("-ends_on").first()


def _blacklist_error(entry: Blacklist) -> ValidationError:
    return ValidationError(
        f"该统一社会信用代码在黑名单中，{entry.ends_on:%Y-%m-%d} 前不能申请入驻 / this USCC is blacklisted until "
        f"{entry.ends_on:%Y-%m-%d} and cannot apply", code="blacklisted")


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


# ---- admission ----------------------------------------------------------------------------------


@transaction.atomic
def start_application(*, by, uscc: str, name: str, region, today: dt.date | None = None, **basic) -> Agency:
    """Create a draft application (and its agency Organisation) for `uscc`, or reopen a removed agency's row
    once any blacklist has ended. Raises ValidationError(code=duplicate|blacklisted|...)."""
    today = _today(today)
    code = validate_uscc(uscc)
    entry = active_blacklist(code, today)
    if entry is not None:
        raise _blacklist_error(entry)
    fields = _clean_basic({"name": name, "region": region, **basic})
    if not fields.get("name"):
        raise ValidationError("请填写机构名称 / the name is required", code="required")
    if fields.get("region") is None:
        raise ValidationError("请选择行政区划 / the region is required", code="required")
    fields["entity_type"] = fields.get("entity_type") or entity_type_from_uscc(code)
    existing = Agency.objects.select_for_update().filter(uscc=code).first()
    if existing is not None:
        if existing.status not in (S.REMOVED, S.BLACKLISTED):
            raise duplicate_error()
        for key, value in fields.items():
            setattr(existing, key, value)
        frm = existing.status
        existing.status = S.DRAFT
        existing.applicant = by
        existing.rejection_reason = ""
        existing.save(update_fields=[*fields, "status", "applicant", "rejection_reason", "updated_at"])
        audit.record(action="agencies.status_changed", by=by, obj=existing, organisation=existing.organisation_id,
                     data={"from": frm, "to": S.DRAFT, "until": None}, reason="重新申请入驻 / re-application")
        return existing
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
    audit.record(action="agencies.application_started", by=by, obj=agency, organisation=org,
                 data={"uscc": code, "name": agency.name})
    return agency


@transaction.atomic
def update_application(*, by, agency: Agency, **data) -> Agency:
    """Edit the basic information of a draft or returned application."""
    _check(by, "agencies.edit_application", agency)
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


def missing_for_submission(agency: Agency) -> list[str]:
    """What an application still lacks before it can be submitted (Chinese / English)."""
    missing = []
    for field, label in [("name", "机构名称 / name"), ("address", "注册地址 / address"),
                         ("legal_rep_name", "法定代表人 / legal representative"),
                         ("legal_rep_id", "法定代表人身份证号 / legal representative ID"),
                         ("contact_name", "业务授权人 / business contact"),
                         ("contact_phone", "联系电话 / contact phone"),
                         ("contact_id", "业务授权人身份证号 / business contact ID")]:
        if not getattr(agency, field):
            missing.append(label)
    kinds = set(agency.documents.values_list("kind", flat=True))
    for kind, label in [(AgencyDocument.Kind.LICENCE, "营业执照 / business licence"),
                        (AgencyDocument.Kind.COMMITMENT, "承诺书 / commitment letter"),
                        (AgencyDocument.Kind.AUTHORISATION, "业务授权书 / letter of authorisation"),
                        (AgencyDocument.Kind.CONTACT_INSURANCE, "业务授权人3个月社保证明 / 3 months of social insurance")]:
        if kind not in kinds:
            missing.append(label)
    if not agency.services.exists():
        missing.append("至少一项服务事项 / at least one service")
    if agency.practitioners.filter(social_insurance__isnull=True).exists():
        missing.append("从业人员社保证明 / practitioners' social-insurance proof")
    return missing


@transaction.atomic
def submit_application(*, by, agency: Agency, today: dt.date | None = None) -> Agency:
    """Submit (or resubmit) an application; the review is due `admission_review_wd` working days later."""
    _check(by, "agencies.edit_application", agency)
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    today = _today(today)
    _guard_transition(agency, S.SUBMITTED)
    entry = active_blacklist(agency.uscc, today)
    if entry is not None:
        raise _blacklist_error(entry)
    missing = missing_for_submission(agency)
    if missing:
        raise ValidationError("申请材料不完整 / the application is incomplete: " + "；".join(missing), code="incomplete")
    policy = current_policy()
    due = workdays.add_working_days(today, policy.admission_review_wd)
    resubmission = agency.status == S.REJECTED
    agency.status = S.SUBMITTED
    agency.submitted_at = timezone.now()
    agency.review_due_on = due
    agency.save(update_fields=["status", "submitted_at", "review_due_on", "updated_at"])
    audit.record(action="agencies.application_submitted", by=by, obj=agency, organisation=agency.organisation_id,
                 data={"uscc": agency.uscc, "due_on": due, "due_confirmed": due.confirmed,
                       "resubmission": resubmission, "policy_version": policy.version})
    return agency


def _make_admin(agency: Agency, user) -> None:
    if user is None:
        return
    Membership.objects.get_or_create(user=user, organisation_id=agency.organisation_id,
                                     defaults={"role": Membership.Role.ADMIN})


@transaction.atomic
def approve_application(*, by, agency: Agency, reason: str = "") -> Agency:
    """Admit a submitted application; the applicant becomes administrator of the agency organisation."""
    _check(by, "agencies.review", agency)
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    if agency.status != S.SUBMITTED:
        raise ValidationError("只能审核待审核的申请 / only submitted applications can be approved", code="status")
    agency.status = S.ADMITTED
    agency.admitted_at = agency.reviewed_at = timezone.now()
    agency.rejection_reason = ""
    agency.save(update_fields=["status", "admitted_at", "reviewed_at", "rejection_reason", "updated_at"])
    _make_admin(agency, agency.applicant)
    audit.record(action="agencies.admitted", by=by, obj=agency, organisation=agency.organisation_id,
                 data={"uscc": agency.uscc, "name": agency.name, "region": agency.region_id}, reason=reason)
    _notify_applicant(agency, "agencies.admitted", "入驻申请已通过 / admission approved")
    return agency


@transaction.atomic
def reject_application(*, by, agency: Agency, reason: str) -> Agency:
    """Return a submitted application with written reasons; the applicant may correct and resubmit."""
    _check(by, "agencies.review", agency)
    if not (reason or "").strip():
        raise ValidationError("退回必须写明理由 / a rejection must state its reasons", code="reason")
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    if agency.status != S.SUBMITTED:
        raise ValidationError("只能审核待审核的申请 / only submitted applications can be rejected", code="status")
    agency.status = S.REJECTED
    agency.reviewed_at = timezone.now()
    agency.rejection_reason = reason.strip()
    agency.save(update_fields=["status", "reviewed_at", "rejection_reason", "updated_at"])
    audit.record(action="agencies.rejected", by=by, obj=agency, organisation=agency.organisation_id,
                 data={"uscc": agency.uscc}, reason=agency.rejection_reason)
    _notify_applicant(agency, "agencies.rejected", "入驻申请被退回 / admission returned", agency.rejection_reason)
    return agency


def _notify_applicant(agency: Agency, kind: str, title: str, body: str = "") -> None:
    if agency.applicant_id is None:
        return
    key = f"{kind}:{agency.pk}:{agency.reviewed_at.isoformat() if agency.reviewed_at else ''}"
    Notification.objects.get_or_create(key=key, recipient_id=agency.applicant_id,
                                       defaults={"kind": kind, "title": f"{agency.name}：{title}", "body": body,
                                                 "url": f"/agencies/apply/{agency.pk}/submit/"})


@transaction.atomic
def set_status(*, agency: Agency, to: str, by, reason: str, until: dt.date | None = None) -> Agency:
    """Suspend, restore, remove or blacklist an agency (called by ratings sanctions and regulators).

    `until` is the end of a suspension, or for `blacklisted` the last day of the blacklist (a
    `Blacklist` row is written so the code cannot apply again before then).
    """
    _check(by, "agencies.set_status", agency)
    if to not in SANCTION_TARGETS:
        raise ValidationError(f"不支持的状态 / unsupported status: {to}", code="transition")
    if not (reason or "").strip():
        raise ValidationError("必须写明原因 / a reason is required", code="reason")
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    _guard_transition(agency, to)
    frm = agency.status
    agency.status = to
    agency.suspended_until = until if to == S.SUSPENDED else None
    agency.status_reason = reason.strip()
    agency.save(update_fields=["status", "suspended_until", "status_reason", "updated_at"])
    if to == S.BLACKLISTED and until is not None:
        # The blacklist row is what bars the code from applying again until `until`.
        Blacklist.objects.create(uscc=agency.uscc, reason=reason.strip(), starts_on=timezone.localdate(),
                                 ends_on=until)
    audit.record(action="agencies.status_changed", by=by, obj=agency, organisation=agency.organisation_id,
                 data={"from": frm, "to": to, "until": until}, reason=reason)
    return agency


# ---- documents ----------------------------------------------------------------------------------


@transaction.atomic
def upload_document(*, by, agency: Agency, kind: str, file) -> AgencyDocument:
    """Store a PDF/JPEG/PNG (checked by content and size) in private storage."""
    if by is not None and not (permissions.can(by, "agencies.edit_application", agency)
                               or permissions.can(by, "agencies.edit", agency)):
        permissions.require(by, "agencies.edit", agency)
    if kind not in AgencyDocument.Kind.values:
        raise ValidationError("材料类型无效 / invalid document kind", code="kind")
    data, content_type, ext = check_upload(file)
    content, digest = stored_file(data, ext)
    doc = AgencyDocument(agency=agency, kind=kind, content_type=content_type, size=len(data),
                         original_name=str(getattr(file, "name", ""))[:200], sha256=digest, uploaded_by=by)
    doc.file.save(content.name, content, save=False)
    doc.save()
    audit.record(action="agencies.document_uploaded", by=by, obj=doc, organisation=agency.organisation_id,
                 data={"agency": agency.pk, "kind": kind, "sha256": digest, "size": len(data)})
    return doc


def _doc(agency: Agency, doc_id) -> AgencyDocument | None:
    if not doc_id:
        return None
    doc = AgencyDocument.objects.filter(pk=doc_id, agency=agency).first()
    if doc is None:
        raise ValidationError("材料不存在 / document not found", code="document")
    return doc


# ---- qualifications and practitioners --------------------------------------------------------------


def _date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise ValidationError(f"日期格式应为 YYYY-MM-DD / dates are YYYY-MM-DD: {value}", code="date") from None


QUALIFICATION_FIELDS = ["qualification_type", "speciality", "level", "number", "issuer", "issued_on", "valid_from",
                        "valid_to", "scope"]
PRACTITIONER_FIELDS = ["name", "resident_id", "qualification_kind", "registration_number", "valid_to"]


def clean_qualification(data: dict) -> dict:
    out = {k: data.get(k) for k in QUALIFICATION_FIELDS if k in data}
    for k in ("issued_on", "valid_from", "valid_to"):
        if k in out:
            out[k] = _date(out[k])
    for k in ("qualification_type", "speciality", "number", "issuer", "scope"):
        if k in out:
            out[k] = str(out[k] or "").strip()
    if not out.get("qualification_type") or not out.get("number"):
        raise ValidationError("资质类型和证书编号必填 / qualification type and number are required", code="required")
    try:
        out["level"] = int(out.get("level") or 1)
    except (TypeError, ValueError):
        raise ValidationError("资质等级应为数字（1为最高）/ level is a number (1 = highest)", code="level") from None
    if out["level"] < 1:
        raise ValidationError("资质等级应为数字（1为最高）/ level is a number (1 = highest)", code="level")
    if out.get("valid_from") and out.get("valid_to") and out["valid_from"] > out["valid_to"]:
        raise ValidationError("有效期起不能晚于有效期至 / valid_from is after valid_to", code="dates")
    return out


def _practitioner_taken_error() -> ValidationError:
    return ValidationError("该人员已是其他中介机构的从业人员（一人只能在一家机构执业）/ this person is already a "
                           "practitioner of an agency (one agency per person)", code="practitioner_taken")


def clean_practitioner(data: dict, *, agency: Agency, exclude_pk=None) -> dict:
    out = {k: data.get(k) for k in PRACTITIONER_FIELDS if k in data}
    if not str(out.get("name") or "").strip():
        raise ValidationError("请填写姓名 / the name is required", code="required")
    out["name"] = str(out["name"]).strip()
    out["resident_id"] = validate_resident_id(out.get("resident_id"))
    out["valid_to"] = _date(out.get("valid_to"))
    for k in ("qualification_kind", "registration_number"):
        out[k] = str(out.get(k) or "").strip()
    if Practitioner.objects.filter(resident_id=out["resident_id"]).exclude(pk=exclude_pk).exists():
        raise _practitioner_taken_error()
    return out


def _direct_edit(agency: Agency) -> bool:
    """Before admission the applicant edits freely; afterwards regulated data goes through review."""
    return agency.status in (S.DRAFT, S.REJECTED)


@transaction.atomic
def add_qualification(*, by, agency: Agency, data: dict, scan: AgencyDocument | None = None):
    """Add a qualification to an application, or propose it for review once admitted (returns the ChangeRequest)."""
    clean = clean_qualification(data)
    if not _direct_edit(agency):
        return propose_change(by=by, agency=agency, kind=ChangeRequest.Kind.QUALIFICATION,
                              data={"action": "add", **clean, "scan": scan.pk if scan else None})
    _check(by, "agencies.edit_application", agency)
    return Qualification.objects.create(agency=agency, scan=scan, **clean)


@transaction.atomic
def remove_qualification(*, by, agency: Agency, qualification: Qualification):
    if qualification.agency_id != agency.pk:
        raise ValidationError("资质不属于该机构 / not this agency's qualification", code="owner")
    if not _direct_edit(agency):
        return propose_change(by=by, agency=agency, kind=ChangeRequest.Kind.QUALIFICATION,
                              data={"action": "remove", "id": qualification.pk, "number": qualification.number,
                                    "qualification_type": qualification.qualification_type})
    _check(by, "agencies.edit_application", agency)
    qualification.delete()
    return None


@transaction.atomic
def add_practitioner(*, by, agency: Agency, data: dict, social_insurance: AgencyDocument | None = None):
    """Add a practitioner (one agency per resident ID), or propose it for review once admitted."""
    clean = clean_practitioner(data, agency=agency)
    if not _direct_edit(agency):
        return propose_change(by=by, agency=agency, kind=ChangeRequest.Kind.PRACTITIONER,
                              data={"action": "add", **clean,
                                    "social_insurance": social_insurance.pk if social_insurance else None})
    _check(by, "agencies.edit_application", agency)
    try:
        with transaction.atomic():
            return Practitioner.objects.create(agency=agency, social_insurance=social_insurance, **clean)
    except IntegrityError:
        raise _practitioner_taken_error() from None


@transaction.atomic
def remove_practitioner(*, by, agency: Agency, practitioner: Practitioner):
    if practitioner.agency_id != agency.pk:
        raise ValidationError("人员不属于该机构 / not this agency's practitioner", code="owner")
    if not _direct_edit(agency):
        return propose_change(by=by, agency=agency, kind=ChangeRequest.Kind.PRACTITIONER,
                              data={"action": "remove", "id": practitioner.pk, "name": practitioner.name})
    _check(by, "agencies.edit_application", agency)
    practitioner.delete()
    return None


# ---- regulated changes after admission -------------------------------------------------------------


@transaction.atomic
def propose_change(*, by, agency: Agency, kind: str, data: dict, document: AgencyDocument | None = None,
                   today: dt.date | None = None) -> ChangeRequest:
    """Record a proposed change of licence, legal representative, qualification or practitioner for review."""
    _check(by, "agencies.edit", agency)
    if agency.status not in (S.ADMITTED, S.SUSPENDED):
        raise ValidationError("仅已入驻机构可申请变更 / only admitted agencies submit changes", code="status")
    if kind not in ChangeRequest.Kind.values:
        raise ValidationError("变更事项无效 / invalid change kind", code="kind")
    data = dict(data)
    if kind == ChangeRequest.Kind.LEGAL_REP:
        if not str(data.get("legal_rep_name") or "").strip():
            raise ValidationError("请填写法定代表人 / the legal representative is required", code="required")
        data = {"legal_rep_name": str(data["legal_rep_name"]).strip(),
                "legal_rep_id": validate_resident_id(data.get("legal_rep_id"))}
    elif kind == ChangeRequest.Kind.LICENCE:
        if document is None or document.kind != AgencyDocument.Kind.LICENCE:
            raise ValidationError("请上传新的营业执照 / upload the new licence", code="document")
        data = {k: str(data[k]).strip() for k in ("name", "address") if data.get(k)}
        data["document"] = document.pk
    policy = current_policy()
    due = workdays.add_working_days(_today(today), policy.admission_review_wd)
    change = ChangeRequest.objects.create(agency=agency, kind=kind, data=audit.normalise(data), document=document,
                                          submitted_by=by, due_on=due)
    audit.record(action="agencies.change_submitted", by=by, obj=change, organisation=agency.organisation_id,
                 data={"agency": agency.pk, "kind": kind, "proposed": change.data, "due_on": due})
    return change


def _apply_change(change: ChangeRequest) -> None:
    agency, data = change.agency, change.data
    if change.kind == ChangeRequest.Kind.LEGAL_REP:
        agency.legal_rep_name, agency.legal_rep_id = data["legal_rep_name"], data["legal_rep_id"]
        agency.save(update_fields=["legal_rep_name", "legal_rep_id", "updated_at"])
    elif change.kind == ChangeRequest.Kind.LICENCE:
        fields = [k for k in ("name", "address") if data.get(k)]
        for k in fields:
            setattr(agency, k, data[k])
        if fields:
            agency.save(update_fields=[*fields, "updated_at"])
    elif change.kind == ChangeRequest.Kind.QUALIFICATION:
        if data.get("action") == "remove":
            Qualification.objects.filter(pk=data.get("id"), agency=agency).delete()
        else:
            clean = clean_qualification(data)
            Qualification.objects.create(agency=agency, scan=_doc(agency, data.get("scan")), **clean)
    elif change.kind == ChangeRequest.Kind.PRACTITIONER:
        if data.get("action") == "remove":
            Practitioner.objects.filter(pk=data.get("id"), agency=agency).delete()
        else:
            clean = clean_practitioner(data, agency=agency)
            try:
                with transaction.atomic():
                    Practitioner.objects.create(agency=agency, social_insurance=_doc(agency, data.get("social_insurance")),
                                                **clean)
            except IntegrityError:
                raise _practitioner_taken_error() from None


@transaction.atomic
def approve_change(*, by, change: ChangeRequest, reason: str = "") -> ChangeRequest:
    _check(by, "agencies.review", change.agency)
    change = ChangeRequest.objects.select_for_update().select_related("agency").get(pk=change.pk)
    if change.status != ChangeRequest.Status.PENDING:
        raise ValidationError("该变更已处理 / this change was already decided", code="status")
    _apply_change(change)
    change.status = ChangeRequest.Status.APPROVED
    change.decided_by, change.decided_at, change.reason = by, timezone.now(), reason
    change.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    audit.record(action="agencies.change_approved", by=by, obj=change, organisation=change.agency.organisation_id,
                 data={"agency": change.agency_id, "kind": change.kind, "applied": change.data}, reason=reason)
    return change


@transaction.atomic
def reject_change(*, by, change: ChangeRequest, reason: str) -> ChangeRequest:
    _check(by, "agencies.review", change.agency)
    if not (reason or "").strip():
        raise ValidationError("退回必须写明理由 / a rejection must state its reasons", code="reason")
    change = ChangeRequest.objects.select_for_update().select_related("agency").get(pk=change.pk)
    if change.status != ChangeRequest.Status.PENDING:
        raise ValidationError("该变更已处理 / this change was already decided", code="status")
    change.status = ChangeRequest.Status.REJECTED
    change.decided_by, change.decided_at, change.reason = by, timezone.now(), reason.strip()
    change.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    audit.record(action="agencies.change_rejected", by=by, obj=change, organisation=change.agency.organisation_id,
                 data={"agency": change.agency_id, "kind": change.kind}, reason=change.reason)
    return change


# ---- storefront (direct edits) ---------------------------------------------------------------------


def _storefront_guard(by, agency: Agency) -> None:
    if by is not None and not (permissions.can(by, "agencies.edit", agency)
                               or permissions.can(by, "agencies.edit_application", agency)):
        permissions.require(by, "agencies.edit", agency)


def _money(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValidationError(f"金额无效 / invalid amount: {value}", code="amount") from None
    if amount < 0 or not amount.is_finite():
        raise ValidationError("金额不能为负 / amounts cannot be negative", code="amount")
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def save_service(*, by, agency: Agency, service_type, fee_basis: str = AgencyService.FeeBasis.FIXED,
                 price_min=None, price_max=None, time_limit_wd=None, description: str = "") -> AgencyService:
    """Add or update one offered service (catalogue type, fee basis, price range in 元, time limit)."""
    _storefront_guard(by, agency)
    if not isinstance(service_type, ServiceType):
        service_type = ServiceType.objects.filter(code=str(service_type), active=True).first()
        if service_type is None:
            raise ValidationError("服务类型不存在 / unknown service type", code="service_type")
    if fee_basis not in AgencyService.FeeBasis.values:
        raise ValidationError("收费方式无效 / invalid fee basis", code="fee_basis")
    lo, hi = _money(price_min), _money(price_max)
    if lo is not None and hi is not None and lo > hi:
        raise ValidationError("最低价不能高于最高价 / the minimum price is above the maximum", code="price_range")
    limit = int(time_limit_wd or service_type.typical_limit_wd)
    if limit < 1:
        raise ValidationError("承诺时限至少1个工作日 / the time limit is at least 1 working day", code="time_limit")
    service, created = AgencyService.objects.update_or_create(
        agency=agency, service_type=service_type,
        defaults={"fee_basis": fee_basis, "price_min": lo, "price_max": hi, "time_limit_wd": limit,
                  "description": (description or "").strip()})
    _storefront_audit(by, agency, {"service": service_type.code, "created": created})
    return service


@transaction.atomic
def remove_service(*, by, agency: Agency, service: AgencyService) -> None:
    _storefront_guard(by, agency)
    if service.agency_id != agency.pk:
        raise ValidationError("服务不属于该机构 / not this agency's service", code="owner")
    code = service.service_type_id
    service.delete()
    _storefront_audit(by, agency, {"service_removed": code})


@transaction.atomic
def update_storefront(*, by, agency: Agency, description: str | None = None, regions_served=None) -> Agency:
    """Edit the description and the regions served (direct edits, no review)."""
    _storefront_guard(by, agency)
    changed = {}
    if description is not None and description.strip() != agency.description:
        agency.description = description.strip()
        agency.save(update_fields=["description", "updated_at"])
        changed["description"] = True
    if regions_served is not None:
        codes = sorted({getattr(r, "pk", r) for r in regions_served})
        if Region.objects.filter(code__in=codes).count() != len(codes):
            raise ValidationError("行政区划代码不存在 / unknown region code", code="region")
        agency.regions_served.set(codes)
        changed["regions_served"] = codes
    if changed:
        _storefront_audit(by, agency, changed)
    return agency


@transaction.atomic
def save_case(*, by, agency: Agency, title: str, year=None, client: str = "", description: str = "",
              case: Case | None = None) -> Case:
    _storefront_guard(by, agency)
    if not (title or "").strip():
        raise ValidationError("请填写项目名称 / the title is required", code="required")
    if year not in (None, ""):
        try:
            year = int(year)
        except (TypeError, ValueError):
            raise ValidationError("年份无效 / invalid year", code="year") from None
        if not 1949 <= year <= timezone.localdate().year:
            raise ValidationError("年份无效 / invalid year", code="year")
    else:
        year = None
    if case is None:
        case = Case(agency=agency)
    elif case.agency_id != agency.pk:
        raise ValidationError("案例不属于该机构 / not this agency's case", code="owner")
    case.title, case.year, case.client, case.description = title.strip(), year, client.strip(), description.strip()
    case.save()
    _storefront_audit(by, agency, {"case": case.pk})
    return case


@transaction.atomic
def remove_case(*, by, agency: Agency, case: Case) -> None:
    _storefront_guard(by, agency)
    if case.agency_id != agency.pk:
        raise ValidationError("案例不属于该机构 / not this agency's case", code="owner")
    pk = case.pk
    case.delete()
    _storefront_audit(by, agency, {"case_removed": pk})


def _storefront_audit(by, agency: Agency, data: dict) -> None:
    audit.record(action="agencies.storefront_updated", by=by, obj=agency, organisation=agency.organisation_id,
                 data={"uscc": agency.uscc, **data})


# ---- reminders -------------------------------------------------------------------------------------


def remind_expiring_qualifications(*, today: dt.date, policy=None) -> int:
    """Notify agency members of qualifications whose validity ends within the reminder window.

    Idempotent: one Notification per (qualification, valid_to, recipient). Returns how many were created.
    """
    policy = policy or current_policy()
    horizon = today + dt.timedelta(days=int(policy.qualification_reminder_days))
    quals = (Qualification.objects.filter(valid_to__gte=today, valid_to__lte=horizon,
                                          agency__status__in=[S.ADMITTED, S.SUSPENDED])
             .select_related("agency"))
    org_ids = {q.agency.organisation_id for q in quals}
    members: dict[int, list[int]] = {}
    for org_id, user_id in Membership.objects.filter(organisation_id__in=org_ids).values_list("organisation_id",
                                                                                               "user_id"):
        members.setdefault(org_id, []).append(user_id)
    created = 0
    for q in quals:
        for user_id in members.get(q.agency.organisation_id, []):
            _, was_created = Notification.objects.get_or_create(
                key=f"agencies.qualification_expiring:{q.pk}:{q.valid_to.isoformat()}", recipient_id=user_id,
                defaults={"kind": "agencies.qualification_expiring",
                          "title": f"资质即将到期：{q.qualification_type}（{q.number}）{q.valid_to:%Y-%m-%d}",
                          "body": f"{q.agency.name} 的资质 {q.qualification_type} 将于 {q.valid_to:%Y-%m-%d} 到期，"
                                  f"到期次日起不再计入。/ This qualification expires on {q.valid_to:%Y-%m-%d}.",
                          "url": f"/agencies/manage/{q.agency_id}/"})
            created += int(was_created)
    return created
