import datetime as dt
import zoneinfo

import pytest

from marketplace.models import Organisation, Region
from projects.delivery import services
from tests.factories import AgencyFactory, OrganisationFactory, ProjectFactory, member_of

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
D = dt.date


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """An aware Asia/Shanghai datetime on `day` (services take `now`)."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


@pytest.fixture
def agency(db):
    return AgencyFactory()


@pytest.fixture
def agency_user(agency):
    return member_of(agency.organisation)


@pytest.fixture
def other_agency_user(db):
    return member_of(AgencyFactory().organisation)


@pytest.fixture
def project(owner_org):
    return ProjectFactory(owner=owner_org, status="contracting")


@pytest.fixture
def out_of_scope_regulator_user(db):
    org = OrganisationFactory(kind=Organisation.Kind.REGULATOR, name="海宁市行政审批局")
    org.scope_regions.add(Region.objects.get(code="330481"))
    return member_of(org)


EXAMPLE_START = D(2025, 9, 26)


def start(project, agency, by, *, signed=EXAMPLE_START, limit=10, materials=True, now=None):
    return services.start_service(project=project, agency=agency, contract_signed_on=signed, limit_wd=limit, by=by,
                                  materials_complete_on=signed if materials else None, now=now or at(signed))


@pytest.fixture
def job(project, agency, agency_user, owner_user):
    """Limit 10, started Fri 2025-09-26 (the docs/rules.md §7 example clock)."""
    return start(project, agency, owner_user)
