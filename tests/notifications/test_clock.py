"""Red clock warnings reach the regulators covering the project as well as owner and agency, with the deadline."""

import datetime as dt

import pytest

from marketplace import periodic
from marketplace.models import Notification
from marketplace.workdays import today
from projects.delivery import services
from tests.factories import AgencyFactory, OrganisationFactory, ProjectFactory, member_of

pytestmark = pytest.mark.django_db


def test_red_warning_goes_to_the_regulator_too(owner_org, owner_user, regulator_user):
    agency = AgencyFactory()
    agency_user = member_of(agency.organisation)
    elsewhere = member_of(OrganisationFactory(kind="regulator", name="外地监管部门"))
    elsewhere.memberships.get().organisation.scope_regions.add("441800")  # Qingyuan: not this project's region
    project = ProjectFactory(owner=owner_org, status="contracting")
    signed = today() - dt.timedelta(days=42)
    job = services.start_service(project=project, agency=agency, contract_signed_on=signed,
                                 materials_complete_on=signed, limit_wd=10, by=owner_user)
    periodic.run(only=["projects.service_clock"])
    told = set(Notification.objects.filter(kind="red", key__startswith=f"job:{job.pk}:").values_list(
        "recipient__email", flat=True))
    assert told == {owner_user.email, agency_user.email, regulator_user.email}
    assert Notification.objects.filter(kind="red", recipient=regulator_user).get().deadline is not None
