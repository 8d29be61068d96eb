"""Notifications: the in-app inbox and its mail outbox, each message delivered exactly once.

`notify(key=..., recipients=...)` writes one `Notification` row per (key, recipient); the unique
constraint makes every later call with the same key a no-op, however often a sweep or a replay runs.
Each row is also the outbox entry of its mail: `pending` rows are mailed after the surrounding
transaction commits, `digest` rows go out in the recipient's daily digest, and a sender *claims* rows
(one conditional UPDATE) before it mails them, so two concurrent senders never mail a row twice. A
failed mail is retried with a growing delay and, after `MAX_ATTEMPTS`, parked as `dead`.

Title and body are rendered in the recipient's language (`NotificationProfile.language`, else
Simplified Chinese) when `params` is given: they are then Chinese msgids formatted with `params`.
The declared, event-driven notifications are in `marketplace.notify_registry`.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_AFTER = dt.timedelta(minutes=5)
DIGEST_HOUR = 8  # local time after which yesterday's digest goes out

KINDS = {
    "yellow": gettext_lazy("期限预警"),
    "red": gettext_lazy("已逾期"),
    "pause": gettext_lazy("补正暂停"),
    "resume": gettext_lazy("恢复计时"),
    "extension": gettext_lazy("延期"),
    "deliverable_submitted": gettext_lazy("成果已提交"),
    "deliverable_returned": gettext_lazy("成果被退回"),
    "deliverable_accepted": gettext_lazy("成果已验收"),
    "rating_due": gettext_lazy("待评价"),
    "owner_overdue": gettext_lazy("业主逾期"),
    "service_started": gettext_lazy("服务开始"),
    "review_recorded": gettext_lazy("报告复审结论"),
    "complaint_filed": gettext_lazy("新投诉"),
}


def register_kind(kind: str, label) -> None:
    """Add a notification kind (with its Chinese label, a lazy msgid) that preferences can address."""
    existing = KINDS.get(kind)
    if existing is not None and str(existing) != str(label):
        raise ValueError(f"notification kind {kind!r} is registered twice with different labels")
    KINDS[kind] = label


def kind_label(kind: str) -> str:
    """The kind's label in the active language (labels are lazy or plain Chinese msgids)."""
    return gettext(str(KINDS.get(kind, kind)))


def recipients_of(recipients) -> list:
    """Users from users and organisations (an organisation means all its active members), deduplicated."""
    from marketplace.models import Organisation, User

    if isinstance(recipients, User | Organisation):
        recipients = [recipients]
    users, org_ids = {}, []
    for r in recipients:
        if r is None:
            continue
        if isinstance(r, Organisation):
            org_ids.append(r.pk)
        else:
            users[r.pk] = r
    if org_ids:
        for u in User.objects.filter(memberships__organisation_id__in=org_ids, is_active=True).distinct():
            users.setdefault(u.pk, u)
    return [users[k] for k in sorted(users) if users[k].is_active]


def language_of(user) -> str:
    from marketplace.models import NotificationProfile

    lang = NotificationProfile.objects.filter(user=user).values_list("language", flat=True).first()
    return lang or settings.LANGUAGE_CODE


def format_deadline(deadline: dt.datetime | None) -> str:
    if deadline is None:
        return ""
    return timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")


