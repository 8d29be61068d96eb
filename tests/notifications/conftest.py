import pytest

from tests.projects.factories import eligible_agency


@pytest.fixture
def agencies(db):
    return [eligible_agency() for _ in range(3)]
