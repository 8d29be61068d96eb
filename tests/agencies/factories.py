"""Factories and helpers for agencies tests (built on the shared tests/factories.py)."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from agencies import services
from agencies.models import Agency, AgencyDocument
from marketplace.models import Membership, Organisation, Region
from tests.factories import AgencyFactory, AgencyServiceFactory, make_resident_id, make_uscc, member_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def pdf(name="scan.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def complete_application(user, *, serial=900, region="330482", service="ZR01", today=dt.date(2025, 9, 26)):
    """A draft with every required document and one service, ready to submit."""
    agency = services.start_application(
        by=user, uscc=make_uscc(serial, region=region), name=f"嘉兴申请机构{serial}", region=region,
        address="平湖市当湖街道1号", legal_rep_name="张三", legal_rep_id=make_resident_id(serial), today=today)
    services.update_application(by=user, agency=agency, contact_name="李四", contact_phone="0573-85000000",
                                contact_id=make_resident_id(serial + 1))
    for kind in (AgencyDocument.Kind.LICENCE, AgencyDocument.Kind.COMMITMENT, AgencyDocument.Kind.AUTHORISATION,
                 AgencyDocument.Kind.CONTACT_INSURANCE):
        services.upload_document(by=user, agency=agency, kind=kind, file=pdf(f"{kind}.pdf"))
    services.save_service(by=user, agency=agency, service_type=service, price_min="1000", price_max="50000",
                          time_limit_wd=10)
    return Agency.objects.get(pk=agency.pk)


def admitted_agency_with_member(**kwargs):
    agency = AgencyFactory(**kwargs)
    user = member_of(agency.organisation, role=Membership.Role.ADMIN)
    return agency, user


def region(code):
    return Region.objects.get(code=code)


def scoped_regulator(region_codes=(), department_names=()):
    from marketplace.models import Department

    org = Organisation.objects.create(kind=Organisation.Kind.REGULATOR, name=f"监管{region_codes}{department_names}")
    if region_codes:
        org.scope_regions.set(region_codes)
    if department_names:
        org.scope_departments.set(Department.objects.filter(name__in=department_names))
    return member_of(org)


__all__ = ["AgencyFactory", "AgencyServiceFactory", "make_uscc", "make_resident_id", "io"]
