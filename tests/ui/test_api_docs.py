"""/api/docs is served from the pinned django-ninja package's static files: no external host at run time."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_api_docs_reference_no_external_host(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, "the docs page loads its assets"
    external = [s for s in sources if re.match(r"^(https?:)?//", s)]
    assert external == []
    assert "cdn.jsdelivr" not in html and "unpkg" not in html


def test_api_docs_assets_are_served(client):
    from django.contrib.staticfiles import finders

    for asset in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui-init.js", "ninja/swagger-ui.css"):
        assert finders.find(asset), asset
