"""`GET /api/me/notifications`: the signed-in user's messages (session cookie, or a personal API token)."""

from __future__ import annotations

from ninja import Router, Schema
from ninja.security import HttpBearer, django_auth

from marketplace import inbox


class PersonalToken(HttpBearer):
    """`Authorization: Bearer <token>` with the token issued on the notification settings page."""

    def authenticate(self, request, token):
        user = inbox.user_for_token(token)
        if user is not None:
            request.user = user
        return user


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


@router.get("/notifications", auth=[django_auth, PersonalToken()], response=InboxOut)
def my_notifications(request, unread: bool = False):
    """The current user's messages, newest first (at most 100): kind, title, body, url, deadline, created_at, read."""
    user = request.auth
    rows = inbox.inbox_rows(user, unread_only=unread)
    return {"unread": user.notifications.filter(read_at__isnull=True).count(),
            "items": [inbox.as_item(row) for row in rows]}
