"""Declared notifications: every action that starts someone's deadline tells them, naming the deadline,
in Chinese and in English."""

import datetime as dt

import pytest
from django.utils import translation

from marketplace import events, notify, notify_registry
from marketplace.notify_registry import Message, Rule, deliver

# Every declared action that starts someone's deadline, and who must be told.
STARTS_A_DEADLINE = {
    "projects.provider_selected": "the offered agency must confirm",
    "projects.published": "invited agencies must register (invitation)",
    "projects.result_published": "registrants may object until publicity ends",
    "projects.low_quote_flagged": "the agency must justify its quote",
    "projects.objection_filed": "the owner and the competent regulator must answer",
    "projects.publicity_ended": "owner and agency must sign the contract",
    "projects.clarification_asked": "the owner must answer the question publicly",
    "projects.offer_unreachable": None,  # not a new deadline: the owner learns of the offer's
    "ratings.rating_opened": "the owner must rate",
    "ratings.review_opened": "the regulator must review the report",
    "ratings.appeal_filed": "the regulator must decide the appeal",
    "agencies.application_submitted": "the regulator must review the admission",
    "agencies.change_submitted": "the regulator must review the change",
}
DEADLINE = dt.datetime(2026, 3, 16, 17, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.mark.parametrize("action", sorted(a for a, why in STARTS_A_DEADLINE.items() if why))
def test_each_deadline_starting_event_has_a_notification_naming_the_deadline(action):
    rules = [r for r in notify_registry.rules_for(action) if r.starts_deadline]
    assert rules, f"{action} starts a deadline but has no deadline notification"
    text = notify.format_deadline(DEADLINE)
    for rule in rules:
        params = {"code": "ZJ-2026-0001", "title": "测绘", "agency": "某机构", "name": "某机构", "deadline": text,
                  "number": 1, "question": "测区是否包含水域？"}
        for language in ("zh-hans", "en"):
            body = notify.render(rule.body, params, language)
            assert text in body, (action, language, body)
        english = notify.render(rule.body, params, "en")
        assert english != notify.render(rule.body, params, "zh-hans"), f"{action}: no English template"


def test_every_rule_marked_as_starting_a_deadline_is_in_the_table():
    marked = {r.action for r in notify_registry.rules() if r.starts_deadline}
    assert marked <= set(STARTS_A_DEADLINE), marked - set(STARTS_A_DEADLINE)


def test_every_declared_notification_has_english_title_and_body_and_a_kind_label():
    for rule in notify_registry.rules():
        params = dict.fromkeys(("code", "title", "agency", "name", "deadline", "count", "outcome", "status", "kind", "starts", "ends", "previous", "grade", "score", "service", "region", "number", "question", "answer", "sender", "message"), "x")
        zh_title = notify.render(rule.title, params, "zh-hans")
        assert notify.render(rule.title, params, "en") != zh_title, rule.title
        assert notify.render(rule.body, params, "en") != notify.render(rule.body, params, "zh-hans"), rule.body
        with translation.override("en"):
            assert notify.kind_label(rule.kind) != rule.kind


def test_declaring_a_deadline_notification_whose_body_omits_the_deadline_is_refused():
    with pytest.raises(ValueError, match="does not name it"):
        notify_registry.notification("projects.published", kind="x", title="t", body="no date", deadline=True)


def test_an_undeclared_action_cannot_have_a_notification():
    with pytest.raises(events.UndeclaredEvent):
        notify_registry.notification("projects.nothing_like_this", kind="x", title="t", body="b")


@pytest.mark.django_db
def test_a_deadline_message_without_its_deadline_is_refused(owner_user):
    rule = Rule("tests.a", "yellow", None, "t", "%(deadline)s", True, lambda entry: [Message(owner_user)])

    class Entry:
        pk = 1

    with pytest.raises(ValueError, match="has none"):
        deliver(rule, Entry())
