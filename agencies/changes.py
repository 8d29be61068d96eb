"""Writes of an agency's regulated records: documents, qualifications, practitioners, and the changes to them.

Before admission the applicant edits these directly; once admitted, a change is proposed
(`ChangeRequest`) and applied only when a competent regulator approves it.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies import events
from agencies.identifiers import validate_resident_id
from agencies.models import Agency, AgencyDocument, ChangeRequest, Practitioner, Qualification
from agencies.permissions import check_actor, check_editor
from agencies.states import S
from marketplace import audit, uploads, workdays
from marketplace.models import Membership, Notification
from marketplace.policy import current_policy

QUALIFICATION_FIELDS = ["qualification_type", "speciality", "level", "number", "issuer", "issued_on", "valid_from",
                        "valid_to", "scope"]
PRACTITIONER_FIELDS = ["name", "resident_id", "qualification_kind", "registration_number", "valid_to"]


# ---- documents ----------------------------------------------------------------------------------


@transaction.atomic
def upload_document(*, by, agency: Agency, kind: str, file) -> AgencyDocument:
    """Store a PDF/JPEG/PNG (checked by content and size) in private storage."""
    check_editor(by, agency)
    if kind not in AgencyDocument.Kind.values:
        raise ValidationError("材料类型无效 / invalid document kind", code="kind")
    checked = uploads.check_upload(file, uploads.PDF_OR_IMAGE, keep_data=True)
    data, content_type = checked.data, checked.content_type
    content, digest = uploads.stored_file(data, checked.ext)
    doc = AgencyDocument(agency=agency, kind=kind, content_type=content_type, size=len(data),
                         original_name=str(getattr(file, "name", ""))[:200], sha256=digest, uploaded_by=by)
    doc.file.save(content.name, content, save=False)
    doc.save()
    audit.record(action=events.DOCUMENT_UPLOADED.action, by=by, obj=doc, organisation=agency.organisation_id,
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


def _create_practitioner(agency: Agency, clean: dict, social_insurance: AgencyDocument | None) -> Practitioner:
    try:
        with transaction.atomic():
            return Practitioner.objects.create(agency=agency, social_insurance=social_insurance, **clean)
    except IntegrityError:
        raise _practitioner_taken_error() from None


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
    check_actor(by, "agencies.edit_application", agency)
    return Qualification.objects.create(agency=agency, scan=scan, **clean)


@transaction.atomic
def remove_qualification(*, by, agency: Agency, qualification: Qualification):
    if qualification.agency_id != agency.pk:
        raise ValidationError("资质不属于该机构 / not this agency's qualification", code="owner")
    if not _direct_edit(agency):
        return propose_change(by=by, agency=agency, kind=ChangeRequest.Kind.QUALIFICATION,
                              data={"action": "remove", "id": qualification.pk, "number": qualification.number,
                                    "qualification_type": qualification.qualification_type})
    check_actor(by, "agencies.edit_application", agency)
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
    check_actor(by, "agencies.edit_application", agency)
    return _create_practitioner(agency, clean, social_insurance)


@transaction.atomic
def remove_practitioner(*, by, agency: Agency, practitioner: Practitioner):
    if practitioner.agency_id != agency.pk:
        raise ValidationError("人员不属于该机构 / not this agency's practitioner", code="owner")
    if not _direct_edit(agency):
        return propose_change(by=by, agency=agency, kind=ChangeRequest.Kind.PRACTITIONER,
                              data={"action": "remove", "id": practitioner.pk, "name": practitioner.name})
    check_actor(by, "agencies.edit_application", agency)
    practitioner.delete()
    return None


# ---- regulated changes after admission -------------------------------------------------------------


def _proposal(kind: str, data: dict, document: AgencyDocument | None) -> dict:
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
    return data


@transaction.atomic
def propose_change(*, by, agency: Agency, kind: str, data: dict, document: AgencyDocument | None = None,
                   today: dt.date | None = None) -> ChangeRequest:
    """Record a proposed change of licence, legal representative, qualification or practitioner for review."""
    today = today or timezone.localdate()
    check_actor(by, "agencies.edit", agency)
    if agency.status not in (S.ADMITTED, S.SUSPENDED):
        raise ValidationError("仅已入驻机构可申请变更 / only admitted agencies submit changes", code="status")
    if kind not in ChangeRequest.Kind.values:
        raise ValidationError("变更事项无效 / invalid change kind", code="kind")
    data = _proposal(kind, data, document)
    policy = current_policy()
    due = workdays.add_working_days(today, policy.admission_review_wd)
    change = ChangeRequest.objects.create(agency=agency, kind=kind, data=audit.normalise(data), document=document,
                                          submitted_by=by, due_on=due)
    audit.record(action=events.CHANGE_SUBMITTED.action, by=by, obj=change, organisation=agency.organisation_id,
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
            _create_practitioner(agency, clean_practitioner(data, agency=agency),
                                 _doc(agency, data.get("social_insurance")))


def _pending_change(change: ChangeRequest) -> ChangeRequest:
    change = ChangeRequest.objects.select_for_update().select_related("agency").get(pk=change.pk)
    if change.status != ChangeRequest.Status.PENDING:
        raise ValidationError("该变更已处理 / this change was already decided", code="status")
    return change


@transaction.atomic
def approve_change(*, by, change: ChangeRequest, reason: str = "", now: dt.datetime | None = None) -> ChangeRequest:
    now = now or timezone.now()
    check_actor(by, "agencies.review", change.agency)
    change = _pending_change(change)
    _apply_change(change)
    change.status = ChangeRequest.Status.APPROVED
    change.decided_by, change.decided_at, change.reason = by, now, reason
    change.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    audit.record(action=events.CHANGE_APPROVED.action, by=by, obj=change, organisation=change.agency.organisation_id,
                 data={"agency": change.agency_id, "kind": change.kind, "applied": change.data}, reason=reason, now=now)
    return change


@transaction.atomic
def reject_change(*, by, change: ChangeRequest, reason: str, now: dt.datetime | None = None) -> ChangeRequest:
    now = now or timezone.now()
    check_actor(by, "agencies.review", change.agency)
    if not (reason or "").strip():
        raise ValidationError("退回必须写明理由 / a rejection must state its reasons", code="reason")
    change = _pending_change(change)
    change.status = ChangeRequest.Status.REJECTED
    change.decided_by, change.decided_at, change.reason = by, now, reason.strip()
    change.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    audit.record(action=events.CHANGE_REJECTED.action, by=by, obj=change, organisation=change.agency.organisation_id,
                 data={"agency": change.agency_id, "kind": change.kind}, reason=change.reason, now=now)
    return change


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
