"""A past the demo can replay: working-day dates counted back from today, and one posting driven from
draft to acceptance through the real services, every step at its own moment (`now=` / `today=`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from marketplace import workdays
from marketplace.models import Membership, ServiceType

MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
               b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
               b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, MINIMAL_PDF, content_type="application/pdf")


def admin_of(org):
    return org.memberships.filter(role=Membership.Role.ADMIN).select_related("user").first().user


class Days:
    """Working-day arithmetic anchored on `today` (the demo is consistent as of the day it is seeded)."""

    def __init__(self, today: dt.date):
        self.today = today
        self.calendar = workdays.get_calendar()

    def back(self, n: int) -> dt.date:
        """The n-th working day before today (n = 0: the last working day on or before today)."""
        day = self.today
        while not self.calendar.is_working_day(day):
            day -= dt.timedelta(days=1)
        while n:
            day -= dt.timedelta(days=1)
            if self.calendar.is_working_day(day):
                n -= 1
        return day

    def after(self, day: dt.date, n: int) -> dt.date:
        d = self.calendar.add_working_days(day, n)
        return dt.date(d.year, d.month, d.day)

    @staticmethod
    def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@dataclass(frozen=True)
class Delivered:
    project: object
    job: object
    rating: object
    accepted_on: dt.date


def _direct_posting(days: Days, *, agency, owner, service: str, title: str, start: dt.date, limit: int,
                    ceiling: Decimal):
    """A direct selection (fiscal, below the direct limit) drafted, published and offered on `start`."""
    from projects import services

    owner_user = admin_of(owner)
    fields = {"title": title, "service_type": ServiceType.objects.get(code=service), "region": owner.region,
              "funding": "fiscal", "scope": f"{title}：按委托书要求完成全部工作并提交成果资料。", "ceiling": ceiling,
              "method": "direct", "requested_limit_wd": limit,
              "direct_reason": "项目金额较小且时间紧迫，经集体研究直接选取具备相应能力的机构。"}
    project = services.create_draft(by=owner_user, owner=owner, fields=fields, now=days.at(start, 9))
    project = services.publish(by=owner_user, project=project, now=days.at(start, 9, 20))
    project = services.select_direct(by=owner_user, project=project, agency=agency, now=days.at(start, 10))
    return project, project.registrations.get(agency=agency)


def offer_directly(days: Days, *, agency, owner, service: str, title: str, start: dt.date, limit: int = 10,
                   ceiling: Decimal = Decimal("80000")):
    """A direct offer awaiting the agency's answer (the caller confirms or refuses it)."""
    return _direct_posting(days, agency=agency, owner=owner, service=service, title=title, start=start, limit=limit,
                           ceiling=ceiling)


def deliver(days: Days, *, agency, owner, service: str, title: str, start: dt.date, limit: int = 10, late: int = 0,
            ceiling: Decimal = Decimal("80000")) -> Delivered:
    """Offer, confirmation, publicity, contract, materials, deliverable and acceptance, `late` working days over."""
    from projects import services
    from projects.delivery import services as delivery
    from projects.delivery.models import ServiceJob
    from ratings.services import open_rating

    owner_user, agency_user = admin_of(owner), admin_of(agency.organisation)
    project, registration = _direct_posting(days, agency=agency, owner=owner, service=service, title=title,
                                            start=start, limit=limit, ceiling=ceiling)
    project = services.confirm_selection(by=agency_user, registration=registration, now=days.at(start, 15))
    signed = days.after(project.publicity_ends_on, 1)
    project = services.end_publicity(project=project, now=days.at(signed, 8, 30))
    services.upload_contract(by=owner_user, project=project, signed_on=signed, upload=pdf("服务合同.pdf"),
                             now=days.at(signed, 10))
    job = ServiceJob.objects.get(project=project)
    job = delivery.record_materials_complete(job=job, on=signed, by=owner_user, now=days.at(signed, 11))
    submitted = days.after(signed, limit + late if late else max(1, limit - 2))
    deliverable = delivery.submit_deliverable(job=job, files=[pdf("成果报告.pdf")], by=agency_user,
                                              note="成果报告及附件已按合同要求提交，请审查。", now=days.at(submitted, 16))
    accepted = days.after(submitted, 1)
    job = delivery.accept_deliverable(deliverable=deliverable, by=owner_user, now=days.at(accepted, 10))
    # The rating also opens from the acceptance's audit subscriber; opening it here keeps the replay in order.
    rating = open_rating(project=project, agency=agency, accepted_on=accepted)
    return Delivered(project=project, job=job, rating=rating, accepted_on=accepted)
