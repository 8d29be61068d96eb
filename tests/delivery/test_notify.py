"""The notification outbox: exactly once per (key, recipient), email only after commit."""

import pytest
from django.core import mail
from django.db import transaction

from marketplace.models import Notification
from marketplace.notify import notify
from tests.factories import UserFactory, member_of

pytestmark = pytest.mark.django_db


def test_same_key_creates_one_row_and_one_mail(owner_org, owner_user, django_capture_on_commit_callbacks):
    colleague = member_of(owner_org)
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(key="k:1", recipients=owner_org, kind="yellow", title="预警", body="b", url="/jobs/1/")
    with django_capture_on_commit_callbacks(execute=True):
        again = notify(key="k:1", recipients=[owner_org, owner_user], kind="yellow", title="预警")
    assert {n.recipient for n in first} == {owner_user, colleague}
    assert again == []
    assert Notification.objects.filter(key="k:1").count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([owner_user.email, colleague.email])
    assert "/jobs/1/" in mail.outbox[0].body
    assert not Notification.objects.filter(key="k:1", emailed_at__isnull=True).exists()


def test_users_and_organisations_are_deduplicated(owner_org, owner_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(key="k:2", recipients=[owner_user, owner_org, owner_user], kind="red", title="逾期")
    assert len(rows) == 1 and len(mail.outbox) == 1


def test_nothing_is_mailed_before_commit_or_after_rollback(owner_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        try:
            with transaction.atomic():
                notify(key="k:3", recipients=owner_user, kind="pause", title="补正")
                raise RuntimeError("the surrounding write fails")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not Notification.objects.filter(key="k:3").exists()
    assert mail.outbox == []


def test_a_failed_mail_keeps_the_row_unmailed_for_retry(owner_user, django_capture_on_commit_callbacks, monkeypatch):
    import marketplace.notify as notify_module

    def broken(**kwargs):
        raise OSError("smtp down")

    monkeypatch.setattr(notify_module, "send_mail", broken)
    with django_capture_on_commit_callbacks(execute=True):
        notify(key="k:4", recipients=owner_user, kind="red", title="逾期")
    row = Notification.objects.get(key="k:4")
    assert row.emailed_at is None
    monkeypatch.undo()
    assert notify_module.send_emails([row.pk]) == 1
    assert notify_module.send_emails([row.pk]) == 0  # claimed: never twice
    assert len(mail.outbox) == 1


def test_unknown_kind_refused(owner_user):
    with pytest.raises(ValueError):
        notify(key="k:5", recipients=owner_user, kind="spam", title="x")


def test_inactive_members_are_skipped(owner_org, owner_user):
    gone = member_of(owner_org)
    gone.is_active = False
    gone.save()
    rows = notify(key="k:6", recipients=owner_org, kind="red", title="逾期")
    assert [r.recipient for r in rows] == [owner_user]


def test_inbox_page_lists_notifications(client, owner_user):
    notify(key="k:7", recipients=owner_user, kind="yellow", title="服务期限预警测试", url="/jobs/9/")
    other = UserFactory()
    notify(key="k:7", recipients=other, kind="yellow", title="别人的消息")
    client.force_login(owner_user)
    html = client.get("/notifications/").content.decode()
    assert "服务期限预警测试" in html and "别人的消息" not in html
    client.post("/notifications/")
    assert not Notification.objects.filter(recipient=owner_user, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).exists()
