import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def when(value) -> str:
    """A date as YYYY-MM-DD, a datetime as local YYYY-MM-DD HH:MM (turns mix both)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value)
