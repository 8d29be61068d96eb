import pytest

from tests.agencies.factories import admitted_agency_with_member


@pytest.fixture
def agency_and_member(db):
    return admitted_agency_with_member()


@pytest.fixture
def applicant(db):
    from tests.factories import UserFactory

    return UserFactory(name="申请人")
