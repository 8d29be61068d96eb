"""Segmentation, pinyin, masks and query parsing: pure, no database."""

import pytest

from marketplace.search import analysis
from marketplace.search.backends.database import fts5_query, tsquery


@pytest.mark.parametrize("text, expected", [
    ("平湖市测绘服务有限公司", {"平湖", "平湖市", "测绘", "服务", "有限公司"}),
    ("环评", {"环评"}),
    ("工程造价咨询", {"工程", "造价", "咨询"}),
    ("海宁正元环境科技有限公司", {"海宁", "正元", "环境", "科技"}),  # unknown brand glued back
])
def test_segment_keeps_two_character_words(text, expected):
    assert expected <= set(analysis.segment(text))


def test_key_tokens_add_pinyin_masks_and_abbreviations():
    tokens = set(analysis.key_tokens("环境影响评价文件编制"))
    assert {"环境", "huanjing", "x境", "环x"} <= tokens
    assert {"环评", "huanping"} <= tokens  # everyday abbreviation of the catalogue name


def test_name_tokens_have_whole_name_pinyin_and_initials():
    tokens = analysis.name_tokens("嘉兴测绘有限公司")
    assert "jiaxingcehuiyouxiangongsi" in tokens
    assert "jxchyxgs" in tokens
    assert "cehui" in tokens


def test_join_drops_repeats_and_empties():
    assert analysis.join(["测绘", "", "cehui", "测绘"]) == "测绘 cehui"


@pytest.mark.parametrize("word, masks", [("测绘", ["x绘", "测x"]), ("造价咨询", ["x价咨询", "造x咨询", "造价x询", "造价咨x"]),
                                         ("测", []), ("abc", []), ("中华人民共和国", [])])
def test_masked_variants(word, masks):
    assert analysis.masked(word) == masks


def test_parse_query_spaces_and_segments():
    terms = analysis.parse_query("平湖 造价")
    assert [t.word for t in terms] == ["平湖", "造价"]
    assert terms[0].alternatives == ("平湖", "pinghu")
    assert terms[1].relaxed == ("x价", "造x")


def test_parse_query_ascii_is_prefix_and_codes_lose_punctuation():
    (pinyin,) = analysis.parse_query("CeHui")
    assert pinyin.word == "cehui" and pinyin.prefix
    (code,) = analysis.parse_query("PH-2026-0001")
    assert code.word == "ph20260001" and code.prefix


def test_parse_query_glues_typo_characters():
    (term,) = analysis.parse_query("测会")
    assert term.word == "测会"
    assert "cehui" in term.alternatives  # homophone typo matches through pinyin


def test_parse_query_ignores_punctuation_and_duplicates():
    assert analysis.parse_query("  ，。!! ") == ()
    assert [t.word for t in analysis.parse_query("测绘 测绘")] == ["测绘"]


def test_fts5_and_tsquery_shapes():
    terms = analysis.parse_query("平湖 jxch")
    assert fts5_query(terms) == '("平湖" OR "pinghu") AND "jxch"*'
    assert tsquery(terms) == "('平湖' | 'pinghu') & 'jxch':*"
    assert fts5_query(analysis.parse_query("造介"), relaxed=True) == '("造介" OR "zaojie" OR "x介" OR "造x")'


def test_stop_words_dropped_unless_alone():
    assert [t.word for t in analysis.parse_query("海宁 测绘 有限公司")] == ["海宁", "测绘"]
    assert [t.word for t in analysis.parse_query("有限公司")] == ["有限公司"]
