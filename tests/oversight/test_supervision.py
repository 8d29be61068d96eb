"""The public supervision log on the posting page and in its API: dated steps, nothing sealed or personal."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from projects import services
from projects.supervision import supervision_log
from tests.projects.factories import AFTER, DEADLINE, eligible_agency, make_published, register_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies(db):
    return [eligible_agency() for _ in range(3)]


@pytest.fixture
def awarded(owner_user, owner_org, agencies):
    project = make_published(owner_user, owner_org, method="lowest")
    register_all(project, agencies, quotes=[Decimal("88000"), Decimal("91000"), Decimal("95500")])
    project = services.close_registration(project=project, now=DEADLINE)
    project = services.select_provider(by=owner_user, project=project, now=AFTER)
    reg = project.registrations.get(pk=project.selected_id)
    user = next(a.user for a in agencies if a.pk == reg.agency_id)
    return services.confirm_selection(by=user, registration=reg, now=AFTER + dt.timedelta(hours=1))


def test_the_log_lists_the_dated_public_steps_in_order(awarded):
    steps = supervision_log(awarded)
    assert [s.label for s in steps] == ["发布采购公告", "报名截止", "完成选取", "中选结果公示"]
    assert steps[1].detail == "共3家报名" and steps[2].detail == "竞价选取"
    assert steps[0].on == dt.date(2026, 3, 10) and steps[-1].detail.startswith("公示至 ")


def test_a_published_posting_shows_no_sealed_quote_and_no_person(owner_user, owner_org, agencies, client):
    project = make_published(owner_user, owner_org, method="lowest")
    register_all(project, agencies, quotes=[Decimal("88000"), Decimal("91000"), Decimal("95500")])
    page = client.get(reverse("projects:detail", args=[project.code])).content.decode()
    assert "监督日志" in page and "发布采购公告" in page
    api = client.get(f"/api/projects/{project.code}").json()
    assert [s["label"] for s in api["supervision"]] == ["发布采购公告"]
    shown = page + str(api["supervision"])
    for secret in ["88000", "91000", owner_user.email, *(a.name for a in agencies), *(a.user.email for a in agencies)]:
        assert secret not in str(api["supervision"]), secret
    assert "88000" not in shown


def test_the_api_carries_the_same_steps_as_the_page(awarded, client):
    api = client.get(f"/api/projects/{awarded.code}").json()["supervision"]
    assert [(s["on"], s["label"], s["detail"]) for s in api] == [
        (s.on.isoformat(), s.label, s.detail) for s in supervision_log(awarded)]
    page = client.get(reverse("projects:detail", args=[awarded.code])).content.decode()
    for step in supervision_log(awarded):
        assert step.label in page
