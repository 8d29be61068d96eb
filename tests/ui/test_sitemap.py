"""The sitemap's absolute links use SITE_URL, whatever host the request came through."""

import re

import pytest
from django.test import override_settings

from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@override_settings(SITE_URL="https://zjcs.example.gov.cn")
def test_sitemap_links_use_site_url(client):
    agency = AgencyFactory(status="admitted")
    body = client.get("/sitemap.xml", HTTP_HOST="localhost").content.decode()
    locations = re.findall(r"<loc>([^<]+)</loc>", body)
    assert f"https://zjcs.example.gov.cn/agencies/s/{agency.uscc}/" in locations
    assert locations and all(loc.startswith("https://zjcs.example.gov.cn/") for loc in locations)
