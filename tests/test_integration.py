"""Cross-app wiring after the merge: events flow through audit subscribers into the other apps."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from agencies.credit import record_credit_event
from agencies.models import Agency
from projects import services as project_services
from tests.factories import AgencyFactory, AgencyServiceFactory, OrganisationFactory, member_of

pytestmark = pytest.mark.django_db


def test_abandon_suspends_the_agency_and_registration_is_refused(django_capture_on_commit_callbacks):
    agency = AgencyFactory()
    AgencyServiceFactory(agency=agency)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        record_credit_event(agency=agency, code="abandon", date=today, cause="中选后放弃")
    agency.refresh_from_db()
    assert agency.credit_score == 90 and agency.credit_grade == "A"
    assert agency.status == Agency.Status.SUSPENDED
    assert agency.suspended_until is not None and agency.suspended_until > today + dt.timedelta(days=80)

    owner = OrganisationFactory(kind="owner")
    owner_user = member_of(owner)
    from marketplace.models import ServiceType

    project = project_services.create_draft(by=owner_user, owner=owner, fields={
        "title": "平湖市某地形测绘", "service_type": ServiceType.objects.get(code="ZR01"), "region": owner.region,
        "ceiling": "100000", "funding": "fiscal", "method": "draw", "requested_limit_wd": 10})
    with django_capture_on_commit_callbacks(execute=True):
        project = project_services.publish(by=owner_user, project=project)
    agency_user = member_of(agency.organisation)
    with pytest.raises(ValidationError) as exc:
        project_services.register(by=agency_user, project=project, agency=agency)
    assert "暂停" in str(exc.value)


def test_published_posting_reaches_notices_and_search(django_capture_on_commit_callbacks, client):
    owner = OrganisationFactory(kind="owner")
    owner_user = member_of(owner)
    from marketplace.models import ServiceType

    project = project_services.create_draft(by=owner_user, owner=owner, fields={
        "title": "嘉兴港区码头扩建工程地形测绘", "service_type": ServiceType.objects.get(code="ZR01"),
        "region": owner.region, "ceiling": "150000", "funding": "fiscal", "method": "draw", "requested_limit_wd": 10})
    with django_capture_on_commit_callbacks(execute=True):
        project_services.publish(by=owner_user, project=project)
    notices = client.get("/notices/").content.decode()
    assert project.title in notices
    hits = client.get("/api/search/projects", {"q": "测绘"}).json()
    assert project.code in {h["code"] for h in hits["hits"]}
