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
