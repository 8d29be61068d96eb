"""Single sign-on end to end: allauth's `openid_connect` provider against a real OIDC provider
(django-oauth-toolkit, OIDC on) served by the live server. The RP fetches the IdP's discovery document, JWKS,
token and userinfo endpoints over HTTP; the browser's two cookie jars (IdP and marketplace) are two test
clients. Nothing in the protocol is mocked."""

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from oauth2_provider.models import Application

from marketplace.models import User
from tests.factories import UserFactory
from tests.sso_idp.validator import IDENTITIES

pytestmark = pytest.mark.django_db(transaction=True)
CLIENT_ID, SECRET = "zjcs-marketplace", "test-secret-0123456789abcdef"
CALLBACK = "http://testserver/accounts/oidc/province/login/callback/"


@pytest.fixture
def idp(live_server, settings):
    settings.ROOT_URLCONF = "tests.sso_idp.urls"
    Application.objects.create(
        name="中介超市", client_id=CLIENT_ID, client_secret=SECRET, client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE, redirect_uris=CALLBACK,
        algorithm=Application.RS256_ALGORITHM, skip_authorization=True)
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": [{
        "provider_id": "province", "name": "统一身份认证", "client_id": CLIENT_ID, "secret": SECRET,
        "settings": {"server_url": f"{live_server.url}/idp/o", "token_auth_method": "client_secret_post"}}]}}
    yield live_server
    IDENTITIES.clear()


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def sign_in_through_the_idp(identity: dict) -> Client:
    """Start at the marketplace, sign in at the IdP as an account asserting `identity`, come back."""
    account = UserFactory(email=f"idp-account-{len(IDENTITIES)}@idp.test")
    IDENTITIES[account.pk] = identity
    browser = Client()
    start = browser.post("/accounts/oidc/province/login/")
    assert start.status_code == 302 and "/idp/o/authorize/" in start["Location"]
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and "openid" in query["scope"][0].split()
    at_idp = Client()
    at_idp.force_login(account)
    authorized = at_idp.get(_path(start["Location"]))
    assert authorized.status_code == 302 and authorized["Location"].startswith(CALLBACK), authorized
    back = browser.get(_path(authorized["Location"]))
    browser.last = back
    return browser


def _user_id(client: Client):
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def test_a_verified_email_signs_in_the_existing_user(idp):
    existing = UserFactory(email="li.ming@pinghu.gov.cn")
    EmailAddress.objects.update_or_create(user=existing, email=existing.email,
                                          defaults={"verified": True, "primary": True})
    browser = sign_in_through_the_idp({"email": existing.email, "email_verified": True, "name": "李明"})
    assert browser.last.status_code == 302, browser.last.content[:500]
    assert _user_id(browser) == existing.pk
    account = SocialAccount.objects.get(provider="province")
    assert account.user == existing and account.extra_data["userinfo"]["email"] == existing.email
    assert User.objects.filter(email=existing.email).count() == 1
    assert browser.get("/dashboard/").status_code in (200, 302)


def test_a_new_identity_creates_a_user_with_a_verified_email(idp):
    browser = sign_in_through_the_idp({"email": "wang.fang@jiaxing.gov.cn", "email_verified": True, "name": "王芳"})
    user = User.objects.get(email="wang.fang@jiaxing.gov.cn")
    assert _user_id(browser) == user.pk
    assert EmailAddress.objects.get(user=user, email=user.email).verified
    assert SocialAccount.objects.get(user=user).provider == "province"


def test_an_unverified_email_never_takes_over_an_existing_user(idp):
    existing = UserFactory(email="zhao.lei@pinghu.gov.cn")
    browser = sign_in_through_the_idp({"email": existing.email, "email_verified": False, "name": "冒名"})
    assert _user_id(browser) != existing.pk
    assert not SocialAccount.objects.filter(user=existing).exists()


def test_sso_is_off_unless_configured(client, settings):
    from marketplace import settings as project_settings

    assert project_settings.SSO_ENABLED is False  # no OIDC_* variables in the test environment
    assert project_settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"] == []
    assert client.post("/accounts/oidc/province/login/").status_code == 404
