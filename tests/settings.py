"""Speed and isolation overrides for the test suite only."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdefghijklmnop")
os.environ.setdefault("TESTING", "1")

from marketplace.settings import *  # noqa: E402,F403
from marketplace.settings import BASE_DIR, DATABASES  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["*"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Fast hashing, except when the journeys log in to an external stack (LIVE_URL), which keeps the
# production hashers and must be able to check the passwords the factories set.
if not os.environ.get("LIVE_URL"):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
if os.environ.get("LIVE_REDIS_URL"):
    # Journeys against an external stack share its cache, so what the test process writes invalidates
    # the pages the stack cached (tools/prod_stack.sh).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["LIVE_REDIS_URL"]}}
ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/ip,5/5m/key", "signup": False, "confirm_email": False,
                       "reset_password": False}
PRIVATE_MEDIA_ROOT = BASE_DIR / ".test_private_media"
MEDIA_ROOT = BASE_DIR / ".test_media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": MEDIA_ROOT}},
    "private": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PAGE_CACHE_SECONDS = 0  # whole-page cache off unless a test turns it on (tests change rows without audit)
LIST_COUNT_SECONDS = 0  # list counts recounted on every request, likewise
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file (not :memory:) so --reuse-db keeps the migrated database between runs.
    # TEST_DB_TAG lets several checkouts or runs on one machine keep separate test databases.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test_db{os.environ.get('TEST_DB_TAG', '')}.sqlite3")}

# ---- the test-only OpenID Connect identity provider (tests/sso_idp, tests/opendata/test_sso.py) ----------
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402

from marketplace.settings import INSTALLED_APPS  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "oauth2_provider", "tests.sso_idp"]
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode(),
    "SCOPES": {"openid": "OpenID Connect", "profile": "profile", "email": "email"},
    "OAUTH2_VALIDATOR_CLASS": "tests.sso_idp.validator.IdentityValidator",
    "PKCE_REQUIRED": True,
}
