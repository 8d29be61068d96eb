"""Browser journey 1: an invited person signs up, confirms the email from the outbox, logs in,
accepts the invitation and lands on the owner dashboard."""

import re

import pytest
from django.core import mail

from marketplace.accounts.services import invite
from tests.factories import OrganisationFactory, member_of
from tests.journeys.conftest import artifacts_dir

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signup_confirm_login_dashboard(live_server, browser_page):
    page = browser_page
    org = OrganisationFactory(kind="owner", name="平湖市住房和城乡建设局")
    admin = member_of(org)
    invitation = invite(by=admin, organisation=org, email="jingban@example.cn")
    mail.outbox.clear()

    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("input[name=email]", "jingban@example.cn")
    page.fill("input[name=password1]", "Pinghu-2026-secure")
    page.fill("input[name=password2]", "Pinghu-2026-secure")
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    assert "confirm-email" in page.url or "验证" in page.content()

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    page.goto(live_server.url + path)
    page.click("form button[type=submit]")
    page.wait_for_load_state()

    # Logged in now (ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION). Log out and in again by email to prove the login.
    page.click("form[action='/accounts/logout/'] button")
    page.wait_for_load_state()
    if "/accounts/logout/" in page.url:
        page.click("form button[type=submit]")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", "jingban@example.cn")
    page.fill("input[name=password]", "Pinghu-2026-secure")
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/dashboard/")
    assert "成功登录" in page.inner_text("main")

    page.goto(f"{live_server.url}/invitations/{invitation.token}/")
    page.click("main form button")
    page.wait_for_load_state()
    assert re.search(r"/dashboard/owner/\d+/$", page.url)
    assert page.locator("h1[data-role=owner]").count() == 1
    assert "平湖市住房和城乡建设局" in page.inner_text("h1")
    page.screenshot(path=str(artifacts_dir() / "journey-signup-dashboard.png"), full_page=True)
