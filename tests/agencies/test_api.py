import pytest

from agencies import services
from tests.factories import AgencyFactory, AgencyServiceFactory, ServiceType, make_resident_id

pytestmark = pytest.mark.django_db


def test_list_admitted_only_with_filters_and_pages(client, django_assert_max_num_queries):
    for _ in range(23):
        a = AgencyFactory(region_id="330482")
        AgencyServiceFactory(agency=a)
    AgencyFactory(status="draft")
    AgencyFactory(status="suspended")
    other = AgencyFactory(region_id="441802")
    AgencyServiceFactory(agency=other, service_type=ServiceType.objects.get(code="HB01"))
    with django_assert_max_num_queries(8):
        data = client.get("/api/agencies", {"page": 2}).json()
    assert data["count"] == 24 and data["pages"] == 2 and len(data["results"]) == 4
    assert client.get("/api/agencies", {"region": "330400"}).json()["count"] == 23
    only = client.get("/api/agencies", {"service_type": "HB01"}).json()
    assert [r["uscc"] for r in only["results"]] == [other.uscc]
    first = client.get("/api/agencies").json()["results"][0]
    assert set(first) >= {"uscc", "name", "credit_grade", "credit_score", "rating_mean", "services"}
    assert first["services"][0]["price_min"] == "10000.00"


def test_detail_by_uscc(client, agency_and_member):
    agency, member = agency_and_member
    AgencyServiceFactory(agency=agency)
    services.propose_change(by=member, agency=agency, kind="legal_rep",
                            data={"legal_rep_name": "王五", "legal_rep_id": make_resident_id(9)})
    data = client.get(f"/api/agencies/{agency.uscc.lower()}").json()
    assert data["uscc"] == agency.uscc and data["change_pending"] is True
    assert "legal_rep_id" not in data and "contact_phone" not in data


def test_detail_hides_unadmitted(client):
    draft = AgencyFactory(status="draft")
    assert client.get(f"/api/agencies/{draft.uscc}").status_code == 404
    assert client.get("/api/agencies/91350100M000100Y43").status_code == 404
