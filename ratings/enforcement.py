"""Writes of a regulator's enforcement records (docs/rules.md §9): administrative penalties, violations,
fraud, serious dishonesty and awards, each with its decision document and evidence.

A record takes effect by appending its ledger line (`agencies.credit.record_credit_event`, whose
subscriber recomputes the agency and imposes the sanctions that follow). Records of a forcing code
(`credit_forcing_codes`: fraud, serious dishonesty) take effect only once a second regulator of the
same body confirms them (双人复核). A record revoked on review voids its line by a correction
(`agencies.credit.correct_credit_event`); the recomputation then lifts the sanctions that lose their
grounds (`ratings.sanctions.lift_voided`).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies import credit
from agencies.models import Agency
from marketplace import audit, uploads, workdays
from marketplace.models import Department, Organisation
from marketplace.permissions import organisations, regulator_covers, require
from marketplace.policy import current_policy
from ratings import events
from ratings.models import EnforcementDecision, EnforcementFile
from ratings.permissions import agency_departments

D = EnforcementDecision
FILES_MAX = 10
DOCUMENT_MAX = 100


def needs_second_regulator(code: str, policy=None) -> bool:
    """Whether a record of `code` waits for a second regulator of the same body (the forcing codes)."""
    return code in (policy or current_policy())["credit_forcing_codes"]


def _text(value, *, label: str, minimum: int = 1, maximum: int | None = None) -> str:
    value = (value or "").strip()
    if len(value) < minimum:
        raise ValidationError(f"请填写{label} / {label} is required" if minimum == 1 else
                              f"{label}至少{minimum}个字 / {label}: at least {minimum} characters")
    if maximum is not None and len(value) > maximum:
        raise ValidationError(f"{label}不能超过{maximum}个字 / {label}: at most {maximum} characters")
    return value


def _decided_on(value, today: dt.date) -> dt.date:
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError("决定日期格式无效 / the decision date is not a date") from None
    if day > today:
        raise ValidationError("决定日期不能晚于今天 / the decision date cannot be in the future")
    return day


def _department(agency: Agency, department) -> Department | None:
    if department in (None, ""):
        return None
    if not isinstance(department, Department):
        department = Department.objects.filter(pk=department).first()
        if department is None:
            raise ValidationError("主管部门不存在 / no such department")
    offered = agency_departments(agency)
    if offered is not None and department.pk not in offered:
        raise ValidationError("该机构未在此部门的服务事项中执业 / the agency offers no service under this department")
    return department


def _body(by, agency: Agency, department: Department | None, organisation) -> Organisation:
    """The regulator organisation the user records for: the one named, else their first covering the agency."""
    department_id = department.pk if department else agency_departments(agency)
    bodies = [o for o in organisations(by, "regulator") if regulator_covers(o, agency, department_id)]
    if organisation is not None:
        chosen = next((o for o in bodies if o.pk == getattr(organisation, "pk", organisation)), None)
        if chosen is None:
            raise ValidationError("您不是该监管单位的成员或其范围不含该机构 / you do not act for that regulator here")
        return chosen
    return bodies[0]


def check_files(files) -> list[uploads.CheckedFile]:
    """Each evidence file checked by content (PDF, JPEG or PNG) and size; at least one, at most FILES_MAX."""
    files = [f for f in (files or []) if f]
    if not files:
        raise ValidationError("请上传决定文书或证据材料（至少一个文件） / upload the decision document or evidence "
                              "(at least one file)")
    if len(files) > FILES_MAX:
        raise ValidationError(f"最多上传{FILES_MAX}个文件 / at most {FILES_MAX} files")
    return [uploads.check_upload(f, uploads.PDF_OR_IMAGE, keep_data=True) for f in files]


def _store_files(decision: EnforcementDecision, checked: list[uploads.CheckedFile], by) -> None:
    for item in checked:
        content, digest = uploads.stored_file(item.data, item.ext)
        row = EnforcementFile(decision=decision, content_type=item.content_type, size=item.size,
                              original_name=item.name, sha256=digest, uploaded_by=by)
        row.file.save(content.name, content, save=False)
        row.save()


@transaction.atomic
def record_decision(*, agency: Agency, by, code: str, document_number: str, decided_on, deciding_body: str,
                    summary: str, files, legal_basis: str = "", department=None, organisation=None,
                    safety_related: bool = False, today: dt.date | None = None,
                    now: dt.datetime | None = None) -> EnforcementDecision:
    """A regulator covering the agency records a decision with its document (文号), date, deciding body,
    legal basis (not needed for an award), facts and evidence files.

    Takes effect at once (its ledger line is written), except fraud and serious dishonesty, which wait
    for a second regulator of the same body (`confirm_decision`).
    """
    today = today or workdays.today()
    now = now or timezone.now()
    if code not in D.Code.values:
        raise ValidationError("请选择事项 / choose what is recorded")
    department = _department(agency, department)
    require(by, "ratings.record_enforcement", D(agency=agency, department=department))
    fields = {
        "document_number": _text(document_number, label="文号", maximum=DOCUMENT_MAX),
        "decided_on": _decided_on(decided_on, today),
        "deciding_body": _text(deciding_body, label="作出决定的机关", maximum=200),
        "legal_basis": (legal_basis or "").strip() if code.startswith("award_")
        else _text(legal_basis, label="法律依据"),
        "summary": _text(summary, label="事实与理由", minimum=10),
    }
    checked = check_files(files)
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    if D.objects.filter(agency=agency, code=code, document_number=fields["document_number"],
                        status__in=[D.Status.PENDING, D.Status.EFFECTIVE]).exists():
        raise ValidationError("该文号已登记 / this decision document is already recorded for this agency")
    policy = current_policy()
    pending = needs_second_regulator(code, policy)
    decision = D.objects.create(
        agency=agency, code=code, **fields, safety_related=bool(safety_related),
        regulator=_body(by, agency, department, organisation), department=department,
        status=D.Status.PENDING, recorded_by=by, recorded_at=now)
    _store_files(decision, checked, by)
    audit.record(action=events.ENFORCEMENT_RECORDED.action, by=by, obj=decision, organisation=decision.regulator_id,
                 now=now, data={"decision": decision.pk, "agency": agency.pk, "uscc": agency.uscc, "code": code,
                                "document_number": decision.document_number, "decided_on": decision.decided_on,
                                "deciding_body": decision.deciding_body,
                                "status": D.Status.PENDING if pending else D.Status.EFFECTIVE,
                                "regulator": decision.regulator_id, "department": decision.department_id,
                                "files": len(checked)}, reason=decision.summary)
    if not pending:
        _take_effect(decision, by=by)
    return decision


def _take_effect(decision: EnforcementDecision, *, by) -> None:
    """Append the decision's ledger line; its subscriber recomputes the agency after commit."""
    cause = f"{decision.deciding_body} {decision.document_number}：{decision.summary}"
    decision.event = credit.record_credit_event(
        agency=decision.agency, code=decision.code, date=decision.decided_on, cause=cause[:300], cause_obj=decision,
        by=by, safety_related=decision.safety_related)
    decision.status = D.Status.EFFECTIVE
    decision.save(update_fields=["event", "status"])


