"""Template filters of the display layer (marketplace/display.py): `{% load display %}`."""

from django import template

from marketplace import display

register = template.Library()

register.filter("one_language", display.one_language)
register.filter("money", display.money)
register.filter("wan", display.wan)
register.filter("day", display.date)
register.filter("audit_sentence", display.audit_sentence)
register.filter("action_label", display.action_label)
register.filter("actor_name", display.actor_name)
register.filter("audit_details", display.audit_details)
register.filter("code_label", display.code_label)


@register.simple_tag
def colon() -> str:
    """The label colon of the active language: "：" in Chinese, ": " in English (`{% trans "状态" %}{% colon %}`)."""
    return ": " if display.is_english() else "："
