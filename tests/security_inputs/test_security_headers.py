"""Issue 14, finding 11: every HTML page carries a Content-Security-Policy without inline script and a
Permissions-Policy; the Wagtail and Django admins still render under it; no template ships inline script."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from agencies.models import Agency
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)
PUBLIC = ["/", "/agencies/", "/projects/", "/search/", "/notices/", "/accounts/login/", "/accounts/signup/",
          "/accounts/password/reset/", "/api/docs", "/no-such-page/"]
OPERATOR = ["/dashboard/", "/admin/", "/admin/pages/", "/admin/users/", "/admin/reports/site-history/",
            "/django-admin/", "/django-admin/agencies/agency/", "/agencies/import/", "/notifications/"]


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def _check(resp, path, *, strict=True):
    assert resp.status_code < 500, path
    if not resp.get("Content-Type", "").startswith("text/html"):
        return
    csp = _directives(resp["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"], path
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"], path
    assert csp["frame-ancestors"] == ["'self'"], path
    assert "'unsafe-eval'" not in csp["script-src"], path
    if strict:
        assert csp["script-src"] == ["'self'"], path
    permissions = resp["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions, path
    if strict:
        body = resp.content.decode()
        inline = [m for m in re.findall(r"<script\b([^>]*)>", body)
                  if "src=" not in m and "application/json" not in m and "application/ld+json" not in m]
        assert not inline, f"{path}: inline <script{inline[0]}> would be blocked"
        assert not re.search(r"\son[a-z]+\s*=\s*[\"']", body), f"{path}: an on*= handler would be blocked"


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_carry_both_headers(client, path):
    _check(client.get(path), path)


def test_storefront_and_credit_pages_carry_both_headers(client):
    agency = AgencyFactory(status=Agency.Status.ADMITTED)
    for path in (f"/agencies/s/{agency.uscc}/", f"/credit/agencies/{agency.uscc}/"):
        _check(client.get(path), path)


@pytest.mark.parametrize("path", OPERATOR)
def test_operator_pages_and_both_admins_render_under_the_policy(client, path):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    resp = client.get(path, follow=True)
    assert resp.status_code == 200, path
    _check(resp, path, strict=not path.startswith("/admin/"))
    if path == "/admin/":
        assert "wagtailadmin" in resp.content.decode()  # Wagtail's own static assets are same-origin
        assert _directives(resp["Content-Security-Policy"])["script-src"] == ["'self'", "'unsafe-inline'"]


def test_static_scripts_referenced_by_pages_are_same_origin(client):
    body = client.get("/").content.decode() + client.get("/agencies/").content.decode()
    for src in re.findall(r"<script[^>]+src=\"([^\"]+)\"", body):
        assert src.startswith("/"), src


def test_no_template_has_inline_script_or_event_handlers():
    offenders = []
    for path in ROOT.glob("*/templates/**/*.html"):
        if ".venv" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for attrs in re.findall(r"<script\b([^>]*)>", text):
            if "src=" not in attrs and "application/json" not in attrs and "application/ld+json" not in attrs:
                offenders.append(f"{path}: inline <script>")
        if re.search(r"\son[a-z]+\s*=\s*[\"']", text) or "javascript:" in text:
            offenders.append(f"{path}: event handler or javascript: URL")
    assert offenders == []
