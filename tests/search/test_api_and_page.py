"""GET /api/search/agencies|projects and the /search/ page: public, read-only, bad input refused."""

import pytest
from django.urls import reverse

from tests.search.factories import agency, project

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(reindex):
    made = {"a": agency("平湖华正测绘有限公司", services=("ZR01",), grade="A"),
            "b": agency("嘉善宏信测绘有限公司", services=("ZR01",), region="330421", grade="B"),
            "hidden": agency("平湖永安测绘有限公司", status="blacklisted"),
            "p": project("平湖新城道路地形测绘"), "draft": project("平湖保密测绘", status="draft")}
    reindex()
    return made


def test_api_agencies_returns_uscc_and_facets(client, world):
    response = client.get("/api/search/agencies", {"q": "测绘", "region": "330482"})
    assert response.status_code == 200
    body = response.json()
    assert [h["uscc"] for h in body["hits"]] == [world["a"].uscc]
    assert body["total"] == 1 and body["page"] == 1 and body["backend"] == "database"
    assert body["facets"]["region"] == [{"value": "330482", "label": "平湖市", "count": 1, "selected": True}]
    assert body["facets"]["grade"][0]["value"] == "A"
    assert body["hits"][0]["url"]


def test_api_projects_returns_codes_not_drafts(client, world):
    body = client.get("/api/search/projects", {"q": "测绘"}).json()
    assert [h["code"] for h in body["hits"]] == [world["p"].code]
    assert {f["value"] for f in body["facets"]["status"]} == {"published"}


@pytest.mark.parametrize("params", [{"grade": "Z"}, {"page": "0"}, {"page": "abc"}, {"region": "000000"},
                                    {"q": "字" * 101}])
def test_api_bad_input_is_400_bilingual(client, world, params):
    response = client.get("/api/search/agencies", params)
    assert response.status_code == 400
    assert " / " in response.json()["detail"]


def test_api_is_read_only(client, world):
    assert client.post("/api/search/agencies", {"q": "测绘"}).status_code == 405


def test_page_lists_hits_with_facet_links(client, world):
    response = client.get(reverse("search:page"), {"q": "测绘"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "平湖华正测绘有限公司" in html and "嘉善宏信测绘有限公司" in html
    assert "平湖永安测绘有限公司" not in html
    assert world["a"].uscc in html
    assert "region=330482" in html  # facet link
    filtered = client.get(reverse("search:page"), {"q": "测绘", "region": "330421"}).content.decode()
    assert "嘉善宏信测绘有限公司" in filtered and "平湖华正测绘有限公司" not in filtered


def test_page_projects_tab(client, world):
    html = client.get(reverse("search:page"), {"q": "测绘", "kind": "project"}).content.decode()
    assert world["p"].code in html and "平湖保密测绘" not in html


def test_page_bad_input_shows_message(client, world):
    response = client.get(reverse("search:page"), {"q": "测绘", "grade": "Z"})
    assert response.status_code == 400
    assert "筛选条件无效" in response.content.decode()


def test_hit_detail_page_and_404_for_hidden(client, world):
    assert client.get(reverse("search:detail", args=["agency", world["a"].uscc])).status_code == 200
    assert client.get(reverse("search:detail", args=["agency", world["hidden"].uscc])).status_code == 404
    assert client.get(reverse("search:detail", args=["project", world["draft"].code])).status_code == 404


def test_page_query_count_is_fixed(client, world, reindex, django_assert_max_num_queries, is_postgres):
    limit = 12 if is_postgres else 9
    with django_assert_max_num_queries(limit):
        client.get(reverse("search:page"), {"q": "测绘"})
    for i in range(25):
        agency(f"海宁测试{i:02d}测绘有限公司", region="330481")
    reindex()
    with django_assert_max_num_queries(limit):
        client.get(reverse("search:page"), {"q": "测绘"})


@pytest.mark.parametrize(("q", "shown", "hidden"), [
    ("火星探测器", ["没有找到符合条件的结果"], ["以下为近似结果", "条结果"]),  # nothing, even relaxed
    ("测绘", ["条结果"], ["没有找到", "以下为近似结果"]),
])
def test_page_shows_one_message_about_the_results(client, world, q, shown, hidden):
    from marketplace.search import search_agencies

    assert bool(search_agencies("火星探测器").hits) is False
    body = client.get("/search/", {"q": q}).content.decode()
    assert all(text in body for text in shown), shown
    assert not any(text in body for text in hidden), hidden
