"""Admin setup for notices: the withdrawal log action and the edit guard for marketplace facts."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from cms.facts import LOCKED_FORM_FIELDS
from cms.publishing import WITHDRAWN_ACTION

FACTS_REFUSED = _("公告中来自交易系统的信息不能修改 / marketplace facts of a notice cannot be changed")
REPUBLISH_REFUSED = _("该公告已随交易事项撤回，不能重新发布 / this notice was withdrawn with its marketplace "
                      "event and cannot be republished")


@hooks.register("register_log_actions")
def register_notice_actions(actions):
    actions.register_action(WITHDRAWN_ACTION, _("撤回公告"), _("公告已随交易事项撤回"))


def _posted_fact_changes(request, page) -> list[str]:
    """Locked fields whose posted value differs from the notice's (browsers never post disabled
    inputs, so any value here is an attempt to change a fact)."""
    current = page.get_latest_revision_as_object() if page.latest_revision_id else page
    changed = []
    for name in LOCKED_FORM_FIELDS:
        if name not in request.POST:
            continue
        value = getattr(current, f"{name}_id", None) if name in ("region", "service_type") else getattr(current, name)
        if str(request.POST.get(name) or "") != ("" if value is None else str(value)):
            changed.append(name)
    return changed


@hooks.register("before_edit_page")
def guard_notice_facts(request, page):
    from cms.models import NoticePage

    if request.method != "POST":
        return None
    page = page.specific_deferred
    if not isinstance(page, NoticePage) or not page.source_key:
        return None
    if _posted_fact_changes(request, page):
        messages.error(request, FACTS_REFUSED)
        return redirect("wagtailadmin_pages:edit", page.pk)
    if page.withdrawn_at and request.POST.get("action-publish"):
        messages.error(request, REPUBLISH_REFUSED)
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


@hooks.register("before_bulk_action")
def guard_bulk_republish(request, action_type, objects, action_class_instance):
    """Bulk "publish" in the page listing must not bring back a notice withdrawn with its event."""
    from cms.models import NoticePage

    if action_type != "publish":
        return None
    ids = [obj.pk for obj in objects]
    if NoticePage.objects.filter(pk__in=ids, withdrawn_at__isnull=False, source_key__isnull=False).exists():
        messages.error(request, REPUBLISH_REFUSED)
        return redirect(request.META.get("HTTP_REFERER") or "wagtailadmin_explore_root")
    return None
