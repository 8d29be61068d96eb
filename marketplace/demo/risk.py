"""Risk patterns for the demo regulator, planted through the real services, then one risk scan.

- shared_person: an approved change makes one surveyor's legal representative that of another; both
  register, with a third, for the same draw;
- identical_quotes: two assessors seal the same quote in a lowest-price round;
- win_concentration and split_purchase: one owner picks the same surveyor directly four times in two
  months, each below the direct-selection limit, together above it;
- owner_delay: the same owner accepts a deliverable late and lets the rating lapse.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from marketplace.demo.history import Days, admin_of, offer_directly, pdf
from marketplace.models import Organisation, User

REVIEW_NOTE = "法定代表人变更材料齐全，予以确认。"
SHARED_TITLE = "海宁市长安镇农村饮用水提标改造工程地形测绘"


def _surveyors() -> list:
    from agencies.models import Agency

    return list(Agency.objects.filter(status="admitted", credit_grade__in=["A", "B"], services__service_type_id="ZR01")
                .exclude(organisation__memberships__user__email="agency1@demo.zjcs.cn")
                .distinct().select_related("organisation").order_by("-id"))


def _assessors() -> list:
    from agencies.models import Agency

    return list(Agency.objects.filter(Q(status="admitted"), Q(credit_grade__in=["A", "B"]),
                                      services__service_type_id="HB01").distinct()
                .select_related("organisation").order_by("-id"))


def _posting(owner, title: str, agencies: list, *, now: dt.datetime, service: str, method: str, ceiling: str,
             quotes=None):
    """A posting published nine days ago with `agencies` registered; its registration has closed."""
    from marketplace.models import ServiceType
    from projects import services

    when = now - dt.timedelta(days=9)
    fields = {"title": title, "service_type": ServiceType.objects.get(code=service), "region": owner.region,
              "scope": f"{title}：按委托书要求完成全部工作并提交成果资料。", "ceiling": Decimal(ceiling),
              "funding": "fiscal", "method": method, "requested_limit_wd": 10}
    project = services.create_draft(by=admin_of(owner), owner=owner, fields=fields, now=when)
    project = services.publish(by=admin_of(owner), project=project, now=when)
    for i, agency in enumerate(agencies):
        services.register(by=admin_of(agency.organisation), project=project, agency=agency,
                          quote=quotes[i] if quotes else None, now=when + dt.timedelta(hours=2 + i))
    project.refresh_from_db()
    return services.close_registration(project=project, now=project.registration_deadline)


def _shared_person(owner, surveyors: list, now: dt.datetime) -> None:
    from agencies.changes import approve_change, propose_change

    a, b, c = surveyors[:3]
    change = propose_change(by=admin_of(b.organisation), agency=b, kind="legal_rep",
                            data={"legal_rep_name": a.legal_rep_name, "legal_rep_id": a.legal_rep_id},
                            today=timezone.localdate(now - dt.timedelta(days=30)))
    approve_change(by=User.objects.get(email="regulator@demo.zjcs.cn"), change=change, reason=REVIEW_NOTE,
                   now=now - dt.timedelta(days=29))
    _posting(owner, SHARED_TITLE, [a, b, c], now=now, service="ZR01", method="draw",
             ceiling="90000")


def _direct_awards(owner, agency, days: Days) -> None:
    from projects import services

    for i, start in enumerate([days.back(38), days.back(30), days.back(22), days.back(14)]):
        project, registration = offer_directly(
            days, agency=agency, owner=owner, service="ZR01", start=start, ceiling=Decimal("30000"),
            title=f"嘉善县姚庄镇村庄规划修编地形补测（第{i + 1}批）")
        services.confirm_selection(by=admin_of(agency.organisation), registration=registration,
                                   now=days.at(start, 15))


def _late_owner(owner, agency, days: Days, start: dt.date, title: str) -> None:
    """Contract, materials eight working days late, a deliverable accepted twelve working days after submission
    (ten allowed), and no rating by its deadline."""
    from projects import services
    from projects.delivery import services as delivery
    from projects.delivery.models import ServiceJob

    project, registration = offer_directly(days, agency=agency, owner=owner, service="ZR01", start=start,
                                           ceiling=Decimal("45000"), title=title)
    owner_user, agency_user = admin_of(owner), admin_of(agency.organisation)
    project = services.confirm_selection(by=agency_user, registration=registration, now=days.at(start, 15))
    signed = days.after(project.publicity_ends_on, 1)
    project = services.end_publicity(project=project, now=days.at(signed, 8, 30))
    services.upload_contract(by=owner_user, project=project, signed_on=signed, upload=pdf("服务合同.pdf"),
                             now=days.at(signed, 10))
    supplied = days.after(signed, 8)
    job = delivery.record_materials_complete(job=ServiceJob.objects.get(project=project), on=supplied,
                                             by=owner_user, now=days.at(supplied, 11))
    submitted = days.after(supplied, 6)
    deliverable = delivery.submit_deliverable(job=job, files=[pdf("成果报告.pdf")], by=agency_user,
                                              note="成果报告及附件已按合同要求提交，请审查。", now=days.at(submitted, 16))
    delivery.accept_deliverable(deliverable=deliverable, by=owner_user, now=days.at(days.after(submitted, 12), 10))


@transaction.atomic
def plant(*, now: dt.datetime | None = None) -> int:
    """Plant the five patterns (skipped when the demo has too few agencies) and scan; returns the flags found."""
    from oversight.scan import run_scan
    from projects.models import Project

    now = now or timezone.now()
    days = Days(timezone.localdate(now))
    owners = list(Organisation.objects.filter(kind="owner").order_by("id"))
    surveyors, assessors = _surveyors(), _assessors()
    if len(owners) < 3 or len(surveyors) < 4:
        return 0
    if Project.objects.filter(title=SHARED_TITLE).exists():  # planted by an earlier run of the seed
        return len(run_scan(as_of=days.today, now=now).findings)
    _shared_person(owners[1], surveyors, now)
    if len(assessors) >= 3:
        _posting(owners[1], "海宁市盐官镇污水管网提标改造环境影响报告表编制", assessors[:3], now=now, service="HB01",
                 method="lowest", ceiling="150000", quotes=[Decimal("128000"), Decimal("128000"), Decimal("136500")])
    _direct_awards(owners[2], surveyors[3], days)
    _late_owner(owners[2], surveyors[3], days, days.back(60), "嘉善县西塘镇历史街区房屋安全普查测绘")
    _late_owner(owners[2], surveyors[3], days, days.back(55), "嘉善县干窑镇工业园区竣工测量")
    return len(run_scan(as_of=days.today, now=now).findings)
