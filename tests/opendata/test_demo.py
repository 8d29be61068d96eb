"""After seed_demo: the release feed has at least one release per public demo posting, every posting has a
record package, and every package validates (OCDS 1.1.5 + our extension + codelists) with 0 errors."""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction

from opendata.validation import package_errors
from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """seed_demo once, inside a transaction rolled back after the module."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", stdout=io.StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_demo_packages_validate(demo, client, settings):
    settings.API_RATE_ANONYMOUS = "100000/m"
    settings.OCDS_PAGE_SIZE = 50
    cache.clear()
    releases, url, validated, errors = [], "/api/ocds/releases", 0, []
    while url:
        package = client.get(url).json()
        errors += package_errors(package, "release")
        validated += 1
        releases += package["releases"]
        url = package.get("links", {}).get("next")
    public = Project.objects.exclude(status=Project.Status.DRAFT)
    assert public.count() >= 5
    ocids = {r["ocid"] for r in releases}
    for project in public:
        ocid = f"ocds-{settings.OCDS_PREFIX}-{project.code}"
        assert ocid in ocids, project.code
        response = client.get(f"/api/ocds/records/{ocid}")
        assert response.status_code == 200
        errors += package_errors(response.json(), "record")
        validated += 1
    print(f"seed_demo: {validated} packages validated ({len(releases)} releases, {public.count()} records), "
          f"{len(errors)} errors")
    assert errors == []
