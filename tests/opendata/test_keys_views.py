"""API key pages: only a signed-in user, only their own keys; the key is shown once."""

import pytest

from marketplace.models import ApiKey, AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client):
    for response in (client.get("/opendata/keys/"), client.post("/opendata/keys/", {"name": "x"}),
                     client.post("/opendata/keys/1/revoke/")):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not ApiKey.objects.exists()


def test_create_shows_the_key_once_and_revoke(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/opendata/keys/", {"name": "月度分析"})
    assert response.status_code == 200
    key = response.context["created"]
    assert key.startswith("zk_") and key in response.content.decode()
    assert key not in client.get("/opendata/keys/").content.decode()  # never shown again
    row = ApiKey.objects.get(user=user)
    assert AuditEntry.objects.filter(action="marketplace.api_key_created", object_id=str(row.pk)).exists()
    assert client.post(f"/opendata/keys/{row.pk}/revoke/").status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert AuditEntry.objects.filter(action="marketplace.api_key_revoked").count() == 1
    client.post(f"/opendata/keys/{row.pk}/revoke/")  # twice: nothing more happens
    assert AuditEntry.objects.filter(action="marketplace.api_key_revoked").count() == 1


def test_a_user_cannot_revoke_or_see_another_users_key(client):
    owner, other = UserFactory(), UserFactory()
    client.force_login(owner)
    client.post("/opendata/keys/", {"name": "mine"})
    row = ApiKey.objects.get(user=owner)
    client.force_login(other)
    assert "mine" not in client.get("/opendata/keys/").content.decode()
    assert client.post(f"/opendata/keys/{row.pk}/revoke/").status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None


def test_a_key_without_a_name_is_refused_and_nothing_is_stored(client):
    client.force_login(UserFactory())
    response = client.post("/opendata/keys/", {"name": "  "})
    assert response.status_code == 400
    assert "请填写" in response.content.decode()
    assert not ApiKey.objects.exists()
