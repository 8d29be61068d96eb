"""Browser check for finding 11: under the Content-Security-Policy the public pages raise no CSP
violation, and the Wagtail admin still loads and runs its JavaScript (sidebar, reference-data form)."""

import os

import pytest

from tests.factories import PASSWORD, UserFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), args=ARGS)
        page = browser.new_page()
        violations: list[str] = []
        page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
        page.violations = violations
        yield page
        browser.close()


def test_public_pages_and_wagtail_admin_work_under_the_policy(live_server, browser_page):
    from cms.tree import ensure_page_tree

    ensure_page_tree()
    page = browser_page
    for path in ("/", "/agencies/", "/projects/", "/search/?q=测绘", "/accounts/login/", "/api/docs"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    assert page.violations == []

    UserFactory(email="ops@example.cn", is_staff=True, is_superuser=True)
    page.goto(live_server.url + "/admin/")
    assert "/accounts/login/" in page.url  # the one login door
    page.fill("input[name=login]", "ops@example.cn")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.goto(live_server.url + "/admin/")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-wagtail-sidebar], #wagtail-sidebar").count() >= 1
    from django.urls import reverse
    from wagtail.admin.viewsets import viewsets

    from marketplace.models import Holiday

    holidays = next(vs for vs in viewsets.viewsets if getattr(vs, "model", None) is Holiday)
    page.goto(live_server.url + reverse(holidays.get_url_name("add")))
    page.wait_for_load_state("networkidle")
    assert page.locator("textarea[name=reason]").count() == 1
    assert page.violations == [], page.violations


def test_swagger_ui_renders_the_api_description(live_server, browser_page):
    errors: list[str] = []
    browser_page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    browser_page.goto(live_server.url + "/api/docs")
    browser_page.wait_for_load_state("networkidle")
    assert browser_page.violations == []
    assert browser_page.locator("#swagger-ui .info").count() == 1  # Swagger UI ran from our static files
    # The document parsed (no "duplicated mapping key" YAMLException) and its operations are listed.
    browser_page.locator("#swagger-ui .opblock").first.wait_for(state="visible")
    assert browser_page.locator("#swagger-ui .opblock").count() >= 10
    assert browser_page.locator("#swagger-ui .errors-wrapper").count() == 0
    assert errors == []
