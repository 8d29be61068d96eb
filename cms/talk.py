"""Clarifications (答疑) and posting attachments on the posting notice (docs/rules.md §12).

The posting notice's facts carry the answered questions (never the asker: only what
`projects.clarifications.public_clarifications` gives) and the attachments with their download links.
`on_posting_talk` re-publishes a published posting's notice when an answer or a file is added (the
subscribers' `on_posting` builds the facts, with `posting_facts` merged in); drafts and cancelled
postings are left alone.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

TALK_ACTIONS = ("projects.clarification_answered", "projects.attachment_added")


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def posting_facts(project) -> dict:
    """{"clarifications": [...], "attachments": [...]} for the notice (keys only when there is something)."""
    from projects.clarifications import public_clarifications

    facts = {}
    answered = [{"number": q["number"], "question": q["question"], "answer": q["answer"],
                 "answered_at": _when(q["answered_at"]), "revision": q["revision"]}
                for q in public_clarifications(project) if q["answered_at"]]
    if answered:
        facts["clarifications"] = answered
    files = []
    for a in project.attachments.all():
        try:
            url = reverse("projects:attachment", args=[project.code, a.pk])
        except NoReverseMatch:
            url = ""
        files.append({"name": a.name, "title": a.title, "size": a.size, "sha256": a.sha256, "url": url})
    if files:
        facts["attachments"] = files
    return facts


def on_posting_talk(entry) -> None:
    from cms.subscribers import _object, _project_of, on_posting

    project = _project_of(_object(entry))
    if project is None or project.published_at is None or project.status in ("draft", "cancelled"):
        return
    on_posting(entry)
