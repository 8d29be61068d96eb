"""Public pages are served from the cache and purged when a notice is published or withdrawn."""

import pytest
from django.urls import reverse

from cms import cache as page_cache
from cms.models import NoticePage
from tests.cms.test_public import make_notice

pytestmark = pytest.mark.django_db


def test_list_is_cached_until_a_notice_changes(tree, client, django_assert_num_queries):
    first = make_notice(1, title="公告甲")
    url = reverse("cms:notice_list")
    assert "公告甲" in client.get(url).content.decode()
    # A change that bypasses publishing (no signal) is not seen: the page comes from the cache.
    NoticePage.objects.filter(pk=first.pk).update(title="公告甲（改）")
    with django_assert_num_queries(0):
        html = client.get(url).content.decode()
    assert "公告甲（改）" not in html

    make_notice(2, title="公告乙")  # publishing purges
    html = client.get(url).content.decode()
    assert "公告乙" in html and "公告甲（改）" in html


def test_withdrawal_purges_home_index_feed_and_notice(tree, client):
    from cms.publishing import withdraw_notice

    notice = make_notice(1, title="公告甲")
    urls = ["/", notice.get_parent().url, reverse("cms:feed_rss", args=["posting"]), notice.url]
    for url in urls:
        assert "公告甲" in client.get(url).content.decode(), url
    generation = page_cache.generation()
    withdraw_notice(kind="posting", object_type="projects.project", object_id=notice.object_id, reason="撤回")
    assert page_cache.generation() > generation
    for url in urls[:3]:
        assert "公告甲" not in client.get(url).content.decode(), url
    assert client.get(notice.url).status_code == 404


def test_editor_publish_in_admin_purges(tree, client):
    notice = make_notice(1, title="公告甲")
    client.get(notice.url)
    page = NoticePage.objects.get(pk=notice.pk).get_latest_revision_as_object()
    page.editor_note = "<p>补充说明：现场踏勘时间另行通知。</p>"
    page.save_revision().publish()
    assert "现场踏勘" in client.get(notice.url).content.decode()


def test_cache_keys_differ_by_url_and_generation(rf):
    a, b = rf.get("/notices/?kind=posting"), rf.get("/notices/?kind=result")
    assert page_cache.cache_key(a) != page_cache.cache_key(b)
    before = page_cache.cache_key(a)
    page_cache.purge()
    assert page_cache.cache_key(a) != before
    assert not page_cache.cacheable(rf.post("/notices/"))


def test_purge_survives_an_evicted_generation_key():
    from django.core.cache import cache

    cache.delete(page_cache.GENERATION_KEY)
    assert page_cache.purge() >= 2
    assert page_cache.generation() >= 2


def test_cached_html_holds_no_csrf_token(tree, client):
    """The shell (with the language form's CSRF token) is rendered per request; only content is cached."""
    make_notice(1, title="公告甲")
    client.get(reverse("cms:notice_list"))
    from django.core.cache import cache

    keys = [key for key in cache._cache if ":cms:page:" in key]  # locmem in tests
    assert keys
    for key in keys:
        assert "csrfmiddlewaretoken" not in cache.get(key.split(":", 2)[-1])
