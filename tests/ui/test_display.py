"""The display layer: one language at a time, every audit action as a sentence, one money/date format."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from marketplace import display, events


@pytest.mark.parametrize(("text", "zh", "en"), [
    ("待我处理 / waiting on me", "待我处理", "waiting on me"),
    ("已保存（受监管事项已提交审核）/ saved (regulated changes were sent for review)",
     "已保存（受监管事项已提交审核）", "saved (regulated changes were sent for review)"),
    ("当前状态（中选公示）不允许此操作 / not allowed in status publicity: confirm",
     "当前状态（中选公示）不允许此操作", "not allowed in status publicity: confirm"),
    ("机构 平湖测绘 已存在 / agency 平湖测绘 already exists", "机构 平湖测绘 已存在", "agency 平湖测绘 already exists"),
])
def test_bilingual_text_shows_one_side(text, zh, en):
    assert display.one_language(text, english=False) == zh
    assert display.one_language(text, english=True) == en
    with translation.override("en"):
        assert display.one_language(text) == en
    with translation.override("zh-hans"):
        assert display.one_language(text) == zh


@pytest.mark.parametrize("text", ["第 1 / 3 页", "1 / 2", "平湖 / 嘉善", "plain text", "", "A/B 测试 / 中文"])
def test_other_text_is_unchanged(text):
    assert display.one_language(text, english=True) == text
    assert display.one_language(text, english=False) == text


def test_every_declared_event_has_a_sentence_in_both_languages():
    missing = sorted(set(events.declared()) - set(display.SENTENCES) - {a for a in events.declared() if a.startswith("tests.")})
    assert missing == [], f"give these audit actions a sentence in marketplace/display.py SENTENCES: {missing}"
    with translation.override("en"):
        untranslated = [a for a, s in display.SENTENCES.items() if display._CJK.search(str(s))]
    assert untranslated == [], f"no English msgstr in locale/en for: {untranslated}"


class _Entry:
    def __init__(self, action, organisation=None, actor_repr="system"):
        self.action, self.organisation, self.actor_repr, self.actor_id = action, organisation, actor_repr, None
        self.created_at = dt.datetime(2026, 11, 27, 2, 30, tzinfo=dt.UTC)


class _Org:
    name = "平湖市住房和城乡建设局"


def test_audit_entry_is_a_sentence():
    entry = _Entry("projects.contract_uploaded", _Org())
    with translation.override("zh-hans"):
        assert display.audit_sentence(entry) == "2026-11-27 10:30 平湖市住房和城乡建设局 上传合同"
    with translation.override("en"):
        assert display.audit_sentence(entry) == "2026-11-27 10:30 平湖市住房和城乡建设局 uploaded the contract"
    with translation.override("zh-hans"):
        assert display.audit_sentence(_Entry("projects.registration_closed")).endswith("系统 报名截止")


def test_money_and_dates():
    assert display.money(Decimal("1200000")) == "¥1,200,000.00"
    assert display.money("120000.5") == "¥120,000.50"
    assert display.money(None) == "—"
    with translation.override("zh-hans"):
        assert display.wan(Decimal("1200000")) == "120.00 万元"
        assert display.date(dt.date(2026, 3, 5)) == "2026-03-05"
    with translation.override("en"):
        assert display.date(dt.date(2026, 3, 5)) == "2026-03-05"
        assert display.date("2026-03-05T09:30:00+08:00") == "2026-03-05 09:30"


@pytest.mark.django_db
def test_form_errors_show_one_language(rf):
    from django import forms

    class F(forms.Form):
        name = forms.CharField(label="名称")

        def clean_name(self):
            raise ValidationError("名称不可用 / the name is taken")

    form = F({"name": "x"})
    with translation.override("zh-hans"):
        html = str(form["name"].errors)
        assert "名称不可用" in html and "the name is taken" not in html
    with translation.override("en"):
        html = str(form["name"].errors)
        assert "the name is taken" in html and "名称不可用" not in html