def as_deadline(value) -> dt.datetime | None:
    """A rule's due date (the end of that day) or moment, as an aware datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(dt.datetime.combine(value, dt.time(23, 59)))


class Text(str):
    """A template value that is itself a msgid (an outcome, a label), translated when the message is rendered."""


def label(value) -> Text:
    """A choice label (a lazy Chinese msgid) as a template value, translated for each recipient."""
    with translation.override(settings.LANGUAGE_CODE):
        return Text(str(value))


def render(template: str, params: dict | None, language: str) -> str:
    """The msgid `template` in `language`, formatted with `params` (None: the text as given)."""
    if params is None:
        return template
    with translation.override(language):
        values = {k: gettext(v) if isinstance(v, Text) else v for k, v in params.items()}
        return gettext(template) % values


def _mail_state(user, kind: str) -> str:
    from marketplace.models import Notification, NotificationPreference

    if not user.email:
        return Notification.Mail.SKIPPED
    mode = NotificationPreference.objects.filter(user=user, kind=kind).values_list("mode", flat=True).first()
    return {"digest": Notification.Mail.DIGEST, "off": Notification.Mail.SKIPPED}.get(mode, Notification.Mail.PENDING)


def notify(*, key: str, recipients, kind: str, title: str, body: str = "", url: str = "",
           deadline: dt.datetime | None = None, params: dict | None = None, now: dt.datetime | None = None,
           subscription=None) -> list:
    """Create the inbox rows for `key` that do not exist yet and mail the instant ones after commit.

    With `params`, `title` and `body` are msgids rendered per recipient (`%(deadline)s` is filled in
    from `deadline`). Returns the rows created by this call (empty when every recipient had this key).
    """
    from marketplace.models import Notification

    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if params is not None:
        params = {**params, "deadline": format_deadline(deadline)}
    created = []
    with transaction.atomic():
        for user in recipients_of(recipients):
            lang = language_of(user)
            defaults = {"kind": kind, "title": render(title, params, lang)[:200], "body": render(body, params, lang),
                        "url": url, "deadline": deadline, "created_at": now or timezone.now(),
                        "mail": _mail_state(user, kind), "subscription": subscription}
            try:
                with transaction.atomic():
                    row, new = Notification.objects.get_or_create(key=key, recipient=user, defaults=defaults)
            except IntegrityError:  # a concurrent sender created it between our get and create
                continue
            if new:
                created.append(row)
        ids = [row.pk for row in created if row.mail == Notification.Mail.PENDING]
        if ids:
            transaction.on_commit(lambda: send_emails(ids, now=now))
    return created


# ---- the outbox ---------------------------------------------------------------------------------


def _claim(ids: Iterable[int] | None, state: str, **filters) -> list:
    """Take the rows in `state` for this sender alone (one conditional UPDATE); returns the claimed rows."""
    from marketplace.models import Notification

    token = secrets.token_hex(16)
    qs = Notification.objects.filter(mail=state, **filters)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    Notification.objects.filter(pk__in=list(qs.values_list("pk", flat=True)), mail=state).update(
        mail=Notification.Mail.SENDING, mail_claim=token)
    return list(Notification.objects.filter(mail_claim=token, mail=Notification.Mail.SENDING)
                .select_related("recipient").order_by("created_at", "id"))


def _link(url: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{url}" if url else ""


def _deliver(rows: list, subject: str, message: str, to: str, now: dt.datetime) -> bool:
    """Send one mail for `rows` (already claimed); record success, or a retry / dead letter."""
    from marketplace.models import Notification

    pks = [r.pk for r in rows]
    try:
        send_mail(subject=subject, message=message, from_email=None, recipient_list=[to])
    except Exception as exc:  # the inbox rows stand; the mail is retried by resend_unsent()
        logger.exception("notification mail %s failed", pks)
        for row in rows:
            attempts = row.mail_attempts + 1
            dead = attempts >= MAX_ATTEMPTS
            Notification.objects.filter(pk=row.pk).update(
                mail=Notification.Mail.DEAD if dead else row.mail_origin, mail_claim="", mail_attempts=attempts,
                mail_error=f"{type(exc).__name__}: {exc}"[:2000],
                next_attempt_at=None if dead else now + RETRY_AFTER * (2 ** (attempts - 1)))
        return False
    Notification.objects.filter(pk__in=pks).update(mail=Notification.Mail.SENT, mail_claim="", emailed_at=now)
    return True


def send_emails(ids: Iterable[int], *, now: dt.datetime | None = None) -> int:
    """Mail each pending row among `ids` that no other sender has claimed; returns how many mails went out."""
    from marketplace.models import Notification

    now = now or timezone.now()
    sent = 0
    for row in _claim(ids, Notification.Mail.PENDING):
        row.mail_origin = Notification.Mail.PENDING
        with translation.override(language_of(row.recipient)):
            subject = f"[{gettext('中介超市')}] {row.title}"
        text = "\n\n".join(part for part in (row.body, _link(row.url)) if part)
        sent += _deliver([row], subject, text, row.recipient.email, now)
    return sent


def resend_unsent(*, now: dt.datetime, older_than: dt.timedelta = RETRY_AFTER) -> int:
    """Retry mails whose earlier attempt failed (and pending rows nobody sent), once their delay is over."""
    from django.db.models import Q

    from marketplace.models import Notification

    due = Notification.objects.filter(mail=Notification.Mail.PENDING).filter(
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lt=now - older_than))
    return send_emails(list(due.values_list("pk", flat=True)), now=now)


def send_digests(*, now: dt.datetime) -> int:
    """After DIGEST_HOUR, mail each user one digest of their digest rows from before today; returns mails sent."""
    from marketplace.models import Notification

    local = timezone.localtime(now)
    if local.hour < DIGEST_HOUR:
        return 0
    start_of_day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    due = Notification.objects.filter(mail=Notification.Mail.DIGEST, created_at__lt=start_of_day)
    by_user: dict = defaultdict(list)
    for row in _claim(list(due.values_list("pk", flat=True)), Notification.Mail.DIGEST):
        row.mail_origin = Notification.Mail.DIGEST
        by_user[row.recipient_id].append(row)
    sent = 0
    for rows in by_user.values():
        user = rows[0].recipient
        with translation.override(language_of(user)):
            subject = f"[{gettext('中介超市')}] {gettext('每日消息汇总')}（{len(rows)}）"
            parts = [f"{r.title}\n{r.body}\n{_link(r.url)}".strip() for r in rows]
        sent += _deliver(rows, subject, "\n\n---\n\n".join(parts), user.email, now)
    return sent


def dead_letters():
    from marketplace.models import Notification

    return Notification.objects.filter(mail=Notification.Mail.DEAD).select_related("recipient")


def mark_all_read(*, user, now: dt.datetime) -> int:
    """Mark every unread notification of `user` as read; returns how many changed."""
    return user.notifications.filter(read_at__isnull=True).update(read_at=now)


def mark_read(*, user, ids: Iterable[int], now: dt.datetime) -> int:
    """Mark the given notifications of `user` as read (other users' ids are ignored); returns how many changed."""
    return user.notifications.filter(pk__in=list(ids), read_at__isnull=True).update(read_at=now)
