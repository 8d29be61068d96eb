"""Dashboards without repeated queries: the agency dashboard reads the agency once for all its panels."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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
