"""Dashboards without repeated queries: the agency dashboard reads the agency once for all its panels."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketplace import pagecache
from tests.agencies.factories import admitted_agency_with_member

pytestmark = pytest.mark.django_db


def _agency_by_organisation(queries) -> list[str]:
    pattern = re.compile(r'FROM "agencies_agency" WHERE "agencies_agency"."organisation_id" = ')
    return [q["sql"] for q in queries if pattern.search(q["sql"])]


def test_the_agency_dashboard_reads_the_agency_once(client):
    agency, member = admitted_agency_with_member()
    client.force_login(member)
    url = reverse("dashboard_role", args=["agency", agency.organisation_id])
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200 and agency.name in response.content.decode()
    assert len(_agency_by_organisation(ctx.captured_queries)) == 1
    sqls = [q["sql"] for q in ctx.captured_queries]
    repeated = {s for s in sqls if sqls.count(s) > 1}
    # Only the current policy is still read twice (two panels ask for it); 18 queries before this change.
    assert all("marketplace_policyversion" in s for s in repeated), repeated
    # 17: the job-messages panel (threads with unread messages) adds one query of its own.
    assert len(sqls) <= 17


@pytest.fixture
def panel_cache(settings):
    from django.core.cache import cache

    settings.PAGE_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def _dashboard(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return html, len(ctx.captured_queries)


def test_panels_come_from_the_cache_until_an_audited_change(client, panel_cache,
                                                             django_capture_on_commit_callbacks):
    from agencies import services as agency_services

    agency, member = admitted_agency_with_member()
    client.force_login(member)
    url = reverse("dashboard_role", args=["agency", agency.organisation_id])
    _dashboard(client, url)  # the process's first visit (calendar and policy caches)
    pagecache.purge()
    first, cold = _dashboard(client, url)
    second, warm = _dashboard(client, url)
    assert second == first
    assert warm <= cold - 5, (cold, warm)  # the panels' own queries are gone
    # An audited change of the agency moves the generation: the panels are computed again.
    with django_capture_on_commit_callbacks(execute=True):
        agency_services.update_storefront(agency=agency, by=member, description="新的机构简介 2026")
    third, again = _dashboard(client, url)
    assert again == cold


def test_panel_cache_is_per_user_and_per_language(client, panel_cache):
    from marketplace.models import Membership
    from tests.factories import member_of

    agency, member = admitted_agency_with_member()
    url = reverse("dashboard_role", args=["agency", agency.organisation_id])
    client.force_login(member)
    zh, _ = _dashboard(client, url)
    client.cookies["django_language"] = "en"
    en, _ = _dashboard(client, url)
    assert zh != en and "工作台" in zh and "工作台" not in en
    other = member_of(agency.organisation, role=Membership.Role.STAFF)
    client.force_login(other)
    _, cold = _dashboard(client, url)  # the member's panels are cached, not this user's
    _, warm = _dashboard(client, url)
    assert warm <= cold - 5, (cold, warm)


def test_no_panel_cache_when_the_page_cache_is_off(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    agency, member = admitted_agency_with_member()
    client.force_login(member)
    url = reverse("dashboard_role", args=["agency", agency.organisation_id])
    _dashboard(client, url)
    _, cold = _dashboard(client, url)
    _, again = _dashboard(client, url)
    assert again == cold


def test_reading_job_messages_refreshes_the_unread_panel(client, panel_cache, django_capture_on_commit_callbacks):
    from projects.delivery import messages
    from tests.delivery.test_dashboards import make_job
    from tests.factories import AgencyFactory, OrganisationFactory, member_of

    owner_org = OrganisationFactory(kind="owner")
    owner = member_of(owner_org)
    agency = AgencyFactory(status="admitted")
    agency_user = member_of(agency.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        job = make_job(owner_org, agency, owner, days_ago=0)
        messages.send_message(by=agency_user, job=job, body="请确认测量范围")
    client.force_login(owner)
    url = reverse("dashboard_role", args=["owner", owner_org.pk])
    assert "unread-threads" in _dashboard(client, url)[0]
    assert "unread-threads" in _dashboard(client, url)[0]  # from the cache
    with django_capture_on_commit_callbacks(execute=True):
        messages.mark_read(by=owner, job=job)
    assert "unread-threads" not in _dashboard(client, url)[0]
