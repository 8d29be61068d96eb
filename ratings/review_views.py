"""Pages of the report review (报告复审): the regulator's queue and form, the agency's reviews and appeals."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from marketplace import workdays
from marketplace.exports import DATE, columns, export
from marketplace.feedback import show_errors
from marketplace.permissions import organisations, require
from marketplace.policy import current_policy
from ratings import reviews
from ratings.models import ReportReview

STATUSES = [("due", gettext_lazy("待复审")), ("expired", gettext_lazy("已过期未复审")),
            ("reviewed", gettext_lazy("已复审"))]


def _regulator(request) -> None:
    if not request.user.is_authenticated:
        raise PermissionDenied(_("请先登录 / please log in"))
    require(request.user, "ratings.workspace")


def review_queue(request):
    """Reviews in the regulator's scope with their deadlines (due by default; expired and done on request)."""
    _regulator(request)
    today = workdays.today()
    status = request.GET.get("status", "due")
    status = status if status in reviews.QUEUE_STATUSES or status == "" else "due"
    qs = reviews.review_queue(request.user, status=status, today=today)
    if request.GET.get("format") in {"csv", "xlsx"}:
        return export(request.GET["format"], name="reviews", title=_("报告复审"),
                      cols=columns(_("项目"), _("业主"), _("机构"), _("审批部门"), (_("验收日"), DATE),
                                   (_("复审截止"), DATE), _("结论"), _("复审意见"), (_("复审日"), DATE)),
                      rows=([r.project.code, r.project.owner.name, r.agency.name,
                             r.project.service_type.department.name, r.accepted_on, r.due_on,
                             r.get_outcome_display(), r.reasons, r.reviewed_on] for r in qs))
    return render(request, "ratings/review/queue.html", {"rows": qs[:200], "today": today, "status": status,
                                                         "statuses": STATUSES})


def review_form(request, pk: int):
    """One report: the accepted deliverable's files and the review form."""
    _regulator(request)
    review = get_object_or_404(ReportReview.objects.select_related(
        "project__service_type__department", "project__owner", "agency", "reviewed_by", "reviewer_org"), pk=pk)
    require(request.user, "ratings.review_report", review)
    outcome, reasons = request.POST.get("outcome", ""), request.POST.get("reasons", "")
    if request.method == "POST":
        try:
            reviews.record_review(review=review, by=request.user, outcome=outcome, reasons=reasons)
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("复审结论已记录 / review recorded"))
            return redirect("ratings:review_queue")
    files = list(review.deliverable.files.all()) if review.deliverable_id else []
    return render(request, "ratings/review/form.html", {
        "review": review, "files": files, "outcome": outcome, "reasons": reasons, "today": workdays.today(),
        "outcomes": ReportReview.Outcome.choices, "policy": current_policy()})


@login_required
def my_reviews(request):
    """Reviews of the work of the user's agencies, with the appeal form where one is still open."""
    if not organisations(request.user, "agency"):
        raise PermissionDenied(_("仅中介机构可查看 / agencies only"))
    policy, today = current_policy(), workdays.today()
    rows = []
    for review in reviews.reviews_received(request.user)[:100]:
        appeal = getattr(review, "appeal", None)
        deadline = reviews.appeal_deadline(review, policy)
        rows.append({"review": review, "appeal": appeal, "deadline": deadline,
                     "appealable": appeal is None and review.outcome in reviews.REVIEW_CODES and today <= deadline})
    return render(request, "ratings/review/mine.html", {"rows": rows})


@login_required
@require_POST
def review_appeal(request, pk: int):
    review = get_object_or_404(ReportReview.objects.select_related("agency"), pk=pk)
    require(request.user, "ratings.appeal_review", review)
    try:
        reviews.file_review_appeal(review=review, by=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("申诉已提交 / appeal filed"))
    except ValidationError as exc:
        show_errors(request, exc)
    return redirect("ratings:my_reviews")
