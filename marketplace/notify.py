"""Notifications: the in-app inbox and email, each sent exactly once.

`notify(key=..., recipients=...)` writes one `Notification` row per (key, recipient); the unique
constraint makes every later call with the same key a no-op, however often a sweep runs. Email goes
out only after the surrounding transaction commits, and a row is claimed (emailed_at set) before its
mail is sent, so two concurrent senders never mail the same row twice.

Periodic work (deadline sweeps) registers in `marketplace.periodic`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

KINDS = {
    "yellow": "期限预警 / deadline warning",
    "red": "已逾期 / overdue",
    "pause": "补正暂停 / clock paused",
    "resume": "恢复计时 / clock resumed",
    "extension": "延期 / extension",
    "deliverable_submitted": "成果已提交 / deliverable submitted",
    "deliverable_returned": "成果被退回 / deliverable returned",
    "deliverable_accepted": "成果已验收 / deliverable accepted",
    "rating_due": "待评价 / rating due",
    "owner_overdue": "业主逾期 / owner overdue",
    "service_started": "服务开始 / service started",
    "review_recorded": "报告复审结论 / report review recorded",
    "complaint_filed": "新投诉 / complaint filed",
}


def _users(recipients) -> list:
    """Users from users and organisations (an organisation means all its members), deduplicated."""
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
    return [users[k] for k in sorted(users)]


def notify(*, key: str, recipients, kind: str, title: str, body: str = "", url: str = "") -> list:
    """Create the inbox rows for `key` that do not exist yet and email them after commit.

    Returns the rows created by this call (empty when every recipient already had this key).
    """
    from marketplace.models import Notification

    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    created = []
    with transaction.atomic():
        for user in _users(recipients):
            try:
                with transaction.atomic():
                    row, new = Notification.objects.get_or_create(
                        key=key, recipient=user, defaults={"kind": kind, "title": title[:200], "body": body, "url": url})
            except IntegrityError:  # a concurrent sender created it between our get and create
                continue
            if new:
                created.append(row)
        if created:
            ids = [row.pk for row in created]
            transaction.on_commit(lambda: send_emails(ids))
    return created


def send_emails(ids: Iterable[int]) -> int:
    """Email each row that has not been emailed yet; returns how many mails went out."""
    from marketplace.models import Notification

    sent = 0
    for row in Notification.objects.filter(pk__in=list(ids), emailed_at__isnull=True).select_related("recipient"):
        # Claim the row first: only the caller whose update touched it sends the mail.
        if not Notification.objects.filter(pk=row.pk, emailed_at__isnull=True).update(emailed_at=timezone.now()):
            continue
        if not row.recipient.email:
            continue
        link = f"\n\n{settings.SITE_URL.rstrip('/')}{row.url}" if row.url else ""
        try:
            send_mail(subject=f"[中介超市] {row.title}", message=f"{row.body}{link}",
                      from_email=None, recipient_list=[row.recipient.email])
            sent += 1
        except Exception:  # the inbox row stands; a failed mail is retried by resend_unsent()
            logger.exception("notification mail %s failed", row.pk)
            Notification.objects.filter(pk=row.pk).update(emailed_at=None)
    return sent


def resend_unsent(*, now: dt.datetime, older_than: dt.timedelta = dt.timedelta(minutes=5)) -> int:
    """Retry mails whose first attempt failed (rows still without emailed_at)."""
    from marketplace.models import Notification

    cutoff = now - older_than
    ids = list(Notification.objects.filter(emailed_at__isnull=True, created_at__lt=cutoff).values_list("pk", flat=True))
    return send_emails(ids)


def mark_all_read(*, user, now: dt.datetime) -> int:
    """Mark every unread notification of `user` as read; returns how many changed."""
    return user.notifications.filter(read_at__isnull=True).update(read_at=now)
