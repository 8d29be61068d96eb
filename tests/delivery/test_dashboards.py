"""Dashboard panels: derived from dates (no sweep needed), scoped, and a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.workdays import today
from projects.delivery import services
from tests.delivery.files import pdf
from tests.factories import AgencyFactory, ProjectFactory, member_of

pytestmark = pytest.mark.django_db


def make_job(owner_org, agency, owner_user, *, days_ago, limit=10):
    signed = today() - dt.timedelta(days=days_ago)
    return services.start_service(project=ProjectFactory(owner=owner_org, status="contracting"), agency=agency,
                                  contract_signed_on=signed, materials_complete_on=signed, limit_wd=limit,
                                  by=owner_user)


def populate(n, owner_org, owner_user, agency, agency_user):
    jobs = []
    for i in range(n):
        job = make_job(owner_org, agency, owner_user, days_ago=60 if i % 2 == 0 else 0)
        if i % 3 == 1:
            services.request_pause(job=job, request="请提供地形图原件", by=agency_user)
        if i % 3 == 2:
            services.submit_deliverable(job=job, files=[pdf()], by=agency_user)
        jobs.append(job)
    return jobs


def page(client, user, role, org_id):
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/dashboard/{role}/{org_id}/")
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


@pytest.fixture
def world(owner_org, owner_user, agency, agency_user, regulator_user, out_of_scope_regulator_user, operator_user):
    return owner_org, owner_user, agency, agency_user


@pytest.mark.parametrize(("role", "who"), [("agency", "agency"), ("owner", "owner"), ("regulator", "regulator"),
                                           ("operator", "operator")])
def test_panel_query_count_does_not_grow_with_jobs(client, world, regulator_user, operator_user, role, who,
                                                   django_assert_max_num_queries):
    owner_org, owner_user, agency, agency_user = world
    users = {"agency": (agency_user, agency.organisation_id), "owner": (owner_user, owner_org.pk),
             "regulator": (regulator_user, regulator_user.memberships.get().organisation_id),
             "operator": (operator_user, operator_user.memberships.get().organisation_id)}
    user, org_id = users[who]
    populate(3, owner_org, owner_user, agency, agency_user)  # every kind of row, so every prefetch runs
    page(client, user, role, org_id)  # warm the per-process calendar cache
    _, small = page(client, user, role, org_id)
    populate(7, owner_org, owner_user, agency, agency_user)
    html, large = page(client, user, role, org_id)
    assert small == large
    with django_assert_max_num_queries(40):  # the whole dashboard, every app's panels
        client.get(f"/dashboard/{role}/{org_id}/")


def test_agency_panel_lists_jobs_by_state_and_due_date(client, world):
    owner_org, owner_user, agency, agency_user = world
    late = make_job(owner_org, agency, owner_user, days_ago=60)
    fresh = make_job(owner_org, agency, owner_user, days_ago=0)
    html, _ = page(client, agency_user, "agency", agency.organisation_id)
    assert f'data-job="{late.pk}"' in html and f'data-job="{fresh.pk}"' in html
    assert html.index(f'data-job="{late.pk}"') < html.index(f'data-job="{fresh.pk}"')  # earlier due first
    other = member_of(AgencyFactory().organisation)
    html, _ = page(client, other, "agency", other.memberships.get().organisation_id)
    assert f'data-job="{late.pk}"' not in html


def test_owner_panel_shows_what_waits_on_the_owner_since_when(client, world):
    owner_org, owner_user, agency, agency_user = world
    paused = make_job(owner_org, agency, owner_user, days_ago=5)
    services.request_pause(job=paused, request="请提供宗地图", by=agency_user)
    delivered = make_job(owner_org, agency, owner_user, days_ago=5)
    services.submit_deliverable(job=delivered, files=[pdf()], by=agency_user)
    running = make_job(owner_org, agency, owner_user, days_ago=5)
    html, _ = page(client, owner_user, "owner", owner_org.pk)
    assert f'data-job="{paused.pk}" data-wait="supply"' in html
    assert f'data-job="{delivered.pk}" data-wait="decision"' in html
    assert f'data-job="{running.pk}"' not in html
    assert today().strftime("%Y-%m-%d") in html


def test_regulator_panel_is_scoped_and_includes_owner_delays(client, world, regulator_user,
                                                              out_of_scope_regulator_user):
    owner_org, owner_user, agency, agency_user = world
    red = make_job(owner_org, agency, owner_user, days_ago=60)
    green = make_job(owner_org, agency, owner_user, days_ago=0)
    sitting = make_job(owner_org, agency, owner_user, days_ago=60, limit=200)
    d = services.submit_deliverable(job=sitting, files=[pdf()], by=agency_user)
    d.submitted_on = today() - dt.timedelta(days=40)  # the owner has sat on it for weeks
    d.save(update_fields=["submitted_on"])
    html, _ = page(client, regulator_user, "regulator", regulator_user.memberships.get().organisation_id)
    assert f'data-job="{red.pk}" data-state="red"' in html
    assert f'data-job="{green.pk}"' not in html
    assert f'data-job="{sitting.pk}"' in html and 'data-owner-overdue="decision"' in html
    assert "平湖市 · 自然资源" in html
    html, _ = page(client, out_of_scope_regulator_user, "regulator",
                   out_of_scope_regulator_user.memberships.get().organisation_id)
    assert f'data-job="{red.pk}"' not in html and f'data-job="{sitting.pk}"' not in html


@pytest.mark.parametrize(("regions", "departments", "sees"), [
    ([], [], True), (["330000"], [], True), (["330400"], ["自然资源"], True), (["330482"], [], True),
    (["330481"], [], False), ([], ["生态环境"], False), (["330400"], ["生态环境"], False),
])
def test_regulator_scope_in_sql_matches_the_kernel_rule(world, regions, departments, sees):
    from marketplace.models import Department, Organisation, Region
    from marketplace.permissions import regulator_covers
    from projects.delivery.models import ServiceJob
    from projects.delivery.selectors import in_scope
    from tests.factories import OrganisationFactory

    owner_org, owner_user, agency, _ = world
    job = make_job(owner_org, agency, owner_user, days_ago=60)
    org = OrganisationFactory(kind=Organisation.Kind.REGULATOR)
    org.scope_regions.set(Region.objects.filter(code__in=regions))
    org.scope_departments.set(Department.objects.filter(name__in=departments))
    assert in_scope(ServiceJob.objects.all(), org).filter(pk=job.pk).exists() is sees
    assert regulator_covers(org, job.project.region_id,
                            department_id=job.project.service_type.department_id) is sees
