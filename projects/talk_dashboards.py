"""Dashboard panels: questions the owner must answer, and job threads with unread messages (docs/rules.md §12)."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from marketplace.dashboards import panel
from projects.models import Clarification, ServiceJob


def _unread_threads(organisation, side: str) -> list:
    """Jobs of `organisation` on `side` with messages from the other side not read yet."""
    mine = Q(project__owner=organisation) if side == "owner" else Q(agency__organisation=organisation)
    unread = Q(messages__read_at__isnull=True) & ~Q(messages__side=side)
    return list(ServiceJob.objects.filter(mine).annotate(unread=Count("messages", filter=unread))
                .filter(unread__gt=0).select_related("project").order_by("-id")[:20])


@panel("owner")
def owner_questions_and_messages(request, organisation):
    if organisation is None:
        return None
    questions = list(Clarification.objects.filter(project__owner=organisation, answered_at__isnull=True)
                     .select_related("project").order_by("answer_due")[:50])
    threads = _unread_threads(organisation, "owner")
    if not questions and not threads:
        return None
    return {"title": _("待答复的答疑与未读消息"), "template": "projects/talk/panel.html",
            "context": {"questions": questions, "threads": threads}, "order": 12}


@panel("agency")
def agency_messages(request, organisation):
    if organisation is None:
        return None
    threads = _unread_threads(organisation, "agency")
    if not threads:
        return None
    return {"title": _("未读的服务沟通消息"), "template": "projects/talk/panel.html",
            "context": {"questions": [], "threads": threads}, "order": 12}
