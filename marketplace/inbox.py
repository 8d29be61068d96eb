"""The signed-in user's side of notifications: reading the inbox, mail preferences, language.

Reads (`inbox_rows`, `unread_count`) and writes (`set_preferences`) for the inbox page, the settings
page and `GET /api/me/notifications` (which programs read with one of the user's API keys,
`marketplace.apikeys`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from marketplace import audit, notify

INBOX_SIZE = 100


def inbox_rows(user, *, unread_only: bool = False, limit: int = INBOX_SIZE) -> list:
    qs = user.notifications.all()
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return list(qs.order_by("-created_at", "-id")[:limit])


def as_item(row) -> dict:
    """The public shape of one notification (the API's and the inbox's)."""
    return {"id": row.pk, "kind": row.kind, "kind_label": notify.kind_label(row.kind), "title": row.title,
            "body": row.body, "url": row.url,
            "deadline": timezone.localtime(row.deadline).isoformat() if row.deadline else None,
            "created_at": timezone.localtime(row.created_at).isoformat(), "read": row.read_at is not None}


def preferences_of(user) -> dict[str, str]:
    """kind → mail mode for every known kind (no row: instant)."""
    from marketplace.models import NotificationPreference

    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "mode"))
    return {kind: chosen.get(kind, NotificationPreference.Mode.INSTANT) for kind in notify.KINDS}


@transaction.atomic
def set_preferences(*, by, language: str, modes: dict[str, str], now: dt.datetime | None = None) -> None:
    """Store `by`'s message language and mail mode per kind; an unknown kind, mode or language changes nothing."""
    from marketplace.models import NotificationPreference, NotificationProfile

    if language not in dict(settings.LANGUAGES):
        raise ValidationError("不支持的语言 / unsupported language")
    allowed = set(NotificationPreference.Mode.values)
    bad = [k for k, m in modes.items() if k not in notify.KINDS or m not in allowed]
    if bad:
        raise ValidationError("未知的通知类型或邮件方式 / unknown notification kind or mail mode")
    NotificationProfile.objects.update_or_create(user=by, defaults={"language": language})
    for kind, mode in modes.items():
        NotificationPreference.objects.update_or_create(user=by, kind=kind, defaults={"mode": mode})
    audit.record(action="marketplace.notification_settings_changed", by=by, obj=by, now=now or timezone.now(),
                 data={"language": language, "modes": dict(sorted(modes.items()))})

