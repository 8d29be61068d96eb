"""The anonymous page cache: public pages served whole from the cache, never to or from a signed-in
user, never with a CSRF token or a message, and invalidated by any committed audited change."""

import pytest
from django.db import transaction
from django.urls import reverse

from agencies.models import Agency
from marketplace import audit
from tests.factories import UserFactory
from tests.perf.helpers import many_agencies

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings):
    settings.PAGE_CACHE_SECONDS = 60


def _rename(agency, name):
    Agency.objects.filter(pk=agency.pk).update(name=name)  # no audit entry: the cache cannot know


def test_public_pages_are_served_whole_from_the_cache(cached, client, django_assert_num_queries, tree):
    a = many_agencies(3)[0]
    urls = ["/", reverse("agencies:directory"), reverse("agencies:storefront", args=[a.uscc]),
            reverse("projects:list"), reverse("cms:notice_list"), "/api/agencies", "/api/projects"]
    for url in urls:
        first = client.get(url)
        assert first.status_code == 200 and first["X-Page-Cache"] == "miss", url
        with django_assert_num_queries(0):
            again = client.get(url)
        assert again["X-Page-Cache"] == "hit" and again.content == first.content, url
        assert "csrfmiddlewaretoken" not in again.content.decode(), url


def test_languages_are_cached_apart(cached, client):
    many_agencies(1)
    zh = client.get(reverse("agencies:directory")).content.decode()
    client.cookies["django_language"] = "en"
    en = client.get(reverse("agencies:directory"))
    assert en["X-Page-Cache"] == "miss" and en.content.decode() != zh


def test_a_committed_audited_change_invalidates(cached, client, django_capture_on_commit_callbacks):
    a = many_agencies(1)[0]
    url = reverse("agencies:storefront", args=[a.uscc])
    client.get(url)
    _rename(a, "改名后的测绘公司")
    assert "改名后的测绘公司" not in client.get(url).content.decode()  # served from the cache
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        audit.record(action="agencies.storefront_updated", obj=a, organisation=a.organisation,
                     data={"uscc": a.uscc, "service": "ZR01", "created": False})
    assert client.get(url)["X-Page-Cache"] == "hit"  # not before commit
    for callback in callbacks:
        callback()
    fresh = client.get(url)
    assert fresh["X-Page-Cache"] == "miss" and "改名后的测绘公司" in fresh.content.decode()


def test_a_signed_in_user_never_gets_nor_fills_a_cached_page(cached, client):
    a = many_agencies(1)[0]
    url = reverse("agencies:storefront", args=[a.uscc])
    client.get(url)  # anonymous copy cached
    _rename(a, "登录用户看到的新名称")
    client.force_login(UserFactory())
    mine = client.get(url)
    assert "X-Page-Cache" not in mine and "登录用户看到的新名称" in mine.content.decode()
    client.logout()
    assert "登录用户看到的新名称" not in client.get(url).content.decode()  # the anonymous copy, untouched


def test_pages_with_a_session_or_a_message_are_not_served_from_the_cache(cached, client):
    a = many_agencies(1)[0]
    url = reverse("agencies:storefront", args=[a.uscc])
    client.get(url)
    _rename(a, "新名称")
    client.cookies["messages"] = "x"
    assert "X-Page-Cache" not in client.get(url)
    del client.cookies["messages"]
    client.cookies["sessionid"] = "anything"
    assert "新名称" in client.get(url).content.decode()


def test_a_page_that_renders_a_csrf_token_is_not_cached(cached, client):
    login = client.get(reverse("account_login"))
    assert "csrfmiddlewaretoken" in login.content.decode()
    assert "X-Page-Cache" not in login and "X-Page-Cache" not in client.get(reverse("account_login"))


def test_private_views_are_not_cached(cached, client):
    assert "X-Page-Cache" not in client.get(reverse("dashboard"))  # a redirect to sign in, never stored


def test_the_language_switch_is_a_plain_link_that_sets_the_cookie(client):
    response = client.get(reverse("switch_language"), {"language": "en", "next": "/agencies/"})
    assert response.status_code == 302 and response["Location"] == "/agencies/"
    assert response.cookies["django_language"].value == "en"
    evil = client.get(reverse("switch_language"), {"language": "en", "next": "https://evil.example/"})
    assert evil["Location"] == "/"
    assert "django_language" not in client.get(reverse("switch_language"), {"language": "xx"}).cookies


def test_a_notice_page_runs_a_fixed_small_number_of_queries(client, tree):
    """Uncached (cache cleared), Wagtail routing plus the notice cost the same with 1 or 12 notices."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.cms.test_public import make_notice

    first = make_notice(1, title="公告一")
    client.get(first.url)
    cache.clear()
    with CaptureQueriesContext(connection) as one:
        assert client.get(first.url).status_code == 200
    for n in range(2, 13):
        make_notice(n)
    cache.clear()
    with CaptureQueriesContext(connection) as twelve:
        assert client.get(first.url).status_code == 200
    assert len(one) == len(twelve) <= 12  # session-less: routing, site, page, notice facts; 0 when cached
