"""Sections added to the posting page and the job page (clarifications, attachments, the job thread),
computed here so the pages' own views stay unchanged."""

from __future__ import annotations

from django import template
from django.utils import timezone

from agencies.models import Agency
from marketplace import permissions
from projects import clarifications
from projects.delivery import messages as job_messages
from projects.states import PROJECT

register = template.Library()


def _agency(user):
    orgs = permissions.organisations(user, "agency") if getattr(user, "is_authenticated", False) else []
    return Agency.objects.filter(organisation__in=orgs).first() if orgs else None


@register.inclusion_tag("projects/talk/posting.html", takes_context=True)
def posting_talk(context, project):
    user = context["request"].user
    is_owner = permissions.can(user, "projects.edit", project)
    agency = None if is_owner else _agency(user)
    may_ask, why_not = clarifications.may_ask(project, agency, timezone.now())
    return {
        "request": context["request"], "csrf_token": context.get("csrf_token"), "project": project,
        "is_owner": is_owner, "agency": agency, "may_ask": may_ask, "why_not": why_not,
        "cutoff": clarifications.cutoff_of(project),
        "questions": clarifications.public_clarifications(project),
        "files": list(project.attachments.all()),
        "draft": PROJECT.can(project, "publish"), "may_attach": is_owner and (
            PROJECT.can(project, "publish") or PROJECT.can(project, "revise")),
    }


@register.inclusion_tag("projects/talk/job_thread_link.html", takes_context=True)
def job_thread_link(context, job):
    user = context["request"].user
    if not permissions.can(user, "projects.thread_view", job):
        return {"shown": False}
    return {"shown": True, "job": job, "unread": job_messages.unread_count(user, job),
            "count": job.messages.count()}
