"""`GET /api/me/notifications`: the signed-in user's messages (session cookie, or one of the user's API keys in `X-API-Key`)."""

from __future__ import annotations

from ninja import Router, Schema
from ninja.security import django_auth

from marketplace import apikeys, inbox


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    url: str
    deadline: str | None
    created_at: str
    read: bool


class InboxOut(Schema):
    unread: int
    items: list[NotificationOut]


router = Router(tags=["me"])


@router.get("/notifications", auth=[django_auth, apikeys.UserKey()], response=InboxOut)
def my_notifications(request, unread: bool = False):
    """The current user's messages, newest first (at most 100): kind, title, body, url, deadline, created_at, read."""
    user = request.auth
    rows = inbox.inbox_rows(user, unread_only=unread)
    return {"unread": user.notifications.filter(read_at__isnull=True).count(),
            "items": [inbox.as_item(row) for row in rows]}
