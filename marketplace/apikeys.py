"""API keys and rate limits for heavy API consumers (docs/opendata.md).

A signed-in user creates keys (`create_key`: the key is returned once, only its SHA-256 is stored) and revokes
them (`revoke_key`). Routes that opt in take `auth=KEY_OR_ANONYMOUS` and `throttle=throttles()`: a request
without `X-API-Key` is anonymous and limited per IP address (`API_RATE_ANONYMOUS`); a valid key is limited per
key (`API_RATE_KEYED`); an unknown or revoked key is refused with 401. Over a limit: 429 with `Retry-After`
(django-ninja's throttling)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from ninja.errors import Throttled
from ninja.security import APIKeyHeader
from ninja.throttling import SimpleRateThrottle

from marketplace import audit
from marketplace.models import ApiKey

KEY_PREFIX = "zk_"
HEADER = "X-API-Key"
MAX_ACTIVE_KEYS = 10


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def create_key(*, by, name: str, now: dt.datetime | None = None) -> tuple[ApiKey, str]:
    """A new key for `by`; returns the row and the key, which is never shown again."""
    now = now or timezone.now()
    name = (name or "").strip()
    if by is None or not by.is_authenticated:
        raise PermissionDenied("请先登录 / sign in first")
    if not name or len(name) > 100:
        raise ValidationError("请填写 1–100 字的名称 / give the key a name of 1–100 characters")
    if ApiKey.objects.select_for_update().filter(user=by, revoked_at__isnull=True).count() >= MAX_ACTIVE_KEYS:
        raise ValidationError(f"最多 {MAX_ACTIVE_KEYS} 个有效密钥，请先撤销不用的密钥 / "
                              f"at most {MAX_ACTIVE_KEYS} active keys: revoke one first")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey.objects.create(user=by, name=name, prefix=key[:11], digest=digest(key), created_at=now)
    audit.record(action="marketplace.api_key_created", by=by, obj=row, now=now,
                 data={"prefix": row.prefix, "name": name})
    return row, key


@transaction.atomic
def revoke_key(*, by, key: ApiKey, now: dt.datetime | None = None) -> ApiKey:
    """Revoke one of `by`'s own keys; it is refused from the next request on."""
    now = now or timezone.now()
    row = ApiKey.objects.select_for_update().get(pk=key.pk)
    if by is None or row.user_id != by.pk:
        raise PermissionDenied("只能撤销自己的密钥 / you can revoke only your own keys")
    if row.revoked_at is not None:
        raise ValidationError("该密钥已撤销 / this key is already revoked")
    row.revoked_at = now
    row.save(update_fields=["revoked_at"])
    audit.record(action="marketplace.api_key_revoked", by=by, obj=row, now=now, data={"prefix": row.prefix})
    return row


class Anonymous:
    """`request.auth` of a request without a key (truthy, so django-ninja lets it through)."""

    def __str__(self) -> str:
        return "anonymous"


ANONYMOUS = Anonymous()


class KeyOrAnonymous(APIKeyHeader):
    """`X-API-Key` if given (then it must be valid and not revoked), otherwise anonymous."""

    param_name = HEADER

    def authenticate(self, request, key):
        if not key:
            return ANONYMOUS
        row = ApiKey.objects.filter(digest=digest(key), revoked_at__isnull=True).first()
        if row is None:
            return None
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=5):
            ApiKey.objects.filter(pk=row.pk).update(last_used_at=now)
        return row


KEY_OR_ANONYMOUS = KeyOrAnonymous()


class UserKey(APIKeyHeader):
    """`X-API-Key` required: the request acts as the key's (active) owner, e.g. `GET /api/me/notifications`."""

    param_name = HEADER

    def authenticate(self, request, key):
        row = KEY_OR_ANONYMOUS.authenticate(request, key) if key else None
        if not isinstance(row, ApiKey) or not row.user.is_active:
            return None
        request.user = row.user
        return row.user


class _SettingRateThrottle(SimpleRateThrottle):
    setting = ""

    def __init__(self):
        super().__init__(rate=getattr(settings, self.setting))

    def allow_request(self, request) -> bool:
        # Read the rate on every request so an operator (or a test) can change it without a restart.
        self.rate = getattr(settings, self.setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


class AnonymousThrottle(_SettingRateThrottle):
    setting = "API_RATE_ANONYMOUS"
    scope = "apianon"

    def get_cache_key(self, request):
        if isinstance(getattr(request, "auth", None), ApiKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class KeyThrottle(_SettingRateThrottle):
    setting = "API_RATE_KEYED"
    scope = "apikey"

    def get_cache_key(self, request):
        auth = getattr(request, "auth", None)
        if not isinstance(auth, ApiKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": auth.pk}


def throttles() -> list:
    return [AnonymousThrottle(), KeyThrottle()]


def install(api) -> None:
    """The API's answers to a refused key and to a request over its limit, in Chinese and English."""

    def throttled(request, exc):
        return api.create_response(request, {"detail": "请求过于频繁，请稍后再试 / too many requests"}, status=429)

    api.add_exception_handler(Throttled, throttled)
