import datetime as dt

import pytest

from agencies.credit import record_credit_event
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def test_credit_explained_at_the_agencies_api_path(client):
    agency = AgencyFactory()
    record_credit_event(agency=agency, code="eval_unsat", date=dt.date(2025, 5, 6), cause="评价不满意")
    record_credit_event(agency=agency, code="overdue_minor", date=dt.date(2025, 7, 1), cause="超时2个工作日")
    resp = client.get(f"/api/agencies/{agency.uscc}/credit?as_of=2025-12-31")
    assert resp.status_code == 200
    body = resp.json()
    assert body["score"] == 93 and body["grade"] == "A" and body["forced"] is False
    assert {line["code"] for line in body["lines"]} >= {"eval_unsat", "overdue_minor"}


def test_unknown_agency_is_404(client):
    assert client.get("/api/agencies/91330482MA00000000/credit").status_code == 404


@pytest.mark.parametrize("status", ["draft", "submitted", "rejected"])
def test_an_application_in_progress_is_not_public(client, status):
    """Its credit page, both credit APIs and the complaint form answer 404/refuse like the storefront does."""
    from django.contrib.auth.models import AnonymousUser

    from marketplace.permissions import can
    from ratings.models import Complaint
    from tests.factories import UserFactory

    agency = AgencyFactory(status=status)
    assert client.get(f"/credit/agencies/{agency.uscc}/").status_code == 404
    assert client.get(f"/api/agencies/{agency.uscc}/credit").status_code == 404
    assert client.get(f"/api/ratings/agencies/{agency.uscc}/credit").status_code == 404
    assert client.get(f"/agencies/s/{agency.uscc}/").status_code == 404
    assert not can(AnonymousUser(), "ratings.complain", agency)
    client.force_login(UserFactory())
    assert client.get(f"/credit/agencies/{agency.uscc}/").status_code == 404
    before = Complaint.objects.count()
    response = client.post(f"/credit/agencies/{agency.uscc}/complain/", {"text": "草稿也能被投诉吗？这不应该。"})
    assert response.status_code in (403, 404) and Complaint.objects.count() == before


def test_admitted_agency_stays_public(client):
    agency = AgencyFactory()
    assert client.get(f"/credit/agencies/{agency.uscc}/").status_code == 200
    assert client.get(f"/api/agencies/{agency.uscc}/credit").status_code == 200
