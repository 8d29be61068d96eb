"""Chinese search: two-character words find notices on the database backend (SQLite FTS5 / PostgreSQL)."""

import pytest
from django.urls import reverse

from cms.models import NoticePage
from cms.search import search_notices, segment, tokens
from tests.factories import service_type


@pytest.mark.parametrize("text, expected", [
    ("测绘", ["测绘"]),
    ("地形测绘", ["地形", "测绘"]),
    ("平湖市某道路工程地形测绘", ["平湖", "平湖市", "某", "道路", "工程", "地形", "测绘"]),
    ("《测绘》，公告！", ["测绘", "公告"]),
    ("PH-2026-0001 Survey", ["ph", "2026", "0001", "survey"]),
    ("   ", []),
    ("", []),
])
def test_tokens(text, expected):
    assert tokens(text) == expected


def test_segment_joins_with_spaces_without_duplicates():
    assert segment("有限公司") == "有限 公司 有限公司"
    assert segment("测绘 测绘") == "测绘"


@pytest.fixture
def notices(tree, record_event, published_project):
    survey = published_project(title="平湖市新仓镇农田地形测绘服务")
    record_event("projects.published", survey)
    other = published_project(title="嘉善县环境影响评价报告编制", service_type=service_type("HB01"))
    record_event("projects.published", other)
    return NoticePage.objects.get(object_id=str(survey.pk)), NoticePage.objects.get(object_id=str(other.pk))


@pytest.mark.django_db
def test_two_character_word_finds_the_notice(notices):
    survey, other = notices
    found = list(search_notices("测绘"))
    assert [page.pk for page in found] == [survey.pk]
    assert [page.pk for page in search_notices("环境")] == [other.pk]
    assert {page.pk for page in search_notices("平湖 测绘")} == {survey.pk}


@pytest.mark.django_db
def test_unsegmented_database_search_would_miss_it(notices):
    """Why cms.search exists: the stock backend sees the title as one token and misses 测绘."""
    survey, _ = notices
    assert survey.pk not in [page.pk for page in NoticePage.objects.live().search("测绘", fields=["title"])]


@pytest.mark.django_db
def test_nonsense_word_finds_nothing(notices):
    assert list(search_notices("啵呲嘚嘚")) == []
    assert list(search_notices("量子纠缠")) == []
    assert list(search_notices("！！")) == []


@pytest.mark.django_db
def test_withdrawn_notice_is_not_found(notices, record_event):
    from projects.models import Project

    survey, _ = notices
    record_event("projects.cancelled", Project.objects.get(pk=survey.object_id), reason="取消")
    assert list(search_notices("测绘")) == []


@pytest.mark.django_db
def test_search_view(notices, client):
    survey, other = notices
    html = client.get(reverse("cms:search"), {"q": "测绘"}).content.decode()
    assert survey.title in html and other.title not in html
    html = client.get(reverse("cms:search"), {"q": "测绘", "kind": "result"}).content.decode()
    assert survey.title not in html
    html = client.get(reverse("cms:search"), {"q": "测" * 101}).content.decode()
    assert "搜索词过长" in html and "query too long" in html
    html = client.get(reverse("cms:search"), {"q": "测绘", "kind": "bogus"}).content.decode()
    assert "unknown notice kind" in html


@pytest.mark.django_db
def test_search_query_count_does_not_grow_with_results(tree, client, django_assert_max_num_queries):
    from django.core.cache import cache

    from tests.cms.test_public import make_notice

    for n in range(3):
        make_notice(n, title=f"测绘公告{n}", region="330402" if n % 2 else "330482")
    cache.clear()
    with django_assert_max_num_queries(20) as few:
        response = client.get(reverse("cms:search"), {"q": "测绘"})
    assert len(response.context["notices"]) == 3
    for n in range(3, 25):
        make_notice(n, title=f"测绘公告{n}", region="330402" if n % 2 else "330482")
    cache.clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("cms:search"), {"q": "测绘"})
    assert len(response.context["notices"]) == 20
