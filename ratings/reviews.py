"""Report review (报告复审, docs/rules.md §8): the approving department's review of an accepted deliverable.

A pending review opens when the owner accepts the deliverable (`projects.deliverable_accepted`). A
regulator covering the project's region and its service type's department may record 合格 / 基本合格 /
不合格 with reasons until `due_on` (`report_review_wd` working days after acceptance); 基本合格 and
不合格 add a `review_basic` / `review_fail` ledger line. The agency may appeal those like a rating: the
`Appeal` names the review, and the regulator decides it in the same queue (`services.decide_appeal`).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from agencies import credit
from agencies.models import Agency, CreditEvent
from marketplace import audit, workdays
from marketplace.notify import notify
from marketplace.permissions import organisations, regulator_covers, require
from marketplace.policy import current_policy
from ratings import events, services
from ratings.models import Appeal, ReportReview
from ratings.selectors import scope_q

Outcome = ReportReview.Outcome
REVIEW_CODES = {Outcome.BASIC: "review_basic", Outcome.FAIL: "review_fail"}
QUEUE_STATUSES = {"due", "expired", "reviewed"}


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _recompute_on_commit(agency_id: int) -> None:
    transaction.on_commit(lambda: services.recompute_agency(Agency.objects.get(pk=agency_id)))


# ---- opening ------------------------------------------------------------------------------------


@transaction.atomic
def open_review(*, project, agency, accepted_on, job_id=None, deliverable_id=None, by=None,
                policy=None) -> ReportReview:
    """Open the pending review of an accepted deliverable (idempotent per project and agency)."""
    policy = policy or current_policy()
    accepted_on = _date(accepted_on)
    existing = ReportReview.objects.filter(project=project, agency=agency).first()
    if existing is not None:
        return existing
    review = ReportReview.objects.create(
        project=project, agency=agency, job_id=job_id, deliverable_id=deliverable_id, accepted_on=accepted_on,
        due_on=workdays.add_working_days(accepted_on, int(policy.report_review_wd)), policy_version=policy.version)
    audit.record(action=events.REVIEW_OPENED.action, by=by, obj=review, organisation=project.owner_id,
                 data={"project": project.pk, "agency": agency.pk, "accepted_on": accepted_on,
                       "due_on": review.due_on})
    return review


def on_deliverable_accepted(entry) -> None:
    """Subscriber of `projects.deliverable_accepted`: open the approving department's review."""
    from projects.models import Project

    data = entry.data or {}
    project = Project.objects.get(pk=data["project"])
    agency = Agency.objects.get(pk=data["agency"])
    open_review(project=project, agency=agency, accepted_on=data["accepted_on"], job_id=data.get("job"),
                deliverable_id=data.get("deliverable"))


# ---- the review ---------------------------------------------------------------------------------


def _reviewer_org(by, project):
    """The regulator organisation the reviewer acts for: the first of theirs that covers the matter."""
    department = project.service_type.department_id
    return next((org for org in organisations(by, "regulator") if regulator_covers(org, project, department)), None)


def _clean_review(review: ReportReview, *, outcome: str, reasons: str, today: dt.date, policy) -> str:
    if review.is_reviewed:
        raise ValidationError("该报告已复审，不能重复复审 / this report has already been reviewed")
    if today < review.accepted_on:
        raise ValidationError("验收前不能复审 / cannot review before acceptance")
    if today > review.due_on:
        raise ValidationError(f"复审期限已过（{review.due_on}） / the review deadline {review.due_on} has passed")
    if outcome not in Outcome.values:
        raise ValidationError("请选择复审结论：合格、基本合格或不合格 / choose 合格, 基本合格 or 不合格")
    reasons = (reasons or "").strip()
    minimum = int(policy.review_reason_min_chars)
    if outcome != Outcome.PASS and len(reasons) < minimum:
        raise ValidationError(f"基本合格或不合格须写明理由（至少{minimum}个字） / 基本合格 and 不合格 need "
                              f"reasons of at least {minimum} characters")
    if "\x00" in reasons:
        raise ValidationError("复审意见含有无效字符 / the reasons contain an invalid character")
    return reasons


