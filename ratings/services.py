"""Writes for ratings, appeals, complaints, credit repair, sanctions and credit recomputation.

Each function: keyword-only, an explicit actor `by`, a guard, `save(update_fields=...)`, one audit
entry, side effects (recomputation) on commit. Views, the API, commands and tests all call these.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies import credit
from agencies.models import Agency, CreditEvent
from marketplace import audit, workdays
from marketplace.permissions import organisations, require
from marketplace.policy import current_policy
from ratings import events, scoring
from ratings.models import DIMENSIONS, Appeal, Complaint, GradeChange, Rating, RepairApplication
from ratings.recompute import Projection, projection
from ratings.sanctions import (  # noqa: F401 - the sanction writes, re-exported for callers of ratings.services
    SANCTIONABLE,
    apply_sanctions,
    expire_sanctions,
    impose_by_hand,
    impose_sanction,
    lift_sanction,
    set_agency_status,
)
from ratings.selectors import competent_regulator

EVAL_CODES = {Rating.Result.BASIC: "eval_basic", Rating.Result.UNSATISFIED: "eval_unsat"}
# The ledger codes an appeal suspends and decides: a rating's, or a report review's (ratings/reviews.py).
APPEALED_CODES = (*EVAL_CODES.values(), "review_basic", "review_fail")


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _recompute_on_commit(agency_id: int, as_of: dt.date | None = None) -> None:
    """Recompute the agency's projection (score, grade, rating summary) as soon as the transaction commits."""
    transaction.on_commit(lambda: recompute_agency(Agency.objects.get(pk=agency_id), as_of=as_of))


# ---- ratings -------------------------------------------------------------------------------------


@transaction.atomic
def open_rating(*, project, agency, accepted_on, by=None, policy=None) -> Rating:
    """Create the pending rating for an accepted deliverable (idempotent per project and agency)."""
    policy = policy or current_policy()
    accepted_on = _date(accepted_on)
    existing = Rating.objects.filter(project=project, agency=agency).first()
    if existing is not None:
        return existing
    rating = Rating.objects.create(project=project, agency=agency, owner_id=project.owner_id, accepted_on=accepted_on,
                                   due_on=workdays.add_working_days(accepted_on, int(policy.rating_deadline_wd)),
                                   policy_version=policy.version)
    audit.record(action=events.RATING_OPENED.action, by=by, obj=rating, organisation=project.owner_id,
                 data={"project": project.pk, "agency": agency.pk, "accepted_on": accepted_on,
                       "due_on": rating.due_on})
    return rating


def on_deliverable_accepted(entry) -> None:
    """Subscriber of `projects.deliverable_accepted`: open the owner's rating."""
    from projects.models import Project

    data = entry.data or {}
    project = Project.objects.get(pk=data["project"])
    agency = Agency.objects.get(pk=data["agency"])
    open_rating(project=project, agency=agency, accepted_on=data["accepted_on"])


def _clean_scores(scores) -> list[int]:
    if isinstance(scores, dict):
        missing = [str(label) for name, label in DIMENSIONS if scores.get(name) in (None, "")]
        if missing:
            raise ValidationError(f"请为每一项打分：{'、'.join(missing)} / all five dimensions are required")
        scores = [scores[name] for name, _label in DIMENSIONS]
    try:
        values = [int(s) for s in scores]
    except (TypeError, ValueError):
        raise ValidationError("评分须为1至5的整数 / scores must be whole numbers from 1 to 5") from None
    if len(values) != len(DIMENSIONS) or any(not 1 <= v <= 5 for v in values):
        raise ValidationError("五项评分均须为1至5的整数 / all five scores must be whole numbers from 1 to 5")
    return values


