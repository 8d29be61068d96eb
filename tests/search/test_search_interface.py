"""The search interface over the embedded backend: filters, facets, ranking, visibility, paging."""

import datetime as dt

import pytest
from django.utils import timezone

from agencies.models import Agency
from marketplace.search import SearchError, index_objects, search_agencies, search_projects
from tests.search.factories import agency, project

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(reindex):
    made = {
        "ph_survey_a": agency("平湖华正测绘有限公司", services=("ZR01", "JS05"), grade="A", price=20000),
        "ph_survey_c": agency("平湖天成测绘有限公司", services=("ZR01",), grade="C", price=300000),
        "js_survey_b": agency("嘉善宏信测绘有限公司", services=("ZR01",), region="330421", grade="B"),
        "ph_cost": agency("平湖中天造价咨询有限公司", services=("JS05",), grade="B", price=5000),
        "suspended": agency("平湖永安测绘有限公司", services=("ZR01",), status="suspended"),
        "blacklisted": agency("平湖金诚测绘有限公司", services=("ZR01",), status="blacklisted"),
    }
    made["p_pub"] = project("平湖新城道路地形测绘", status="published", method="draw")
    made["p_done"] = project("嘉善体育馆测绘", region="330421", status="completed", method="lowest")
    made["p_draft"] = project("平湖某保密工程测绘", status="draft")
    reindex()
    return made


def ids(result):
    return [h.id for h in result.hits]


def test_two_character_word_finds_only_admitted(world):
    result = search_agencies("测绘")
    assert set(ids(result)) == {world["ph_survey_a"].pk, world["ph_survey_c"].pk, world["js_survey_b"].pk}
    assert result.total == 3
    assert all(h.key and len(h.key) == 18 for h in result.hits)  # USCC identifiers


def test_grade_breaks_ties_a_before_b_before_c(world):
    result = search_agencies("测绘")
    assert ids(result) == [world["ph_survey_a"].pk, world["js_survey_b"].pk, world["ph_survey_c"].pk]


def test_recency_breaks_ties_within_a_grade(world):
    old = timezone.now() - dt.timedelta(days=900)
    Agency.objects.filter(pk=world["ph_survey_c"].pk).update(credit_grade="B", updated_at=old)
    index_objects("agency", [world["ph_survey_c"].pk])
    result = search_agencies("测绘")
    assert ids(result)[1:] == [world["js_survey_b"].pk, world["ph_survey_c"].pk]


def test_region_plus_service(world):
    assert ids(search_agencies("平湖 造价")) == [world["ph_survey_a"].pk, world["ph_cost"].pk]


def test_filters_and_facets(world):
    result = search_agencies("测绘", {"region": "330482"})
    assert set(ids(result)) == {world["ph_survey_a"].pk, world["ph_survey_c"].pk}
    facets = {name: {v.value: v.count for v in values} for name, values in result.facets.items()}
    assert facets["region"] == {"330482": 2}
    assert facets["grade"] == {"A": 1, "C": 1}
    assert facets["service_type"] == {"ZR01": 2, "JS05": 1}
    assert facets["price"] == {"p2": 1, "p4": 1}
    assert [v.selected for v in result.facets["region"]] == [True]
    # A parent region filter covers its counties.
    assert search_agencies("测绘", {"region": "330400"}).total == 3
    assert ids(search_agencies("测绘", {"grade": "B"})) == [world["js_survey_b"].pk]
    assert ids(search_agencies("", {"service_type": "JS05", "price": "p1"})) == [world["ph_cost"].pk]


def test_browse_without_query_counts_facets_and_orders_by_grade(world):
    result = search_agencies("")
    assert result.total == 4
    assert ids(result)[0] == world["ph_survey_a"].pk
    assert ids(result)[-1] == world["ph_survey_c"].pk
    assert {v.value: v.count for v in result.facets["service_type"]} == {"ZR01": 3, "JS05": 2}


