"""The one write path for marketplace-driven notices: publish (create or revise) and withdraw.

Every change goes through Wagtail revisions (`save_revision(...).publish()`), so the admin history
shows who/what changed a notice and when. A notice is identified by its source key
(kind + object type + object id): replaying an event finds the same page and, when nothing changed,
does nothing. Withdrawing keeps the page (editors see "已撤回" and the reason) but unpublishes it, so
the public lists, feeds and sitemap drop it.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from cms.facts import marketplace_write
from cms.models import NoticeIndexPage, NoticeKind, NoticePage
from marketplace.audit import normalise

logger = logging.getLogger(__name__)

WITHDRAWN_ACTION = "cms.notice_withdrawn"


class NoticeTreeMissing(RuntimeError):
    pass


def source_key(kind: str, object_type: str, object_id) -> str:
    return f"{kind}:{object_type}:{object_id}"


def index_for(kind: str) -> NoticeIndexPage:
    index = NoticeIndexPage.objects.filter(kind=kind).first()
    if index is None:
        from cms.tree import ensure_page_tree

        ensure_page_tree()
        index = NoticeIndexPage.objects.filter(kind=kind).first()
    if index is None:  # pragma: no cover - ensure_page_tree always creates every kind
        raise NoticeTreeMissing(kind)
    return index


def _already_applied(page: NoticePage, entry_id: int | None) -> bool:
    return bool(entry_id and page.source_entry_id and entry_id <= page.source_entry_id)


def _editorial(page) -> tuple:
    attachments = tuple((a.document_id, a.title) for a in page.attachments.all())
    return (page.editor_note, page.body.get_prep_value() if page.body else [], attachments, page.slug,
            page.seo_title, page.search_description)


def editor_draft(page: NoticePage) -> NoticePage | None:
    """The latest revision when it holds editorial changes that are not live (an unpublished draft)."""
    if not page.latest_revision_id or page.latest_revision_id == page.live_revision_id:
        return None
    latest = page.get_latest_revision_as_object()
    return latest if _editorial(latest) != _editorial(page) else None


@transaction.atomic
def publish_notice(*, kind: str, object_type: str, object_id, source_action: str, title: str, facts: dict,
                   region_id: str | None = None, service_type_id: str | None = None, method: str = "",
                   published_on: dt.date | None = None, by=None, entry_id: int | None = None) -> NoticePage:
    """Create or revise the notice for one marketplace object and publish it through a revision.

    Idempotent: when the live notice already carries these facts, or `entry_id` (the audit entry
    being applied) is not newer than the last one applied, nothing is written.
    """
    kind = NoticeKind(kind).value
    key = source_key(kind, object_type, object_id)
    facts = normalise(facts)
    title = title[:255]
    page = NoticePage.objects.select_for_update().filter(source_key=key).first()
    parent = None
    if page is None:
        # Lock the index page: serialises sibling creation (treebeard computes the next path from the
        # last child) and makes a concurrent replay of the same event wait, then find the notice.
        parent = NoticeIndexPage.objects.select_for_update().get(pk=index_for(kind).pk)
        page = NoticePage.objects.select_for_update().filter(source_key=key).first()
    if page is not None and _already_applied(page, entry_id):
        return page
    values = {
        "title": title, "draft_title": title, "kind": kind, "region_id": region_id,
        "service_type_id": service_type_id, "selection_method": method or "",
        "object_type": object_type, "object_id": str(object_id), "facts": facts,
    }
    draft = None
    with marketplace_write():
        if page is None:
            page = NoticePage(slug=f"{object_type.rsplit('.', 1)[-1]}-{object_id}", source_key=key,
                              source_action=source_action, source_entry_id=entry_id, live=False,
                              published_on=published_on or timezone.localdate(), **values)
            parent.add_child(instance=page)
        else:
            unchanged = all(getattr(page, name) == value for name, value in values.items())
            if unchanged and page.live and not page.withdrawn_at:
                return page
            # An editor's unpublished draft (say, a half-written note) must neither go public with the
            # new facts nor be lost: publish from the live content, then re-save the draft on top.
            draft = editor_draft(page)
            for name, value in values.items():
                setattr(page, name, value)
            page.source_action = source_action
            page.source_entry_id = entry_id or page.source_entry_id
            if page.withdrawn_at:  # the event happened again after an undo: republish
                page.withdrawn_at = None
                page.withdrawn_reason = ""
                if published_on:
                    page.published_on = published_on
        revision = page.save_revision(user=by, log_action=True)
        revision.publish(user=by, skip_permission_checks=True)
        if draft is not None:
            for name, value in values.items():
                setattr(draft, name, value)
            draft.source_action, draft.source_entry_id = source_action, page.source_entry_id
            draft.withdrawn_at, draft.withdrawn_reason = page.withdrawn_at, page.withdrawn_reason
            draft.save_revision(user=by)
    page.refresh_from_db()
    return page


@transaction.atomic
def withdraw_notice(*, kind: str, object_type: str, object_id, reason: str, source_action: str = "",
                    by=None, now: dt.datetime | None = None, entry_id: int | None = None) -> NoticePage | None:
    """Unpublish the notice for one marketplace object, recording when and why; keep the page.

    Returns None when there is no such notice (nothing to undo); idempotent when already withdrawn
    or when `entry_id` is not newer than the last audit entry applied.
    """
    key = source_key(NoticeKind(kind).value, object_type, object_id)
    page = NoticePage.objects.select_for_update().filter(source_key=key).first()
    if page is None or page.withdrawn_at or _already_applied(page, entry_id):
        return page
    reason = reason or _("交易事项已撤销")
    # Whole seconds: revisions serialise datetimes to milliseconds, and the facts guard compares the
    # revision an editor opens with the stored row.
    withdrawn = {"withdrawn_at": (now or timezone.now()).replace(microsecond=0), "withdrawn_reason": reason,
                 "source_action": source_action or page.source_action,
                 "source_entry_id": entry_id or page.source_entry_id}
    with marketplace_write():
        # 1. the row (live content) records the withdrawal;
        for name, value in withdrawn.items():
            setattr(page, name, value)
        page.save(update_fields=list(withdrawn))
        # 2. so does the latest revision (an editor's draft stays a draft, now marked withdrawn);
        latest = page.get_latest_revision_as_object() if page.latest_revision_id else page
        for name, value in withdrawn.items():
            setattr(latest, name, value)
        latest.save_revision(user=by, log_action=False)
        # 3. then the page leaves the public site.
        page.refresh_from_db()
        if page.live:
            page.unpublish(user=by, log_action=True)
    log(instance=page, action=WITHDRAWN_ACTION, user=by, data={"reason": reason})
    return page
