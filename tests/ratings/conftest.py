import datetime as dt

import pytest

from marketplace import workdays
from marketplace.models import Department, Organisation, Region
from tests.factories import AgencyFactory, AgencyServiceFactory, OrganisationFactory, ProjectFactory, member_of


@pytest.fixture
def today():
    return workdays.today()


@pytest.fixture
def agency(db):
    """An admitted agency offering 测绘 (自然资源, the department of the `project` fixture), so the
    department-scoped `covering_regulator` covers it (an agency under no department is outside every
    department scope)."""
    agency = AgencyFactory()
    AgencyServiceFactory(agency=agency)
    return agency


@pytest.fixture
def agency_user(agency):
    return member_of(agency.organisation)


@pytest.fixture
def project(owner_org):
    return ProjectFactory(owner=owner_org)


@pytest.fixture
def rating(project, agency, today):
    from ratings.services import open_rating

    return open_rating(project=project, agency=agency, accepted_on=today - dt.timedelta(days=1))


def scoped_regulator(*, regions=(), departments=()):
    org = OrganisationFactory(kind=Organisation.Kind.REGULATOR)
    if regions:
        org.scope_regions.set(Region.objects.filter(code__in=regions))
    if departments:
        org.scope_departments.set(departments)
    return member_of(org)


@pytest.fixture
def covering_regulator(db, project):
    """Scoped to 平湖市 and the project's department."""
    return scoped_regulator(regions=["330482"], departments=[project.service_type.department])


@pytest.fixture
def other_region_regulator(db, project):
    return scoped_regulator(regions=["330421"], departments=[project.service_type.department])


@pytest.fixture
def other_department_regulator(db, project):
    other = Department.objects.exclude(pk=project.service_type.department_id).first()
    return scoped_regulator(regions=["330482"], departments=[other])
