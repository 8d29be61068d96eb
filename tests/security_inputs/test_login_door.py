"""Issue 14, findings 1 and 2: one throttled login door with mandatory verification; throttles per
account and per client address, the address taken from X-Forwarded-For only behind a trusted proxy."""

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from marketplace import settings as production
from marketplace.accounts.adapter import client_ip
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOGIN_DOORS = ["/_util/login/", "/admin/login/", "/django-admin/login/"]


def _door_form_url(client, door: str) -> str:
    """Follow a login door to the form it leads to."""
    resp = client.get(door + "?next=/admin/")
    assert resp.status_code == 302
    return resp["Location"]


@pytest.mark.parametrize("door", LOGIN_DOORS)
def test_every_login_door_leads_to_allauth(client, door):
    location = _door_form_url(client, door)
    assert location.startswith(reverse("account_login")) and "next=%2Fadmin%2F" in location


def test_login_door_drops_an_offsite_next(client):
    resp = client.get("/_util/login/?next=https://evil.example/")
    assert "evil" not in resp["Location"]


@pytest.mark.parametrize("door", LOGIN_DOORS)
def test_25_wrong_passwords_then_the_right_one_is_refused_through_every_door(client, door, owner_user):
    url = _door_form_url(client, door)
    for _ in range(25):
        client.post(url, {"login": owner_user.email, "password": "wrong-password-x"})
    resp = client.post(url, {"login": owner_user.email, "password": PASSWORD})
    assert resp.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("door", LOGIN_DOORS)
def test_unverified_email_cannot_log_in_through_any_door(client, door):
    user = UserFactory(email="unverified@example.cn", verified=False)
    url = _door_form_url(client, door)
    resp = client.post(url, {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert resp.status_code == 302 and "confirm-email" in resp["Location"]
    assert client.get("/agencies/apply/").status_code == 302  # still anonymous: sent to login


def test_wagtail_frontend_login_posts_are_not_a_second_door(client, owner_user):
    resp = client.post("/_util/login/", {"username": owner_user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert resp.status_code in (302, 405)


@override_settings(ACCOUNT_RATE_LIMITS={"reset_password": production.ACCOUNT_RATE_LIMITS["reset_password"]})
def test_password_reset_emails_are_capped_per_address(client, owner_user):
    """30 requests for one address (the probe got 33 emails from Wagtail's reset): at most 3 emails."""
    assert client.get("/admin/password_reset/")["Location"] == reverse("account_reset_password")
    for _ in range(30):
        client.post(reverse("account_reset_password"), {"email": owner_user.email})
    assert 1 <= len(mail.outbox) <= 3


def test_wagtail_password_reset_steps_redirect_to_allauth(client):
    for path in ("/admin/password_reset/", "/admin/password_reset/done/", "/admin/password_reset/confirm/x/y/"):
        resp = client.get(path)
        assert resp.status_code == 302 and resp["Location"] == reverse("account_reset_password"), path


@override_settings(ACCOUNT_RATE_LIMITS={"login_failed": production.ACCOUNT_RATE_LIMITS["login_failed"]})
def test_five_failures_for_one_account_do_not_block_another_from_the_same_address(client, owner_user):
    """With the production default rate (the suite's settings are stricter)."""
    other = UserFactory(email="colleague@example.cn")
    for _ in range(6):
        client.post(reverse("account_login"), {"login": owner_user.email, "password": "wrong-password-x"})
    resp = client.post(reverse("account_login"), {"login": other.email, "password": PASSWORD})
    assert resp.status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


@override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "10/5m/ip,5/5m/key"})
def test_many_failures_from_one_address_across_accounts_limit_that_address(client):
    users = [UserFactory(email=f"u{i}@example.cn") for i in range(12)]
    for user in users[:11]:
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong-password-x"})
    resp = client.post(reverse("account_login"), {"login": users[11].email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert resp.status_code in (200, 429)


@override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "10/5m/ip,5/5m/key"}, TRUSTED_PROXIES=["10.0.0.0/8"])
def test_behind_a_trusted_proxy_each_client_address_is_counted_separately(client):
    users = [UserFactory(email=f"p{i}@example.cn") for i in range(12)]
    for i, user in enumerate(users[:11]):
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong-password-x"},
                    REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    resp = client.post(reverse("account_login"), {"login": users[11].email, "password": PASSWORD},
                       REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert client.session["_auth_user_id"] == str(users[11].pk)
    assert resp.status_code == 302


@override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "10/5m/ip,5/5m/key"}, TRUSTED_PROXIES=[])
def test_forged_forwarded_for_from_an_untrusted_address_is_ignored(client):
    users = [UserFactory(email=f"f{i}@example.cn") for i in range(12)]
    for i, user in enumerate(users[:11]):
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong-password-x"},
                    HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
    client.post(reverse("account_login"), {"login": users[11].email, "password": PASSWORD},
                HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(("meta", "trusted", "expected"), [
    ({"REMOTE_ADDR": "203.0.113.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, [], "203.0.113.5"),
    ({"REMOTE_ADDR": "203.0.113.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, ["10.0.0.1"], "203.0.113.5"),
    ({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, ["10.0.0.1"], "1.2.3.4"),
    ({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 1.2.3.4, 10.0.0.9"}, ["10.0.0.0/8"], "1.2.3.4"),
    ({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "garbage"}, ["10.0.0.1"], "10.0.0.1"),
    ({"REMOTE_ADDR": "10.0.0.1"}, ["10.0.0.1"], "10.0.0.1"),
    ({"REMOTE_ADDR": "::1", "HTTP_X_FORWARDED_FOR": "2001:db8::7"}, ["::1"], "2001:db8::7"),
])
def test_client_ip(meta, trusted, expected):
    assert client_ip(meta, trusted) == expected
