"""The agency status machine and the one regulator-scope rule."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from agencies import selectors, services
from agencies.models import Agency, Blacklist
from agencies.permissions import regulates_agency
from agencies.states import MACHINE, SANCTIONS, leads_to
from marketplace.models import AuditEntry, Department, Organisation
from marketplace.permissions import regulator_covers
from tests.agencies.factories import scoped_regulator
from tests.factories import AgencyFactory, AgencyServiceFactory

pytestmark = pytest.mark.django_db


def test_every_sanction_target_is_reached_by_its_named_transitions():
    for target, names in SANCTIONS.items():
        for name in names:
            assert set(MACHINE.transitions[name].values()) == {target}


def test_set_status_names_the_transition_and_keeps_the_bilingual_refusal():
    agency = AgencyFactory()
    services.set_status(agency=agency, to="suspended", by=None, reason="信用等级D", until=dt.date(2026, 6, 1))
    services.set_status(agency=agency, to="suspended", by=None, reason="延长", until=dt.date(2026, 9, 1))
    agency.refresh_from_db()
    assert agency.suspended_until == dt.date(2026, 9, 1)
    services.set_status(agency=agency, to="removed", by=None, reason="清退")
    with pytest.raises(ValidationError) as exc:
        services.set_status(agency=agency, to="admitted", by=None, reason="恢复")
    assert exc.value.code == "transition"
    assert "清退" in exc.value.messages[0] and "cannot move from removed to admitted" in exc.value.messages[0]
    entries = AuditEntry.objects.filter(action="agencies.status_changed").order_by("pk")
    assert [(e.data["from"], e.data["to"]) for e in entries] == [
        ("admitted", "suspended"), ("suspended", "suspended"), ("suspended", "removed")]


def test_imports_may_admit_what_some_transition_leads_to_admitted():
    assert leads_to(Agency(status="draft"), "admitted")
    assert leads_to(Agency(status="rejected"), "admitted")
    assert leads_to(Agency(status="suspended"), "admitted")
    assert not leads_to(Agency(status="blacklisted"), "admitted")


def test_blacklisting_writes_the_blacklist_row_through_agencies():
    agency = AgencyFactory()
    services.set_status(agency=agency, to="blacklisted", by=None, reason="严重失信", until=dt.date(2030, 1, 1),
                        today=dt.date(2027, 1, 1))
    row = Blacklist.objects.get(uscc=agency.uscc)
    assert (row.starts_on, row.ends_on) == (dt.date(2027, 1, 1), dt.date(2030, 1, 1))
    assert services.end_blacklist(uscc=agency.uscc, starts_on=dt.date(2027, 1, 1), ends_on=dt.date(2027, 6, 1)) == 1
    assert selectors.active_blacklist(agency.uscc, dt.date(2027, 6, 2)) is None


def _regulator(regions=(), departments=()):
    org = Organisation.objects.create(kind=Organisation.Kind.REGULATOR, name=f"监管{regions}{departments}")
    org.scope_regions.set(regions)
    org.scope_departments.set(departments)
    return org


def test_regulator_covers_region_and_department_axes():
    dept, other = Department.objects.all()[:2]
    agency = AgencyFactory(region_id="330482")
    city = _regulator(regions=["330400"], departments=[dept])
    assert regulator_covers(city, agency, dept.pk)
    assert regulator_covers(city, "330482", dept.pk)
    assert not regulator_covers(city, agency, other.pk)
    assert regulator_covers(city, agency)  # None: any department
    assert regulator_covers(city, agency, {other.pk, dept.pk})
    assert not regulator_covers(city, agency, set())  # under no department
    assert not regulator_covers(city, "441802")
    province_wide = _regulator()
    assert regulator_covers(province_wide, "441802", other.pk) and regulator_covers(province_wide, agency, set())


def test_regulator_covers_for_a_user_and_for_the_agency_rules():
    dept = Department.objects.get(name="自然资源")
    agency = AgencyFactory(region_id="330482")
    user = scoped_regulator(region_codes=["330400"], department_names=["自然资源"])
    assert regulator_covers(user, agency, dept.pk) and regulator_covers(user, agency)
    assert not regulator_covers(scoped_regulator(region_codes=["441800"]), agency)
    # An agency without services is under no department: only an all-department regulator covers it.
    assert not regulates_agency(user, agency)
    assert regulates_agency(scoped_regulator(region_codes=["330400"]), agency)
    AgencyServiceFactory(agency=agency)  # ZR01, under 自然资源
    agency = Agency.objects.get(pk=agency.pk)
    assert regulates_agency(user, agency)
    assert not regulates_agency(scoped_regulator(region_codes=["330400"], department_names=["生态环境"]), agency)