def test_projects_never_show_drafts_and_have_method_status_facets(world):
    result = search_projects("测绘")
    assert set(ids(result)) == {world["p_pub"].pk, world["p_done"].pk}
    assert {v.value: v.count for v in result.facets["method"]} == {"draw": 1, "lowest": 1}
    assert {v.value: v.count for v in result.facets["status"]} == {"published": 1, "completed": 1}
    assert ids(search_projects("", {"status": "published"})) == [world["p_pub"].pk]
    assert ids(search_projects(world["p_pub"].code)) == [world["p_pub"].pk]
    assert search_projects("保密").total == 0


def test_pinyin_initials_uscc_and_typos(world):
    a = world["ph_survey_a"]
    assert ids(search_agencies("huazheng")) == [a.pk]
    assert ids(search_agencies("phhzch")) == [a.pk]
    assert ids(search_agencies(a.uscc)) == [a.pk]
    assert ids(search_agencies(a.uscc[:10].lower()))[:1] != []
    homophone = search_agencies("测会")
    assert not homophone.relaxed and len(homophone.hits) == 3
    substitution = search_agencies("造介")
    assert substitution.relaxed
    assert set(ids(substitution)) == {a.pk, world["ph_cost"].pk}


def test_pagination(world, reindex):
    for i in range(25):
        agency(f"海宁测试{i:02d}测绘有限公司", region="330481")
    reindex()
    first = search_agencies("海宁 测绘", page=1)
    second = search_agencies("海宁 测绘", page=2)
    assert first.total == 25 and first.pages == 2 and first.has_next and not first.has_previous
    assert len(first.hits) == 20 and len(second.hits) == 5
    assert not set(ids(first)) & set(ids(second))


@pytest.mark.parametrize("kwargs, message", [
    ({"q": "测" * 101}, "query longer"),
    ({"page": 0}, "page must be"),
    ({"page": "x"}, "invalid page"),
    ({"filters": {"grade": "Z"}}, "invalid filter grade=Z"),
    ({"filters": {"region": "999999"}}, "invalid filter region"),
    ({"filters": {"service_type": "NOPE"}}, "invalid filter service_type"),
])
def test_bad_input_is_refused_with_bilingual_message(world, kwargs, message):
    with pytest.raises(SearchError) as err:
        search_agencies(**kwargs)
    assert message in str(err.value)
    assert " / " in str(err.value)  # Chinese / English


def test_index_objects_drops_agencies_that_stop_being_admitted(world):
    a = world["ph_survey_a"]
    Agency.objects.filter(pk=a.pk).update(status="suspended")
    index_objects("agency", [a.pk])
    assert a.pk not in ids(search_agencies("测绘"))
    Agency.objects.filter(pk=a.pk).update(status="admitted")
    index_objects("agency", [a.pk])
    assert a.pk in ids(search_agencies("测绘"))


def test_query_count_is_fixed(world, reindex, django_assert_max_num_queries, is_postgres):
    # labels, matching + name-like ids (PostgreSQL: in a savepoint with SET LOCAL), snapshot refresh, hits
    text_queries = 8 if is_postgres else 5
    with django_assert_max_num_queries(text_queries):
        search_agencies("测绘")
    for i in range(30):
        agency(f"桐乡测试{i:02d}测绘有限公司", region="330483")
    reindex()
    with django_assert_max_num_queries(text_queries):
        search_agencies("测绘")
    with django_assert_max_num_queries(6):
        search_agencies("")


def test_browse_facet_cache_follows_index_changes(world):
    before = search_agencies("")
    assert before.total == 4
    extra = agency("海宁博达测绘有限公司", region="330481")
    index_objects("agency", [extra.pk])
    after = search_agencies("")
    assert after.total == 5
    assert {v.value: v.count for v in after.facets["region"]}["330481"] == 1
    Agency.objects.filter(pk=extra.pk).update(status="removed")
    index_objects("agency", [extra.pk])
    assert search_agencies("").total == 4