@transaction.atomic
def record_rating(*, rating: Rating, by, scores, reason: str = "", today: dt.date | None = None,
                  now: dt.datetime | None = None) -> Rating:
    """The contracted owner's rating: once, between acceptance and the deadline; 不满意 needs a reason."""
    today = today or workdays.today()
    now = now or timezone.now()
    require(by, "ratings.rate", rating)
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    if rating.is_rated:
        raise ValidationError("该服务已评价，不能重复评价 / this service has already been rated")
    if today < rating.accepted_on:
        raise ValidationError("验收前不能评价 / cannot rate before acceptance")
    if today > rating.due_on:
        raise ValidationError(f"评价期限已过（{rating.due_on}） / the rating deadline {rating.due_on} has passed")
    policy = current_policy()
    values = _clean_scores(scores)
    mean, result = scoring.rating_result(values, policy)
    reason = (reason or "").strip()
    min_chars = int(policy.rating_unsat_reason_min_chars)
    if result == Rating.Result.UNSATISFIED and len(reason) < min_chars:
        raise ValidationError(f"评价为不满意时须填写不少于{min_chars}个字的理由 / "
                              f"an 不满意 rating needs a written reason of at least {min_chars} characters")
    for (name, _label), value in zip(DIMENSIONS, values, strict=True):
        setattr(rating, name, value)
    rating.mean, rating.result, rating.reason = mean, result, reason
    rating.rated_by, rating.rated_at, rating.rated_on = by, now, today
    rating.policy_version = policy.version
    rating.save(update_fields=[n for n, _l in DIMENSIONS] + ["mean", "result", "reason", "rated_by", "rated_at",
                                                               "rated_on", "policy_version"])
    audit.record(action=events.RATING_RECORDED.action, by=by, obj=rating, organisation=rating.owner_id, now=now,
                 data={"project": rating.project_id, "agency": rating.agency_id, "scores": values, "mean": mean,
                       "result": result, "automatic": False, "policy_version": policy.version}, reason=reason)
    _after_rating(rating, by=by)
    return rating


def _after_rating(rating: Rating, *, by) -> None:
    """A deducting rating adds its ledger line (whose subscriber recomputes the agency); any other rating
    recomputes the agency's projection (its rating summary) itself."""
    code = EVAL_CODES.get(rating.result)
    if code and not rating.automatic:
        credit.record_credit_event(agency=rating.agency, code=code, date=rating.rated_on,
                                   cause=f"{rating.project.code} 评价{rating.result}（均分{rating.mean}）",
                                   cause_obj=rating, by=by)
    else:
        _recompute_on_commit(rating.agency_id)


