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


@register.filter
def status_label(project) -> str:
    """The posting's state as its method knows it: a direct pick has no registration, so no "报名中"."""
    from django.utils.translation import gettext

    if project.method == "direct" and project.status in ("published", "closed"):
        return gettext("待指定机构")
    return project.get_status_display()


@register.filter
def registers(project) -> bool:
    """Whether agencies register for this posting (every method but a direct pick)."""
    return project.method != "direct"