def _pending(decision: EnforcementDecision, by) -> EnforcementDecision:
    decision = D.objects.select_for_update(of=("self",)).select_related("agency").get(pk=decision.pk)
    if decision.status != D.Status.PENDING:
        raise ValidationError("该记录不在待复核状态 / this record is not waiting for confirmation")
    if getattr(by, "pk", None) == decision.recorded_by_id:
        raise ValidationError("须由同一单位的另一名监管人员复核，录入人不能复核自己的记录 / a second regulator of "
                              "the same body must confirm: you recorded this yourself")
    require(by, "ratings.confirm_enforcement", decision)
    return decision


@transaction.atomic
def confirm_decision(*, decision: EnforcementDecision, by, note: str = "",
                     now: dt.datetime | None = None) -> EnforcementDecision:
    """双人复核: another member of the recording body confirms; the record takes effect and both names are kept."""
    now = now or timezone.now()
    decision = _pending(decision, by)
    decision.confirmed_by, decision.confirmed_at, decision.confirm_note = by, now, (note or "").strip()
    decision.save(update_fields=["confirmed_by", "confirmed_at", "confirm_note"])
    _take_effect(decision, by=by)
    audit.record(action=events.ENFORCEMENT_CONFIRMED.action, by=by, obj=decision, organisation=decision.regulator_id,
                 now=now, data={"decision": decision.pk, "agency": decision.agency_id, "uscc": decision.agency.uscc,
                                "code": decision.code, "event": decision.event_id,
                                "recorded_by": decision.recorded_by_id, "confirmed_by": by.pk},
                 reason=decision.confirm_note)
    return decision


@transaction.atomic
def reject_decision(*, decision: EnforcementDecision, by, reason: str,
                    now: dt.datetime | None = None) -> EnforcementDecision:
    """The second regulator does not confirm: the record never takes effect."""
    now = now or timezone.now()
    decision = _pending(decision, by)
    reason = _text(reason, label="不予确认的理由", minimum=5)
    decision.status, decision.confirmed_by, decision.confirmed_at = D.Status.REJECTED, by, now
    decision.confirm_note = reason
    decision.save(update_fields=["status", "confirmed_by", "confirmed_at", "confirm_note"])
    audit.record(action=events.ENFORCEMENT_REJECTED.action, by=by, obj=decision, organisation=decision.regulator_id,
                 now=now, data={"decision": decision.pk, "agency": decision.agency_id, "uscc": decision.agency.uscc,
                                "code": decision.code, "recorded_by": decision.recorded_by_id,
                                "rejected_by": by.pk}, reason=reason)
    return decision


@transaction.atomic
def revoke_decision(*, decision: EnforcementDecision, by, reason: str, review_document: str = "",
                    now: dt.datetime | None = None) -> EnforcementDecision:
    """A member of the recording body revokes an effective decision on review (复议/复查): its ledger line is
    voided by a correction; the recomputation on commit lifts the sanctions that lose their grounds."""
    now = now or timezone.now()
    decision = D.objects.select_for_update(of=("self",)).select_related("agency", "event").get(pk=decision.pk)
    require(by, "ratings.revoke_enforcement", decision)
    if decision.status != D.Status.EFFECTIVE:
        raise ValidationError("只能撤销已生效的记录 / only an effective record can be revoked")
    reason = _text(reason, label="撤销理由", minimum=10)
    review_document = (review_document or "").strip()[:DOCUMENT_MAX]
    decision.status, decision.revoked_by, decision.revoked_at = D.Status.REVOKED, by, now
    decision.revoke_reason, decision.revoke_document = reason, review_document
    decision.save(update_fields=["status", "revoked_by", "revoked_at", "revoke_reason", "revoke_document"])
    audit.record(action=events.ENFORCEMENT_REVOKED.action, by=by, obj=decision, organisation=decision.regulator_id,
                 now=now, data={"decision": decision.pk, "agency": decision.agency_id, "uscc": decision.agency.uscc,
                                "code": decision.code, "event": decision.event_id,
                                "review_document": review_document or None}, reason=reason)
    if decision.event is not None and decision.event.state in credit.CORRECTABLE:
        label = f"{review_document}：" if review_document else ""
        credit.correct_credit_event(event=decision.event, by=by, reason=f"复议/复查撤销 {label}{reason}", now=now)
    return decision