def sweep_overdue_ratings(*, today: dt.date | None = None, now: dt.datetime | None = None) -> int:
    """Record 满意 (automatic, never deducting) for every rating whose deadline has passed unrated."""
    today = today or workdays.today()
    now = now or timezone.now()
    done = 0
    for pk in Rating.objects.filter(result="", due_on__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            rating = Rating.objects.select_for_update().get(pk=pk)
            if rating.is_rated:
                continue
            rating.result, rating.automatic, rating.rated_on = Rating.Result.SATISFIED, True, today
            rating.rated_at = now
            rating.save(update_fields=["result", "automatic", "rated_on", "rated_at"])
            audit.record(action=events.RATING_RECORDED.action, by=None, obj=rating, organisation=rating.owner_id,
                         now=now,
                         data={"project": rating.project_id, "agency": rating.agency_id, "result": rating.result,
                               "automatic": True, "due_on": rating.due_on},
                         reason="业主逾期未评价，系统默认满意 / not rated by the deadline: automatic 满意")
            _after_rating(rating, by=None)
            done += 1
    return done


# ---- appeals -------------------------------------------------------------------------------------


def _rating_event(rating: Rating) -> CreditEvent | None:
    type_, id_ = audit.object_ref(rating)
    return CreditEvent.objects.select_for_update().filter(agency_id=rating.agency_id, cause_type=type_,
                                                          cause_id=id_, code__in=APPEALED_CODES).first()


@transaction.atomic
def file_appeal(*, rating: Rating, by, reason: str, today: dt.date | None = None,
                now: dt.datetime | None = None) -> Appeal:
    """The agency appeals a 基本满意/不满意 rating within appeal_within_wd; the deduction stops counting meanwhile."""
    today = today or workdays.today()
    now = now or timezone.now()
    require(by, "ratings.appeal", rating)
    policy = current_policy()
    rating = Rating.objects.select_for_update(of=("self",)).select_related("agency").get(pk=rating.pk)
    if rating.result not in EVAL_CODES or rating.automatic:
        raise ValidationError("只能对基本满意或不满意的评价申诉 / only 基本满意 or 不满意 ratings can be appealed")
    if Appeal.objects.filter(rating=rating).exists():
        raise ValidationError("该评价已申诉过 / this rating has already been appealed")
    last_day = workdays.add_working_days(rating.rated_on, int(policy.appeal_within_wd))
    if today > last_day:
        raise ValidationError(f"申诉期限已过（{last_day}） / the appeal deadline {last_day} has passed")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError("请写明申诉理由（至少10个字） / give the grounds of the appeal (at least 10 characters)")
    appeal = Appeal.objects.create(rating=rating, agency=rating.agency, reason=reason, filed_by=by, filed_on=today,
                                   filed_at=now,
                                   decide_by=workdays.add_working_days(today, int(policy.appeal_decide_wd)))
    event = _rating_event(rating)
    if event is not None and event.state == CreditEvent.State.COUNTED:
        credit.set_event_state(event=event, state=CreditEvent.State.APPEAL_PENDING)
    audit.record(action=events.APPEAL_FILED.action, by=by, obj=appeal, organisation=rating.agency.organisation_id,
                 now=now,
                 data={"rating": rating.pk, "agency": rating.agency_id, "decide_by": appeal.decide_by,
                       "event": event.pk if event else None}, reason=reason)
    _recompute_on_commit(rating.agency_id)
    return appeal


@transaction.atomic
def decide_appeal(*, appeal: Appeal, by, upheld: bool, note: str, now: dt.datetime | None = None) -> Appeal:
    """A regulator covering the agency decides: upheld voids the deduction, rejected counts it from its date."""
    now = now or timezone.now()
    appeal = Appeal.objects.select_for_update(of=("self",)).select_related("rating__project__service_type", "rating__agency",
                                                              "review__project__service_type", "review__agency",
                                                              "agency").get(pk=appeal.pk)
    require(by, "ratings.decide_appeal", appeal)
    if appeal.status != Appeal.Status.PENDING:
        raise ValidationError("该申诉已处理 / this appeal has already been decided")
    note = (note or "").strip()
    if not note:
        raise ValidationError("请填写处理意见 / a written decision is required")
    appeal.status = Appeal.Status.UPHELD if upheld else Appeal.Status.REJECTED
    appeal.decided_by, appeal.decided_at, appeal.decision_note = by, now, note
    appeal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    event = _rating_event(appeal.subject)
    if event is not None:
        credit.set_event_state(event=event, state=CreditEvent.State.VOIDED if upheld else CreditEvent.State.COUNTED)
    audit.record(action=events.APPEAL_DECIDED.action, by=by, obj=appeal, organisation=appeal.agency.organisation_id,
                 now=now,
                 data={"rating": appeal.rating_id, "review": appeal.review_id, "agency": appeal.agency_id,
                       "status": appeal.status,
                       "event": event.pk if event else None, "event_state": event.state if event else None,
                       "late": timezone.localdate(appeal.decided_at) > appeal.decide_by}, reason=note)
    _recompute_on_commit(appeal.agency_id)
    return appeal


# ---- complaints ----------------------------------------------------------------------------------


def _complainant(by, project) -> tuple[str, int | None]:
    """Who complains: the project's owner, another owner, an agency, or the public (and their organisation)."""
    owner_orgs = organisations(by, "owner")
    agency_orgs = organisations(by, "agency")
    if project is not None and any(o.pk == project.owner_id for o in owner_orgs):
        return Complaint.Source.OWNER, project.owner_id
    if owner_orgs:
        return Complaint.Source.OWNER, owner_orgs[0].pk
    if agency_orgs:
        return Complaint.Source.AGENCY, agency_orgs[0].pk
    return Complaint.Source.PUBLIC, None


@transaction.atomic
def file_complaint(*, agency: Agency, by, text: str, project=None, today: dt.date | None = None,
                   now: dt.datetime | None = None) -> Complaint:
    """Register a complaint at once and assign it to the competent regulator with a response deadline."""
    today = today or workdays.today()
    now = now or timezone.now()
    require(by, "ratings.complain", agency)
    policy = current_policy()
    text = (text or "").strip()
    if len(text) < 10:
        raise ValidationError("请具体说明投诉内容（至少10个字） / describe the complaint (at least 10 characters)")
    if project is not None and not project.registrations.filter(agency=agency).exists() and \
            not Rating.objects.filter(project=project, agency=agency).exists():
        raise ValidationError("该机构未参与此项目 / the agency took no part in this project")
    source, org = _complainant(by, project)
    regulator = competent_regulator(agency=agency, project=project)
    complaint = Complaint.objects.create(
        agency=agency, project=project, source=source, complainant=by, complainant_org_id=org, text=text,
        filed_on=today, filed_at=now, regulator=regulator,
        respond_by=workdays.add_working_days(today, int(policy.complaint_response_wd)))
    audit.record(action=events.COMPLAINT_FILED.action, by=by, obj=complaint, organisation=org, now=now,
                 data={"agency": agency.pk, "project": project.pk if project else None, "source": source,
                       "regulator": regulator.pk if regulator else None, "respond_by": complaint.respond_by},
                 reason=text)
    return complaint


@transaction.atomic
def decide_complaint(*, complaint: Complaint, by, verified: bool, response: str,
                     today: dt.date | None = None, now: dt.datetime | None = None) -> Complaint:
    """The competent regulator answers; a verified complaint becomes a `complaint` credit event."""
    today = today or workdays.today()
    now = now or timezone.now()
    complaint = Complaint.objects.select_for_update(of=("self",)).select_related("agency", "project__service_type").get(
        pk=complaint.pk)
    require(by, "ratings.decide_complaint", complaint)
    if complaint.status != Complaint.Status.OPEN:
        raise ValidationError("该投诉已处理 / this complaint has already been decided")
    response = (response or "").strip()
    if not response:
        raise ValidationError("请填写答复意见 / a written response is required")
    complaint.status = Complaint.Status.VERIFIED if verified else Complaint.Status.DISMISSED
    complaint.decided_by, complaint.decided_at, complaint.response = by, now, response
    complaint.save(update_fields=["status", "decided_by", "decided_at", "response"])
    audit.record(action=events.COMPLAINT_DECIDED.action, by=by, obj=complaint,
                 organisation=complaint.regulator_id, now=now,
                 data={"agency": complaint.agency_id, "status": complaint.status,
                       "late": today > complaint.respond_by}, reason=response)
    if verified and complaint.agency_id is not None:  # an owner's conduct has no ledger here
        credit.record_credit_event(agency=complaint.agency, code="complaint", date=today,
                                   cause=f"投诉属实：{complaint.text[:80]}", cause_obj=complaint, by=by)
    return complaint


# ---- credit repair ------------------------------------------------------------------------------


@transaction.atomic
def apply_repair(*, event: CreditEvent, by, reason: str, today: dt.date | None = None) -> RepairApplication:
    """The agency applies to repair an administrative penalty after its minimum publicity."""
    today = today or workdays.today()
    event = CreditEvent.objects.select_for_update(of=("self",)).select_related("agency").get(pk=event.pk)
    require(by, "ratings.apply_repair", event)
    policy = current_policy()
    if event.code not in scoring.REPAIRABLE_CODES:
        raise ValidationError("平台产生的扣分不可修复，期满后自动移出计分周期 / platform-made deductions cannot be "
                              "repaired; they age out of the window")
    if event.state != CreditEvent.State.COUNTED:
        raise ValidationError("该记录当前不计分，无需修复 / this line does not count, nothing to repair")
    allowed = scoring.repair_allowed_from(event.date, safety_related=event.safety_related, policy=policy)
    if today < allowed:
        raise ValidationError(f"最短公示期未满，{allowed}起可申请 / the minimum publicity has not passed; apply from "
                              f"{allowed}")
    if RepairApplication.objects.filter(event=event, status=RepairApplication.Status.PENDING).exists():
        raise ValidationError("已有待审核的修复申请 / a repair application is already pending")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError("请说明整改情况（至少10个字） / describe the remedy (at least 10 characters)")
    application = RepairApplication.objects.create(event=event, agency=event.agency, reason=reason, applied_by=by,
                                                   applied_on=today)
    audit.record(action=events.REPAIR_APPLIED.action, by=by, obj=application, organisation=event.agency.organisation_id,
                 data={"agency": event.agency_id, "event": event.pk}, reason=reason)
    return application


@transaction.atomic
def decide_repair(*, application: RepairApplication, by, approved: bool, note: str,
                  now: dt.datetime | None = None) -> RepairApplication:
    """A regulator covering the agency decides; approved marks the line repaired (kept, no longer deducting)."""
    now = now or timezone.now()
    application = RepairApplication.objects.select_for_update(of=("self",)).select_related("agency", "event").get(
        pk=application.pk)
    require(by, "ratings.decide_repair", application)
    if application.status != RepairApplication.Status.PENDING:
        raise ValidationError("该申请已处理 / this application has already been decided")
    note = (note or "").strip()
    if not note:
        raise ValidationError("请填写审核意见 / a written decision is required")
    application.status = RepairApplication.Status.APPROVED if approved else RepairApplication.Status.REJECTED
    application.decided_by, application.decided_at, application.decision_note = by, now, note
    application.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if approved:
        event = CreditEvent.objects.select_for_update().get(pk=application.event_id)
        credit.set_event_state(event=event, state=CreditEvent.State.REPAIRED)
    audit.record(action=events.REPAIR_DECIDED.action, by=by, obj=application,
                 organisation=application.agency.organisation_id, now=now,
                 data={"agency": application.agency_id, "event": application.event_id, "status": application.status},
                 reason=note)
    _recompute_on_commit(application.agency_id)
    return application


# ---- recomputation and sanctions --------------------------------------------------------------


@transaction.atomic
def recompute_agency(agency: Agency, *, as_of: dt.date | None = None, by=None, policy=None,
                     now: dt.datetime | None = None) -> Projection:
    """Compute the agency's projection from its ledger and ratings, store it (a credit change audited),
    note a grade change and impose sanctions."""
    as_of = as_of or workdays.today()
    now = now or timezone.now()
    policy = policy or current_policy()
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    result = projection(agency.pk, as_of=as_of, policy=policy)
    previous = agency.credit_grade
    credit.store_credit(agency=agency, score=result.score, grade=result.grade, forced=result.forced,
                        policy_version=policy.version, as_of=as_of, by=by, now=now)
    credit.store_rating_summary(agency=agency, count=result.rating_count, mean=result.rating_mean)
    _note_grade(agency, previous=previous, result=result, as_of=as_of, policy=policy)
    apply_sanctions(agency, as_of=as_of, policy=policy)
    return result


def _note_grade(agency, *, previous, result, as_of, policy) -> None:
    last = GradeChange.objects.filter(agency=agency).order_by("-date", "-id").first()
    if last is None and result.grade == previous == "A":
        return  # nothing to record: a new agency starts at A
    if last is None or last.grade != result.grade:
        GradeChange.objects.create(agency=agency, date=as_of, grade=result.grade, previous=last.grade if last else previous,
                                   score=result.score, forced=result.forced, policy_version=policy.version)


def on_credit_event_recorded(entry) -> None:
    """Subscriber of `agencies.credit_event_recorded` and `agencies.credit_event_corrected`: recompute that
    agency now."""
    agency = Agency.objects.filter(pk=(entry.data or {}).get("agency")).first()
    if agency is not None:
        recompute_agency(agency)

