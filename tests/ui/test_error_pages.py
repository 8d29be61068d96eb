"""Error pages (400/403/404/429/500) in the site's layout and language, with a way back (DEBUG is off in tests)."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client, RequestFactory, override_settings
from django.urls import path

from marketplace import views
from marketplace.urls import urlpatterns as site_urls

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("boom")


def _forbidden(request):
    raise PermissionDenied


def _bad(request):
    raise SuspiciousOperation("bad")


urlpatterns = [path("t/boom/", _boom), path("t/forbidden/", _forbidden), path("t/bad/", _bad), *site_urls]
handler400 = "marketplace.views.bad_request"
handler403 = "marketplace.views.permission_denied"
handler404 = "marketplace.views.page_not_found"
handler500 = "marketplace.views.server_error"


def _get(path, *, lang=None, referer=None, user=None):
    client = Client(raise_request_exception=False)
    if lang:
        client.cookies["django_language"] = lang
    if user:
        client.force_login(user)
    extra = {"HTTP_REFERER": referer} if referer else {}
    return client.get(path, **extra)


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize(("path", "status", "zh", "en"), [
    ("/t/bad/", 400, "请求有误", "Bad request"),
    ("/t/forbidden/", 403, "没有权限", "Access denied"),
    ("/no-such-page/", 404, "页面不存在", "Page not found"),
    ("/t/boom/", 500, "系统暂时出错", "Something went wrong"),
])
def test_error_pages_in_layout_and_language(path, status, zh, en):
    response = _get(path)
    html = response.content.decode()
    assert response.status_code == status
    assert zh in html and 'class="site-header"' in html and 'href="/"' in html and "回到首页" in html
    assert "Forbidden" not in html and "Not Found" not in html
    english = _get(path, lang="en").content.decode()
    assert en in english and "Back to the home page" in english and zh not in english


def test_404_offers_the_previous_page_only_when_it_is_on_this_site(client):
    html = client.get("/no-such-page/", HTTP_REFERER="http://testserver/projects/").content.decode()
    assert 'href="http://testserver/projects/"' in html and "返回上一页" in html
    html = client.get("/no-such-page/", HTTP_REFERER="https://evil.example/").content.decode()
    assert "evil.example" not in html and "返回上一页" not in html


def test_403_for_a_visitor_offers_login(rf=None):
    request = RequestFactory().get("/x/")
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore

    request.user = AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    response = views.permission_denied(request)
    assert response.status_code == 403 and "/accounts/login/?next=/x/" in response.content.decode()


def test_429_page():
    request = RequestFactory().get("/x/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = views.too_many_requests(request)
    assert response.status_code == 429 and "操作过于频繁" in response.content.decode()


def test_csrf_failure_is_the_site_403(owner_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner_user)
    response = client.post("/notifications/")
    assert response.status_code == 403 and "没有权限" in response.content.decode()


def test_project_list_offers_posting_only_to_owners(client, owner_user, plain_user):
    from agencies.models import Agency  # noqa: F401  (apps loaded)

    assert "发布采购需求" not in client.get("/projects/").content.decode()
    client.force_login(plain_user)
    assert "发布采购需求" not in client.get("/projects/").content.decode()
    client.force_login(owner_user)
    assert "发布采购需求" in client.get("/projects/").content.decode()
