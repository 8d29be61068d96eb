"""Storefront, directory: content, filters, pagination, fixed query counts; regulated changes."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from agencies import selectors, services
from agencies.models import Agency, ChangeRequest, Qualification
from tests.factories import AgencyFactory, AgencyServiceFactory, ServiceType, make_resident_id

pytestmark = pytest.mark.django_db


def _rich_agency(n_services: int, **kwargs) -> Agency:
    agency = AgencyFactory(**kwargs)
    for st in ServiceType.objects.all()[:n_services]:
        AgencyServiceFactory(agency=agency, service_type=st)
    for i in range(n_services):
        Qualification.objects.create(agency=agency, qualification_type=f"资质{i}", number=f"Q{i}",
                                     valid_to=dt.date(2099, 1, 1))
        agency.cases.create(title=f"案例{i}", year=2024)
    agency.regions_served.set(["330400", "330482"][: max(1, n_services % 3)])
    return agency


@pytest.mark.parametrize("n", [1, 12])
def test_storefront_fixed_queries(client, django_assert_max_num_queries, n):
    agency = _rich_agency(n)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("agencies:storefront", args=[agency.uscc]))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('<td>') >= 5 * n
    assert f"案例{n - 1}" in body


@pytest.mark.parametrize("n", [2, 30])
def test_directory_fixed_queries(client, django_assert_max_num_queries, n):
    for _ in range(n):
        _rich_agency(3)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("agencies:directory"), {"region": "330400", "service_type": "CZ01"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == n


def test_storefront_shows_only_valid_qualifications_and_money_in_yuan(client):
    agency = AgencyFactory()
    AgencyServiceFactory(agency=agency, price_min="12000.50", price_max="80000", time_limit_wd=7)
    today = dt.date.today()
    Qualification.objects.create(agency=agency, qualification_type="测绘资质", number="OK1", valid_to=today)
    Qualification.objects.create(agency=agency, qualification_type="过期资质", number="OLD",
                                 valid_to=today - dt.timedelta(days=1))
    body = client.get(reverse("agencies:storefront", args=[agency.uscc])).content.decode()
    assert "测绘资质" in body  # valid through valid_to inclusive
    assert "过期资质" not in body  # stops counting the day after valid_to
    assert "¥12,000.50" in body and "¥80,000.00" in body and "7 个工作日" in body  # one money format


def test_qualification_validity_boundaries():
    q = Qualification(valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2025, 12, 31))
    assert q.is_valid_on(dt.date(2025, 12, 31))
    assert not q.is_valid_on(dt.date(2026, 1, 1))
    assert not q.is_valid_on(dt.date(2024, 12, 31))
    assert Qualification(valid_to=None).is_valid_on(dt.date(2099, 1, 1))


def test_unadmitted_agencies_hidden_from_public(client, applicant):
    draft = AgencyFactory(status="draft")
    suspended = AgencyFactory(status="suspended")
    assert client.get(reverse("agencies:storefront", args=[draft.uscc])).status_code == 404
    assert client.get(reverse("agencies:storefront", args=[suspended.uscc])).status_code == 200
    listed = client.get(reverse("agencies:directory")).context["page"].paginator.count
    assert listed == 0


def test_directory_filters_region_descendants_and_served_regions():
    pinghu = AgencyFactory(region_id="330482")
    qingyuan = AgencyFactory(region_id="441802")
    serves_jiaxing = AgencyFactory(region_id="441802")
    serves_jiaxing.regions_served.set(["330400"])
    AgencyServiceFactory(agency=pinghu, service_type=ServiceType.objects.get(code="ZR01"))
    AgencyServiceFactory(agency=qingyuan, service_type=ServiceType.objects.get(code="HB01"))
    assert set(selectors.directory(region="330000")) == {pinghu, serves_jiaxing}
    assert set(selectors.directory(region="330482")) == {pinghu, serves_jiaxing}  # serving the city covers it
    assert set(selectors.directory(region="441800")) == {qingyuan, serves_jiaxing}
    assert list(selectors.directory(service_type="HB01")) == [qingyuan]
    assert list(selectors.directory(service_type="ZR01", region="330482")) == [pinghu]


def test_directory_paginates(client):
    for _ in range(25):
        AgencyFactory()
    page2 = client.get(reverse("agencies:directory"), {"page": 2})
    assert len(page2.context["page"].object_list) == 5
    assert client.get(reverse("agencies:directory"), {"page": "x"}).status_code == 200


def test_invite_button_only_when_projects_url_exists(client):
    agency = AgencyFactory()
    body = client.get(reverse("agencies:storefront", args=[agency.uscc])).content.decode()
    try:
        url = reverse("projects:create")
    except Exception:
        assert "?invite=" not in body
    else:
        assert f"{url}?invite={agency.uscc}" in body


def test_storefront_direct_edits(agency_and_member):
    agency, member = agency_and_member
    services.update_storefront(by=member, agency=agency, description="专业测绘", regions_served=["330400"])
    services.save_service(by=member, agency=agency, service_type="ZR01", price_min="100", price_max="200",
                          time_limit_wd=5)
    services.save_case(by=member, agency=agency, title="平湖大道测绘", year=2024, client="平湖市住建局")
    agency.refresh_from_db()
    assert agency.description == "专业测绘"
    assert list(agency.regions_served.values_list("code", flat=True)) == ["330400"]
    with pytest.raises(ValidationError) as exc:
        services.save_service(by=member, agency=agency, service_type="ZR01", price_min="300", price_max="200")
    assert exc.value.code == "price_range"
    assert agency.services.get().price_max == 200


def test_regulated_change_keeps_old_data_until_approved(client, agency_and_member, regulator_user):
    agency, member = agency_and_member
    old = agency.legal_rep_name
    change = services.propose_change(by=member, agency=agency, kind="legal_rep",
                                     data={"legal_rep_name": "王五", "legal_rep_id": make_resident_id(555)})
    body = client.get(reverse("agencies:storefront", args=[agency.uscc])).content.decode()
    assert "变更审核中" in body and old in body and "王五" not in body
    services.approve_change(by=regulator_user, change=change)
    agency.refresh_from_db()
    assert agency.legal_rep_name == "王五"
    body = client.get(reverse("agencies:storefront", args=[agency.uscc])).content.decode()
    assert "变更审核中" not in body and "王五" in body


def test_qualification_and_practitioner_changes_go_through_review(agency_and_member, regulator_user):
    agency, member = agency_and_member
    result = services.add_qualification(by=member, agency=agency,
                                        data={"qualification_type": "乙级测绘资质", "number": "B-1", "level": 2})
    assert isinstance(result, ChangeRequest)
    assert not agency.qualifications.exists()
    services.approve_change(by=regulator_user, change=result)
    assert agency.qualifications.get().number == "B-1"
    change = services.add_practitioner(by=member, agency=agency,
                                       data={"name": "赵六", "resident_id": make_resident_id(601)})
    services.reject_change(by=regulator_user, change=change, reason="社保证明缺失")
    assert not agency.practitioners.exists()
    with pytest.raises(ValidationError):
        services.reject_change(by=regulator_user, change=change, reason="again")


def test_practitioner_in_one_agency_only(agency_and_member, applicant):
    from tests.agencies.factories import complete_application

    agency, member = agency_and_member
    rid = make_resident_id(700)
    agency.practitioners.create(name="钱七", resident_id=rid)
    draft = complete_application(applicant)
    with pytest.raises(ValidationError) as exc:
        services.add_practitioner(by=applicant, agency=draft, data={"name": "钱七", "resident_id": rid.lower()})
    assert exc.value.code == "practitioner_taken"
    assert "一人只能在一家机构执业" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.add_practitioner(by=member, agency=agency, data={"name": "钱七", "resident_id": rid})


def test_practitioner_db_unique_constraint(agency_and_member):
    from django.db import IntegrityError, transaction

    agency, _ = agency_and_member
    other = AgencyFactory()
    agency.practitioners.create(name="孙八", resident_id=make_resident_id(701))
    with pytest.raises(IntegrityError), transaction.atomic():
        other.practitioners.create(name="孙八", resident_id=make_resident_id(701))
