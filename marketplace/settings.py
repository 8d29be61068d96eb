"""One environment-driven settings module for 中介超市.

Every deployment difference is an environment variable (see the README's configuration table);
nothing here needs editing to go from the SQLite demo to PostgreSQL + Redis + Elasticsearch.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    "insecure-demo-key-only-for-local-development-change-me-0123456789abcdef" if DEBUG else ""
)
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is off / 生产环境必须设置 SECRET_KEY")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
FORM_RENDERER = "marketplace.renderers.SiteFormRenderer"  # error lists in one language
CSRF_FAILURE_VIEW = "marketplace.views.csrf_failure"  # the site's 403 page, in its language
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "marketplace",
    "agencies",
    "projects",
    "ratings",
    "oversight",
    "cms",
    "opendata",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "marketplace.admin_config.MarketplaceWagtailUsersConfig",  # wagtail.users, audited (issue 14)
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "ninja",  # its Swagger UI from our static files (CSP: no CDN, no inline script), not the CDN fallback
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "marketplace.admin_config.MarketplaceAdminConfig",  # django.contrib.admin, read-only unless audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "marketplace.middleware.SecurityHeadersMiddleware",
    "marketplace.middleware.InputGuardMiddleware",
    "marketplace.pagecache.PageCacheMiddleware",  # anonymous public pages, before sessions (see pagecache.py)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "marketplace.middleware.ExplicitLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "marketplace.urls"
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "60"))  # 0 turns the anonymous page cache off
LIST_COUNT_SECONDS = int(os.environ.get("LIST_COUNT_SECONDS", "30"))  # list counts cached per filter; 0 = off
WSGI_APPLICATION = "marketplace.wsgi.application"
ASGI_APPLICATION = "marketplace.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "marketplace.context_processors.marketplace",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the demo server and a management command share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "marketplace"}}

ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
ELASTICSEARCH_INDEX_PREFIX = os.environ.get("ELASTICSEARCH_INDEX_PREFIX", "zjcs")
# The analyser for raw Chinese text in Elasticsearch: "smartcn" (analysis-smartcn plugin) or "ik_max_word"
# (IK plugin) where installed; "standard" works on a stock server because a jieba pre-segmented field
# carries the matching either way.
SEARCH_ES_CHINESE_ANALYZER = os.environ.get("SEARCH_ES_CHINESE_ANALYZER", "standard")
SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "elasticsearch" if ELASTICSEARCH_URL else "database")

AUTH_USER_MODEL = "marketplace.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "/"

# allauth: email is the login, verification is mandatory, failed logins are throttled.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# Failed logins are counted per account (key) and, at a higher threshold, per client address, so one
# mistyped account never locks out the others behind the same proxy or office NAT (issue 14, finding 2).
ACCOUNT_RATE_LIMITS = {
    "login_failed": os.environ.get("LOGIN_FAILED_RATE", "30/5m/ip,5/5m/key"),
    "signup": "20/h/ip",
    "reset_password": os.environ.get("PASSWORD_RESET_RATE", "20/m/ip,3/h/key"),
    "confirm_email": "1/3m/key",
}
ACCOUNT_ADAPTER = "marketplace.accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[中介超市] "
# Reverse proxies (addresses or networks) whose X-Forwarded-For is believed; empty: the client address is
# REMOTE_ADDR and X-Forwarded-For is ignored (marketplace.accounts.adapter.AccountAdapter.get_client_ip).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "中介超市 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Agency documents (licences, ID scans) live outside MEDIA_ROOT and are streamed by a view
# that checks permission; nothing under PRIVATE_MEDIA_ROOT is ever served by the web server.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private_media"))
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and not env_bool("TESTING")
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_PERMISSIONS = 0o640

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"),
    }
}

WAGTAIL_SITE_NAME = "中介超市"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_I18N_ENABLED = False
WAGTAILDOCS_EXTENSIONS = ["pdf", "xlsx", "docx", "jpg", "png"]
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# One login door: Wagtail's admin and front-end logins and its password reset lead to allauth's
# throttled, verification-enforcing views (the old URLs redirect there, see marketplace/urls.py).
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
WAGTAIL_PASSWORD_RESET_ENABLED = False
# No operator sets a password (Wagtail's user form has none); users change or reset theirs through allauth.
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no avatars from gravatar.com: the CSP allows images from this site only
WAGTAIL_ENABLE_UPDATE_CHECK = False  # no call to releases.wagtail.org from the admin (CSP connect-src self; closed networks)
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False

# Production hardening: all on unless DEBUG; `manage.py check --deploy` is clean with these.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"
# Wagtail's page preview renders the page in a same-origin iframe, so DENY would break editing;
# SAMEORIGIN still refuses every other site's frames.
SILENCED_SYSTEM_CHECKS = ["security.W019"]

# Content-Security-Policy (marketplace.middleware.SecurityHeadersMiddleware): no inline script, no nonces
# (pages stay cacheable), nothing from another origin. frame-ancestors 'self' rather than 'none' for the
# same reason as X_FRAME_OPTIONS: Wagtail's preview frames our own pages.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],  # style="" attributes are tolerated (Wagtail's admin needs them)
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'self'"],
}
# Wagtail 8's admin still renders a few inline scripts (date pickers, inline panels): allowed there only.
CSP_RELAXED_PREFIXES = ["/admin/"]
CSP_RELAXED_DIRECTIVES = {"script-src": ["'self'", "'unsafe-inline'"]}
PERMISSIONS_POLICY_DENY = ["accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
                           "magnetometer", "microphone", "midi", "payment", "usb", "xr-spatial-tracking"]
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO" if not DEBUG else "WARNING")},
    "loggers": {"jieba": {"level": "WARNING"}},
}

# ---- Open data (OCDS) and API keys (docs/opendata.md) ---------------------------------------------------
# The ocid prefix: `ocds-<prefix>-<project code>`. Register a prefix with the Open Contracting Partnership
# before publishing for real; the default is for development.
OCDS_PREFIX = os.environ.get("OCDS_PREFIX", "zjcs00")
OCDS_PUBLISHER_NAME = os.environ.get("OCDS_PUBLISHER_NAME", "中介超市")
OCDS_LICENSE_URL = os.environ.get("OCDS_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/")
OCDS_PAGE_SIZE = int(os.environ.get("OCDS_PAGE_SIZE", "100"))
# Requests per window on the keyed API routes: "<count>/<s|m|h|d>" for anonymous clients (per IP address)
# and for requests with a valid X-API-Key (per key). Over the limit: 429 with Retry-After.
API_RATE_ANONYMOUS = os.environ.get("API_RATE_ANONYMOUS", "60/m")
API_RATE_KEYED = os.environ.get("API_RATE_KEYED", "1200/m")
# How many reverse proxies append to X-Forwarded-For in front of the app: the anonymous limit counts the address
# that many hops from the right (0: the socket's address; a client cannot dodge the limit by sending the header).
NINJA_NUM_PROXIES = int(os.environ.get("API_NUM_PROXIES", "0"))

# ---- Single sign-on: OpenID Connect (the province's unified identity service) ----------------------------
# Off unless OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are all set. The identity is matched to an
# existing user by a verified email address, or a new user is created.
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "")
OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "统一身份认证")
SSO_ENABLED = bool(OIDC_ISSUER and OIDC_CLIENT_ID and OIDC_CLIENT_SECRET)
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": [{
    "provider_id": "province", "name": OIDC_PROVIDER_NAME, "client_id": OIDC_CLIENT_ID,
    "secret": OIDC_CLIENT_SECRET, "settings": {"server_url": OIDC_ISSUER, "token_auth_method": "client_secret_post"},
}] if SSO_ENABLED else []}}
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True            # a verified email signs in its existing user
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_ONLY = False
