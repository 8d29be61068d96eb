"""Finding 7: a regulator scoped to a department sees and decides only agencies under that department.

An agency is in a regulator's scope when its region is covered AND it offers a service of a covered
department or has served a project under one (agencies.permissions.scope_departments).
"""

import datetime as dt

import pytest
from django.urls import reverse

from agencies.models import CreditEvent
from marketplace.models import AuditEntry, Department, Organisation, Region
from ratings import scoring
from ratings.models import RepairApplication, Sanction
from ratings.sanctions import impose_sanction
from tests.factories import (
    AgencyFactory,
    AgencyServiceFactory,
    OrganisationFactory,
    ProjectFactory,
    member_of,
    service_type,
)

pytestmark = pytest.mark.django_db


def _regulator(*departments):
    org = OrganisationFactory(kind=Organisation.Kind.REGULATOR)
    org.scope_regions.set(Region.objects.filter(code="330482"))
    if departments:
        org.scope_departments.set(Department.objects.filter(name__in=departments))
    return member_of(org)


@pytest.fixture
def world(db):
    env = AgencyFactory(name="只做环评的机构")
    AgencyServiceFactory(agency=env, service_type=service_type("HB01"))
    survey = AgencyFactory(name="测绘机构")
    AgencyServiceFactory(agency=survey, service_type=service_type("ZR01"))
    served = AgencyFactory(name="做过测绘项目的环评机构")
    AgencyServiceFactory(agency=served, service_type=service_type("HB01"))
    from projects.delivery.models import ServiceJob

    ServiceJob.objects.create(project=ProjectFactory(service_type=service_type("ZR01")), agency=served, limit_wd=10,
                              contract_signed_on=dt.date(2026, 3, 2), policy_version=1)
    sanction = impose_sanction(agency=env, spec=scoring.SanctionSpec(
        kind="suspend_d", starts_on=dt.date(2026, 3, 2), ends_on=dt.date(2026, 9, 2), cause="信用等级D"))
    event = CreditEvent.objects.create(agency=env, code="penalty_general", date=dt.date(2025, 6, 1), cause="行政处罚")
    repair = RepairApplication.objects.create(event=event, agency=env, reason="已完成整改并通过复查的情况说明",
                                              applied_by=member_of(env.organisation), applied_on=dt.date(2026, 3, 2))
    return {"env": env, "survey": survey, "served": served, "sanction": sanction, "repair": repair,
            "narrow": _regulator("自然资源"), "full": _regulator()}


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize("fmt", ["", "?format=csv"])
def test_credit_file_and_audit_section_follow_the_department(client, world, fmt):
    url = lambda a: reverse("ratings:agency_ledger", args=[a.uscc]) + fmt  # noqa: E731
    assert _get(client, world["narrow"], url(world["env"])).status_code == 403
    assert _get(client, world["narrow"], url(world["survey"])).status_code == 200
    assert _get(client, world["narrow"], url(world["served"])).status_code == 200  # has a project under 自然资源
    assert _get(client, world["full"], url(world["env"])).status_code == 200
    page = _get(client, world["full"], reverse("ratings:agency_ledger", args=[world["env"].uscc]))
    assert "ratings.sanction_imposed" in page.content.decode() or world["sanction"].cause in page.content.decode()


@pytest.mark.parametrize("fmt", ["", "?format=csv"])
def test_lists_and_exports_hold_only_agencies_in_scope(client, world, fmt):
    url = reverse("ratings:workspace") + fmt
    narrow = _get(client, world["narrow"], url).content.decode()
    full = _get(client, world["full"], url).content.decode()
    assert world["survey"].name in narrow and world["served"].name in narrow
    assert world["env"].name not in narrow
    assert world["env"].name in full
    sanctions = reverse("ratings:sanctions") + fmt
    assert world["env"].name not in _get(client, world["narrow"], sanctions).content.decode()
    assert world["env"].name in _get(client, world["full"], sanctions).content.decode()
    repairs = reverse("ratings:repairs") + fmt
    assert world["env"].name not in _get(client, world["narrow"], repairs).content.decode()
    assert world["env"].name in _get(client, world["full"], repairs).content.decode()


def test_department_filter_lists_only_covered_departments(client, world):
    response = _get(client, world["narrow"], reverse("ratings:workspace"))
    names = [d.name for d in response.context["departments"]]
    assert names == ["自然资源"]
    full = _get(client, world["full"], reverse("ratings:workspace"))
    assert len(full.context["departments"]) == Department.objects.count() > 1
    environment = Department.objects.get(name="生态环境")
    response = _get(client, world["narrow"], reverse("ratings:workspace") + f"?department={environment.pk}")
    assert response.context["department"] == "" and world["env"].name not in response.content.decode()


def test_narrow_regulator_cannot_lift_a_sanction_outside_its_department(client, world):
    sanction = world["sanction"]
    url = reverse("ratings:sanction_lift", args=[sanction.pk])
    before = AuditEntry.objects.count()
    client.force_login(world["narrow"])
    assert client.post(url, {"reason": "越权解除"}).status_code == 403
    sanction.refresh_from_db()
    assert sanction.lifted_at is None and AuditEntry.objects.count() == before
    client.force_login(world["full"])
    assert client.post(url, {"reason": "依法解除"}).status_code == 302
    assert Sanction.objects.get(pk=sanction.pk).lifted_at is not None


def test_narrow_regulator_cannot_decide_a_repair_outside_its_department(client, world):
    repair = world["repair"]
    url = reverse("ratings:repair_decide", args=[repair.pk])
    before = AuditEntry.objects.count()
    client.force_login(world["narrow"])
    assert client.post(url, {"decision": "approve", "note": "越权"}).status_code == 403
    repair.refresh_from_db()
    assert repair.status == RepairApplication.Status.PENDING and AuditEntry.objects.count() == before
    client.force_login(world["full"])
    assert client.post(url, {"decision": "reject", "note": "整改不到位"}).status_code == 302
    assert RepairApplication.objects.get(pk=repair.pk).status == RepairApplication.Status.REJECTED


def test_the_scope_rule_itself(world):
    from agencies.permissions import regulates_agency, scope_departments
    from marketplace.permissions import can

    zr = Department.objects.get(name="自然资源").pk
    assert zr in scope_departments(world["served"]) and zr not in scope_departments(world["env"])
    assert not regulates_agency(world["narrow"], world["env"])
    assert regulates_agency(world["narrow"], world["served"]) and regulates_agency(world["full"], world["env"])
    for action, obj in (("ratings.view_ledger", world["env"]), ("ratings.lift_sanction", world["sanction"]),
                        ("ratings.decide_repair", world["repair"]), ("agencies.correct_credit_event", world["env"]),
                        ("ratings.impose_sanction", world["env"])):
        assert not can(world["narrow"], action, obj), action
        assert can(world["full"], action, obj), action
    bare = AgencyFactory(name="尚无服务的机构")  # under no department: only an unscoped regulator covers it
    assert not regulates_agency(world["narrow"], bare) and regulates_agency(world["full"], bare)
