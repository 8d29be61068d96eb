"""GET /api/ocds/releases and /api/ocds/records/{ocid}: paging, since, ETag, rate limits and API keys."""

import datetime as dt

import pytest
from django.core.cache import cache

from marketplace import apikeys
from marketplace.models import ApiKey
from opendata.releases import build_releases, public_entries
from opendata.validation import package_errors
from tests.factories import UserFactory
from tests.projects.factories import make_draft

pytestmark = pytest.mark.django_db
RELEASES = "/api/ocds/releases"


@pytest.fixture(autouse=True)
def _clear_throttles():
    cache.clear()


def _all_pages(client, url=RELEASES, **headers):
    out, pages = [], 0
    while url:
        response = client.get(url, **headers)
        assert response.status_code == 200, response.content
        package = response.json()
        assert package_errors(package, "release") == []
        out += package["releases"]
        pages += 1
        url = package.get("links", {}).get("next")
    return out, pages


def test_release_feed_pages_with_an_opaque_cursor_oldest_first(client, scenarios, settings):
    settings.OCDS_PAGE_SIZE = 7
    settings.API_RATE_ANONYMOUS = "1000/m"
    everything, pages = _all_pages(client)
    assert pages > 2
    # The audit chain's order (newest last), with no repeat and no gap across pages.
    assert [r["id"] for r in everything] == [r["id"] for r in build_releases(public_entries())]
    assert len(everything) == len({r["id"] for r in everything}) >= 25
    first = client.get(RELEASES)
    assert 'rel="next"' in first["Link"]
    cursor = first.json()["links"]["next"].split("cursor=")[1]
    assert "after" not in cursor  # opaque


def test_since_filters_by_release_date(client, scenarios):
    since = dt.datetime(2026, 4, 8, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    response = client.get(RELEASES, {"since": since.isoformat()})
    releases = response.json()["releases"]
    assert releases and all(dt.datetime.fromisoformat(r["date"]) >= since for r in releases)
    assert len(releases) < len(client.get(RELEASES).json()["releases"])


def test_a_bad_cursor_is_refused_clearly(client, scenarios):
    response = client.get(RELEASES, {"cursor": "not-a-cursor!"})
    assert response.status_code == 400
    assert "游标无效" in response.json()["detail"] and "invalid cursor" in response.json()["detail"]


def test_record_package_for_each_posting_and_404_for_drafts_and_unknowns(client, scenarios, owner_user, owner_org):
    for project in scenarios.values():
        response = client.get(f"/api/ocds/records/ocds-zjcs00-{project.code}")
        assert response.status_code == 200
        package = response.json()
        assert package_errors(package, "record") == []
        assert package["records"][0]["ocid"] == f"ocds-zjcs00-{project.code}"
    draft = make_draft(owner_user, owner_org)
    assert client.get(f"/api/ocds/records/ocds-zjcs00-{draft.code}").status_code == 404
    assert client.get("/api/ocds/records/ocds-other-PH-2026-0001").status_code == 404
    assert client.get("/api/ocds/records/nonsense").status_code == 404


def test_etag_and_if_none_match(client, scenarios):
    code = scenarios["delivered"].code
    for url in (RELEASES, f"/api/ocds/records/ocds-zjcs00-{code}"):
        first = client.get(url)
        etag = first["ETag"]
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
        assert client.get(url, HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_anonymous_rate_limit_answers_429_with_retry_after(client, settings, db):
    settings.API_RATE_ANONYMOUS = "2/m"
    assert client.get(RELEASES).status_code == 200
    assert client.get(RELEASES).status_code == 200
    assert client.get(RELEASES, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429  # a forged header is no escape
    refused = client.get(RELEASES)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "请求过于频繁" in refused.json()["detail"]


def test_keyed_requests_have_their_own_limit_and_a_revoked_key_is_refused(client, settings, db):
    settings.API_RATE_ANONYMOUS = "1/m"
    settings.API_RATE_KEYED = "3/m"
    user = UserFactory()
    row, key = apikeys.create_key(by=user, name="分析脚本")
    assert client.get(RELEASES).status_code == 200
    assert client.get(RELEASES).status_code == 429          # anonymous limit reached
    for _ in range(3):
        assert client.get(RELEASES, HTTP_X_API_KEY=key).status_code == 200  # the key has its own budget
    assert client.get(RELEASES, HTTP_X_API_KEY=key).status_code == 429
    row.refresh_from_db()
    assert row.last_used_at is not None
    cache.clear()
    apikeys.revoke_key(by=user, key=row)
    assert client.get(RELEASES, HTTP_X_API_KEY=key).status_code == 401
    assert client.get(RELEASES, HTTP_X_API_KEY="zk_made-up").status_code == 401


def test_only_the_hash_of_a_key_is_stored(db):
    user = UserFactory()
    row, key = apikeys.create_key(by=user, name="k")
    stored = ApiKey.objects.get(pk=row.pk)
    assert key not in (stored.digest, stored.prefix, stored.name)
    assert stored.digest == apikeys.digest(key) and key.startswith(stored.prefix)


def test_openapi_documents_the_key_the_limits_and_not_modified(client):
    schema = client.get("/api/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert any(s["type"] == "apiKey" and s["name"] == "X-API-Key" and s["in"] == "header" for s in schemes.values())
    for path in ("/api/ocds/releases", "/api/ocds/records/{ocid}"):
        operation = schema["paths"][path]["get"]
        assert {"200", "304", "429"} <= set(operation["responses"])
        assert operation["security"]