@transaction.atomic
def record_review(*, review: ReportReview, by, outcome: str, reasons: str, today: dt.date | None = None,
                  now: dt.datetime | None = None) -> ReportReview:
    """A regulator of the approving department reviews the report once, within the window."""
    today = today or workdays.today()
    now = now or timezone.now()
    review = ReportReview.objects.select_for_update(of=("self",)).select_related(
        "project__service_type", "agency").get(pk=review.pk)
    require(by, "ratings.review_report", review)
    policy = current_policy()
    reasons = _clean_review(review, outcome=outcome, reasons=reasons, today=today, policy=policy)
    org = _reviewer_org(by, review.project)
    review.outcome, review.reasons, review.reviewed_by, review.reviewer_org = outcome, reasons, by, org
    review.reviewed_at, review.reviewed_on, review.policy_version = now, today, policy.version
    review.save(update_fields=["outcome", "reasons", "reviewed_by", "reviewer_org", "reviewed_at", "reviewed_on",
                               "policy_version"])
    event = None
    if outcome in REVIEW_CODES:
        event = credit.record_credit_event(
            agency=review.agency, code=REVIEW_CODES[outcome], date=today, cause_obj=review, by=by,
            cause=f"{review.project.code} 报告复审{review.get_outcome_display()}：{reasons[:80]}")
    audit.record(action=events.REVIEW_RECORDED.action, by=by, obj=review, organisation=org.pk if org else None,
                 now=now, data={"project": review.project_id, "agency": review.agency_id, "outcome": outcome,
                                "regulator": org.pk if org else None, "event": event.pk if event else None,
                                "policy_version": policy.version}, reason=reasons)
    notify(key=f"review:{review.pk}:recorded", recipients=review.agency.organisation, kind="review_recorded",
           title=f"报告复审结论：{review.project.code} {review.get_outcome_display()}", body=reasons,
           url=_url("ratings:my_reviews"))
    return review


# ---- appeal ---------------------------------------------------------------------------------------


def _review_event(review: ReportReview) -> CreditEvent | None:
    type_, id_ = audit.object_ref(review)
    return CreditEvent.objects.select_for_update().filter(agency_id=review.agency_id, cause_type=type_, cause_id=id_,
                                                          code__in=REVIEW_CODES.values()).first()


def appeal_deadline(review: ReportReview, policy) -> dt.date | None:
    if review.reviewed_on is None:
        return None
    return workdays.add_working_days(review.reviewed_on, int(policy.appeal_within_wd))


@transaction.atomic
def file_review_appeal(*, review: ReportReview, by, reason: str, today: dt.date | None = None,
                       now: dt.datetime | None = None) -> Appeal:
    """The agency appeals a 基本合格/不合格 review within appeal_within_wd; the deduction stops counting meanwhile."""
    today = today or workdays.today()
    now = now or timezone.now()
    require(by, "ratings.appeal_review", review)
    policy = current_policy()
    review = ReportReview.objects.select_for_update(of=("self",)).select_related("agency").get(pk=review.pk)
    if review.outcome not in REVIEW_CODES:
        raise ValidationError("只能对基本合格或不合格的复审结论申诉 / only 基本合格 or 不合格 reviews can be appealed")
    if Appeal.objects.filter(review=review).exists():
        raise ValidationError("该复审结论已申诉过 / this review has already been appealed")
    last_day = appeal_deadline(review, policy)
    if today > last_day:
        raise ValidationError(f"申诉期限已过（{last_day}） / the appeal deadline {last_day} has passed")
    reason = (reason or "").strip()
    if len(reason) < 10 or "\x00" in reason:
        raise ValidationError("请写明申诉理由（至少10个字） / give the grounds of the appeal (at least 10 characters)")
    appeal = Appeal.objects.create(review=review, agency=review.agency, reason=reason, filed_by=by, filed_on=today,
                                   filed_at=now,
                                   decide_by=workdays.add_working_days(today, int(policy.appeal_decide_wd)))
    event = _review_event(review)
    if event is not None and event.state == CreditEvent.State.COUNTED:
        credit.set_event_state(event=event, state=CreditEvent.State.APPEAL_PENDING)
    audit.record(action=events.APPEAL_FILED.action, by=by, obj=appeal, organisation=review.agency.organisation_id,
                 now=now, data={"rating": None, "review": review.pk, "agency": review.agency_id,
                                "decide_by": appeal.decide_by, "event": event.pk if event else None},
                 reason=reason)
    _recompute_on_commit(review.agency_id)
    return appeal


# ---- reads ----------------------------------------------------------------------------------------


def review_queue(user, *, status: str = "due", today: dt.date) -> QuerySet:
    """Reviews in the regulator's scope (region and the approving department): due, expired or reviewed."""
    qs = ReportReview.objects.select_related("project__service_type__department", "project__owner", "agency",
                                             "reviewed_by", "reviewer_org")
    if status == "due":
        qs = qs.filter(outcome="", due_on__gte=today)
    elif status == "expired":
        qs = qs.filter(outcome="", due_on__lt=today)
    elif status == "reviewed":
        qs = qs.exclude(outcome="").order_by("-reviewed_on", "-id")
    q = scope_q(user, region_field="project__region_id", department_field="project__service_type__department_id")
    return qs if q is None else qs.filter(q)


def reviews_received(user) -> QuerySet:
    """Reviews recorded on the work of the user's agencies, newest first, with their appeals."""
    orgs = [o.pk for o in organisations(user, "agency")]
    return (ReportReview.objects.filter(agency__organisation_id__in=orgs).exclude(outcome="")
            .select_related("project", "agency", "reviewer_org").prefetch_related("appeal")
            .order_by("-reviewed_on", "-id"))
