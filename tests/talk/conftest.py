"""Fixtures for clarifications, posting attachments and job threads (docs/rules.md §12)."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from projects.delivery import services as delivery
from tests.factories import AgencyFactory, member_of
from tests.projects.factories import eligible_agency, make_published

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name="scope.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def office(name: str, part: str) -> SimpleUploadedFile:
    """A minimal OOXML container (docx: word/document.xml, xlsx: xl/workbook.xml)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        if part:
            archive.writestr(part, "<x/>")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="application/octet-stream")


@pytest.fixture
def agencies(db):
    return [eligible_agency() for _ in range(3)]


@pytest.fixture
def live(owner_user, owner_org):
    """A posting published now (real clock: the views act at the current time)."""
    return make_published(owner_user, owner_org, now=timezone.now())


@pytest.fixture
def job(owner_user, owner_org):
    """A running service job between `owner_org` and a new agency (contract signed two days ago)."""
    from tests.factories import ProjectFactory

    agency = AgencyFactory()
    agency.user = member_of(agency.organisation)
    project = ProjectFactory(owner=owner_org, status="contracting")
    signed = timezone.localdate() - dt.timedelta(days=2)
    return delivery.start_service(project=project, agency=agency, contract_signed_on=signed, limit_wd=10,
                                  by=owner_user, materials_complete_on=signed, now=timezone.now())
