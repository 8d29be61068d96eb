"""The mail outbox: exactly once per row whatever runs twice or at once, retries with a growing delay,
a dead-letter state, the daily digest, preferences and the recipient's language."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection

import marketplace.notify as notify_module
from marketplace import periodic
from marketplace.models import Notification, NotificationPreference, NotificationProfile
from marketplace.notify import MAX_ATTEMPTS, notify, resend_unsent, send_digests, send_emails
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _broken(**kwargs):
    raise OSError("smtp down")


def test_sweep_and_sender_twice_send_nothing_twice(owner_user, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(notify_module, "send_mail", _broken)
    with django_capture_on_commit_callbacks(execute=True):
        notify(key="x:1", recipients=owner_user, kind="red", title="逾期", now=T0)
    monkeypatch.undo()
    row = Notification.objects.get(key="x:1")
    assert row.mail == Notification.Mail.PENDING and row.mail_attempts == 1 and mail.outbox == []
    later = T0 + dt.timedelta(hours=1)
    assert periodic.run(now=later, only=["marketplace.resend_mail"]) == {"marketplace.resend_mail": 1}
    assert periodic.run(now=later, only=["marketplace.resend_mail"]) == {"marketplace.resend_mail": 0}
    assert send_emails([row.pk]) == 0
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.mail == Notification.Mail.SENT and row.emailed_at == later


def test_failing_mail_is_retried_with_a_growing_delay_then_parked_as_dead(owner_user, monkeypatch,
                                                                         django_capture_on_commit_callbacks):
    monkeypatch.setattr(notify_module, "send_mail", _broken)
    with django_capture_on_commit_callbacks(execute=True):
        notify(key="x:2", recipients=owner_user, kind="red", title="逾期", now=T0)
    row = Notification.objects.get(key="x:2")
    assert row.next_attempt_at == T0 + notify_module.RETRY_AFTER or row.next_attempt_at > T0
    assert resend_unsent(now=T0 + dt.timedelta(minutes=1)) == 0  # not due yet: nothing tried
    assert Notification.objects.get(pk=row.pk).mail_attempts == 1
    now = T0
    for _ in range(MAX_ATTEMPTS - 1):
        now += dt.timedelta(days=1)
        resend_unsent(now=now)
    row.refresh_from_db()
    assert row.mail == Notification.Mail.DEAD and row.mail_attempts == MAX_ATTEMPTS
    assert "smtp down" in row.mail_error
    monkeypatch.undo()
    assert resend_unsent(now=now + dt.timedelta(days=30)) == 0  # a dead letter is never retried by itself
    assert list(notify_module.dead_letters()) == [row]


def test_mail_off_and_digest_preferences(owner_user, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=owner_user, kind="yellow", mode="off")
    NotificationPreference.objects.create(user=owner_user, kind="red", mode="digest")
    with django_capture_on_commit_callbacks(execute=True):
        notify(key="x:3", recipients=owner_user, kind="yellow", title="预警一", now=T0)
        notify(key="x:4", recipients=owner_user, kind="red", title="逾期一", now=T0)
        notify(key="x:5", recipients=owner_user, kind="red", title="逾期二", now=T0)
        notify(key="x:6", recipients=owner_user, kind="pause", title="补正", now=T0)
    assert [m.subject for m in mail.outbox] == ["[中介超市] 补正"]
    assert owner_user.notifications.count() == 4  # the inbox has everything
    same_day = T0.replace(hour=20)
    assert send_digests(now=same_day) == 0  # today's messages wait for tomorrow's digest
    next_morning = T0 + dt.timedelta(days=1)
    assert send_digests(now=next_morning.replace(hour=7)) == 0  # before 08:00
    assert send_digests(now=next_morning) == 1
    assert send_digests(now=next_morning) == 0
    digest = mail.outbox[-1]
    assert "逾期一" in digest.body and "逾期二" in digest.body and "预警一" not in digest.body
    assert Notification.objects.get(key="x:3").mail == Notification.Mail.SKIPPED


def test_messages_are_written_in_the_recipients_language(owner_user, owner_org, django_capture_on_commit_callbacks):
    from tests.factories import member_of

    english = member_of(owner_org)
    NotificationProfile.objects.create(user=english, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        notify(key="x:7", recipients=owner_org, kind="red", title="收到质疑：%(code)s",
               body="项目 %(code)s「%(title)s」的结果收到质疑，答复期限 %(deadline)s，答复前合同签订暂停。",
               params={"code": "PH-1", "title": "测绘"}, deadline=T0)
    zh = Notification.objects.get(key="x:7", recipient=owner_user)
    en = Notification.objects.get(key="x:7", recipient=english)
    assert zh.title == "收到质疑：PH-1" and "2026-03-10 09:00" in zh.body
    assert en.title == "Objection filed: PH-1" and "must be answered by 2026-03-10 09:00" in en.body
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[english.email] == "[Intermediary Services Marketplace] Objection filed: PH-1"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_senders_mail_each_row_once():
    users = [UserFactory() for _ in range(20)]
    for user in users:
        Notification.objects.create(key="c:1", recipient=user, kind="red", title="逾期", created_at=T0,
                                    mail=Notification.Mail.PENDING)
    ids = list(Notification.objects.values_list("pk", flat=True))
    barrier, results = threading.Barrier(2), []

    def run(fn):
        try:
            barrier.wait()
            results.append(fn())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(lambda: send_emails(ids),)),
               threading.Thread(target=run, args=(lambda: resend_unsent(now=T0 + dt.timedelta(hours=1)),))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results) == 20
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert not Notification.objects.exclude(mail=Notification.Mail.SENT).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_digest_runs_mail_each_user_once():
    users = [UserFactory() for _ in range(6)]
    for user in users:
        for n in range(3):
            Notification.objects.create(key=f"d:{n}", recipient=user, kind="red", title=f"逾期{n}", created_at=T0,
                                        mail=Notification.Mail.DIGEST)
    barrier, results = threading.Barrier(2), []

    def run():
        try:
            barrier.wait()
            results.append(send_digests(now=T0 + dt.timedelta(days=1)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Each row went into exactly one digest mail; no row is in two mails.
    bodies = [m.body for m in mail.outbox]
    for user in users:
        for n in range(3):
            assert sum(f"逾期{n}" in b for b, m in zip(bodies, mail.outbox, strict=True) if m.to == [user.email]) == 1
    assert sum(results) == len(mail.outbox)
    assert not Notification.objects.exclude(mail=Notification.Mail.SENT).exists()
