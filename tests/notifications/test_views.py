"""The inbox, settings and subscription pages, the subscription feeds and GET /api/me/notifications:
what each refuses (anonymous, another user's rows, another user's subscription or feed token)."""

import datetime as dt
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from marketplace import subscriptions
from marketplace.models import AuditEntry, Notification, NotificationPreference, Subscription
from marketplace.notify import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DEADLINE = dt.datetime(2026, 3, 12, 17, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
API = "/api/me/notifications"


@pytest.fixture
def mine(owner_user):
    notify(key="v:1", recipients=owner_user, kind="red", title="我的消息", body="正文", url="/projects/",
           deadline=DEADLINE)
    return Notification.objects.get(key="v:1")


@pytest.fixture
def theirs(db):
    other = UserFactory()
    notify(key="v:2", recipients=other, kind="red", title="别人的消息", url="/x/")
    return Notification.objects.get(key="v:2")


def test_api_lists_only_the_current_users_messages_with_the_documented_fields(client, owner_user, mine, theirs):
    client.force_login(owner_user)
    data = client.get(API).json()
    assert data["unread"] == 1
    (item,) = data["items"]
    assert {"kind", "title", "body", "url", "deadline", "created_at", "read"} <= set(item)
    assert item["title"] == "我的消息" and item["kind"] == "red" and item["read"] is False
    assert dt.datetime.fromisoformat(item["deadline"]) == DEADLINE
    dt.datetime.fromisoformat(item["created_at"])


def test_api_refuses_anonymous_and_bad_keys(client, mine):
    assert client.get(API).status_code == 401
    assert client.get(API, headers={"X-API-Key": "zk_nope"}).status_code == 401


def test_api_accepts_the_users_api_key_until_it_is_revoked(client, owner_user, mine, theirs):
    from marketplace import apikeys

    row, key = apikeys.create_key(by=owner_user, name="inbox reader")
    items = client.get(API, headers={"X-API-Key": key}).json()["items"]
    assert [i["title"] for i in items] == ["我的消息"]
    apikeys.revoke_key(by=owner_user, key=row)
    assert client.get(API, headers={"X-API-Key": key}).status_code == 401


def test_inbox_shows_the_deadline_and_marks_one_read(client, owner_user, mine, theirs):
    assert client.get(reverse("notifications")).status_code == 302  # anonymous: to the login
    client.force_login(owner_user)
    html = client.get(reverse("notifications")).content.decode()
    assert "我的消息" in html and "2026-03-12 17:00" in html and "别人的消息" not in html
    response = client.post(reverse("notification_read", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == "/projects/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert "只看未读" in html


def test_marking_another_users_message_read_is_404_and_changes_nothing(client, owner_user, theirs):
    client.force_login(owner_user)
    assert client.post(reverse("notification_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get(reverse("notification_read", args=[theirs.pk])).status_code == 405


def test_settings_save_language_and_modes_and_refuse_bad_input(client, owner_user):
    assert client.get(reverse("notification_settings")).status_code == 302
    client.force_login(owner_user)
    page = client.get(reverse("notification_settings")).content.decode()
    assert 'name="mode_red"' in page and "已逾期" in page and ">red<" not in page  # labels, never codes
    client.post(reverse("notification_settings"), {"language": "en", "mode_red": "digest", "mode_yellow": "off"})
    assert dict(NotificationPreference.objects.filter(user=owner_user).values_list("kind", "mode")) == {
        "red": "digest", "yellow": "off"}
    assert owner_user.notification_profile.language == "en"
    bad = client.post(reverse("notification_settings"), {"language": "en", "mode_red": "sometimes"}, follow=True)
    assert "未知的通知类型或邮件方式" in bad.content.decode()
    assert NotificationPreference.objects.get(user=owner_user, kind="red").mode == "digest"


def test_subscriptions_page_creates_lists_and_cancels_only_ones_own(client, owner_user):
    assert client.get(reverse("subscriptions")).status_code == 302
    client.force_login(owner_user)
    client.post(reverse("subscriptions"), {"name": "测绘", "service_types": ["ZR01"], "regions": ["330400"]})
    sub = Subscription.objects.get(user=owner_user)
    assert AuditEntry.objects.filter(action="marketplace.subscribed", object_id=str(sub.pk)).exists()
    html = client.get(reverse("subscriptions")).content.decode()
    assert sub.token in html
    other = UserFactory()
    theirs = subscriptions.subscribe(by=other, name="别人的", service_types=[], regions=[])
    assert client.post(reverse("subscription_delete", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.active
    bad = client.post(reverse("subscriptions"), {"name": "", "service_types": ["NOPE"]}, follow=True)
    assert "订阅名称" in bad.content.decode() and Subscription.objects.filter(user=owner_user).count() == 1
    client.post(reverse("subscription_delete", args=[sub.pk]))
    sub.refresh_from_db()
    assert not sub.active


def test_subscription_feed_needs_its_secret_token_and_shows_only_that_subscription(client, owner_user):
    sub = subscriptions.subscribe(by=owner_user, name="测绘", service_types=["ZR01"], regions=[])
    other = subscriptions.subscribe(by=UserFactory(), name="别人的", service_types=[], regions=[])
    notify(key="f:1", recipients=owner_user, kind="red", title="订阅<b>命中</b>", url="/projects/A/",
           subscription=sub)
    notify(key="f:2", recipients=other.user, kind="red", title="别人的命中", url="/projects/B/",
           subscription=other)
    notify(key="f:3", recipients=owner_user, kind="red", title="普通消息")
    for name in ("subscription_rss", "subscription_atom"):
        body = client.get(reverse(name, args=[sub.token])).content
        root = ElementTree.fromstring(body)
        titles = [el.text for el in root.iter() if el.tag.split("}")[-1] == "title"]
        assert "订阅<b>命中</b>" in titles and "别人的命中" not in titles and "普通消息" not in titles
        assert b"<b>" not in body  # the markup is escaped in the XML
        assert client.get(reverse(name, args=["not-a-token"])).status_code == 404
    subscriptions.unsubscribe(by=owner_user, subscription=sub)
    assert client.get(reverse("subscription_rss", args=[sub.token])).status_code == 404
