"""The notifications the ratings app declares (see `marketplace.notify_registry`): ratings and report
reviews due, appeals filed and decided, complaints answered, sanctions imposed."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_noop as _

from marketplace.notify import Text, label
from marketplace.notify_registry import Message, notification, regulators_covering
from ratings.models import Appeal, Complaint, Rating, ReportReview, Sanction
from ratings.selectors import competent_regulator


@notification("ratings.rating_opened", kind="rating_due", deadline=True,
              title=_("请评价服务：%(code)s"),
              body=_("项目 %(code)s「%(title)s」的成果已验收，请在 %(deadline)s 前评价中介机构的服务；逾期视为满意。"))
def rating_opened(entry):
    rating = Rating.objects.select_related("project__owner").filter(pk=int(entry.object_id)).first()
    if rating is None:
        return []
    project = rating.project
    return [Message(recipients=project.owner, params={"code": project.code, "title": project.title},
                    deadline=entry.data["due_on"], url=reverse("ratings:rate", args=[rating.pk]))]


@notification("ratings.review_opened", kind="review_due", label=_("报告待复审"), deadline=True,
              title=_("报告待复审：%(code)s"),
              body=_("项目 %(code)s「%(title)s」的成果报告待复审，复审期限 %(deadline)s。"))
def review_opened(entry):
    review = ReportReview.objects.select_related("project__service_type").filter(pk=int(entry.object_id)).first()
    if review is None:
        return []
    project = review.project
    return [Message(recipients=regulators_covering(project, project.service_type.department_id),
                    params={"code": project.code, "title": project.title}, deadline=entry.data["due_on"],
                    url=reverse("ratings:review_form", args=[review.pk]))]


def _appeal(entry) -> Appeal | None:
    return Appeal.objects.select_related("agency__organisation", "rating__project", "review__project").filter(
        pk=int(entry.object_id)).first()


def _appeal_project(appeal: Appeal):
    return appeal.rating.project if appeal.rating_id else appeal.review.project


@notification("ratings.appeal_filed", kind="appeal_filed", label=_("申诉待处理"), deadline=True,
              title=_("收到申诉：%(agency)s"),
              body=_("%(agency)s 对项目 %(code)s 的评价或复审结论提出申诉，请在 %(deadline)s 前作出决定。"))
def appeal_filed(entry):
    appeal = _appeal(entry)
    if appeal is None:
        return []
    project = _appeal_project(appeal)
    regulator = competent_regulator(agency=appeal.agency, project=project)
    if regulator is None:
        return []
    return [Message(recipients=regulator, params={"agency": appeal.agency.name, "code": project.code},
                    deadline=entry.data["decide_by"], url=reverse("ratings:appeal_decide", args=[appeal.pk]))]


@notification("ratings.appeal_decided", kind="appeal_decided", label=_("申诉结果"),
              title=_("申诉已处理：%(code)s"),
              body=_("贵机构对项目 %(code)s 的申诉已处理：%(status)s。"))
def appeal_decided(entry):
    appeal = _appeal(entry)
    if appeal is None:
        return []
    project = _appeal_project(appeal)
    return [Message(recipients=appeal.agency.organisation,
                    params={"code": project.code, "status": label(appeal.get_status_display())},
                    url=reverse("ratings:my_ratings"))]


@notification("ratings.complaint_decided", kind="complaint_answered", label=_("投诉已答复"),
              title=_("您的投诉已答复"),
              body=_("您提交的投诉已由主管部门答复：%(status)s，可在投诉查询中查看答复内容。"))
def complaint_decided(entry):
    complaint = Complaint.objects.select_related("complainant", "complainant_org").filter(
        pk=int(entry.object_id)).first()
    if complaint is None or (complaint.complainant is None and complaint.complainant_org is None):
        return []
    return [Message(recipients=[complaint.complainant, complaint.complainant_org],
                    params={"status": label(complaint.get_status_display())},
                    url=reverse("ratings:complaint_track"))]


@notification("ratings.sanction_imposed", kind="sanction", label=_("处理措施"),
              title=_("处理措施：%(kind)s"),
              body=_("贵机构被采取处理措施：%(kind)s，期间 %(starts)s 至 %(ends)s。"))
def sanction_imposed(entry):
    sanction = Sanction.objects.select_related("agency__organisation").filter(pk=int(entry.object_id)).first()
    if sanction is None:
        return []
    ends = entry.data.get("ends_on")
    return [Message(recipients=sanction.agency.organisation,
                    params={"kind": label(sanction.get_kind_display()), "starts": entry.data["starts_on"],
                            "ends": ends or Text(_("解除为止"))},
                    url=reverse("ratings:credit", args=[sanction.agency.uscc]))]
