"""Whole-page cache for anonymous visitors of public pages, invalidated by the events that change them.

A public page (home, directory, storefronts, postings, notices, search, the public list APIs) looks
the same to every anonymous visitor of one language, so its whole response is kept in the shared
cache and served before sessions, authentication or the view run — which is what brings such a page
close to a bare view. Keys are versioned: `generation()` is part of every key, and `purge()` moves it
on, orphaning every cached page at once on any backend (locmem, Redis) without key scans. The
generation moves on

- after every committed transaction that wrote an audit entry (`on_audit_entries`, a batch
  subscriber of every action: every state change of the marketplace is audited, so no change reaches
  the database without invalidating the pages; one purge per commit, however many entries);
- when a CMS page is published, unpublished or deleted (`cms.signals`, through `cms.cache`);
- and entries expire after `PAGE_CACHE_SECONDS` (default 60) for what changes with time alone (a
  registration deadline passing).

What is never cached or served from the cache:

- any request carrying a session cookie (every signed-in user has one; so has an anonymous visitor
  with something in the session) or a messages cookie (a flash message to show);
- anything but GET; a response other than 200; a streaming response; a response that sets a cookie;
- a response whose rendering asked for a CSRF token (a form posting back: a token must never be shared
  between visitors); a page not in `PUBLIC_VIEWS`.

The language is part of the key (the language switcher's cookie, as `ExplicitLocaleMiddleware` reads
it). Responses carry `X-Page-Cache: hit|miss` so the behaviour can be checked from outside.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

GENERATION_KEY = "pagecache:generation"

# URL names of the public pages (strings: the kernel imports no app). Anything else is never cached.
PUBLIC_VIEWS = frozenset({
    "home", "wagtail_serve",  # CMS pages: home, notice lists and notices, results
    "cms:notice_list", "cms:search",
    "agencies:directory", "agencies:storefront",
    "projects:list", "projects:detail",
    "ratings:credit",
    "search:page",
    "api:agencies_list", "api:agencies_detail", "api:list_projects", "api:agencies", "api:projects",
})


def timeout() -> int:
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 60))


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, None)
        value = cache.get(GENERATION_KEY) or 1
    return int(value)


def purge() -> int:
    """Invalidate every cached public page (and CMS fragment); returns the new generation."""
    try:
        return cache.incr(GENERATION_KEY)
    except ValueError:  # key missing (evicted or never set)
        cache.add(GENERATION_KEY, 2, None)
        return int(cache.get(GENERATION_KEY) or 2)


def on_audit_entries(entries) -> None:
    """Batch subscriber of every audit action: one committed transaction, one purge."""
    if entries:
        purge()


def language(request) -> str:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in {code for code, _name in settings.LANGUAGES} else settings.LANGUAGE_CODE


def eligible(request) -> bool:
    """May this request be answered from (and fill) the cache?"""
    return (request.method == "GET" and timeout() > 0
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES)


def key(request) -> str:
    raw = f"{request.get_host()}|{request.get_full_path()}"
    digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()[:40]
    return f"pagecache:{generation()}:{language(request)}:{digest}"


def storable(request, response) -> bool:
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    return (match is not None and match.view_name in PUBLIC_VIEWS
            and response.status_code == 200 and not response.streaming and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and not request.META.get("CSRF_COOKIE_USED")
            and not (user is not None and user.is_authenticated))


class PageCacheMiddleware:
    """Serve and fill the anonymous page cache (placed before the session middleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not eligible(request):
            return self.get_response(request)
        cache_key = key(request)
        hit = cache.get(cache_key)
        if hit is not None:
            content, headers = hit
            response = HttpResponse(content, headers=headers)
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if storable(request, response):
            headers = {k: v for k, v in response.headers.items() if k.lower() != "set-cookie"}
            cache.set(cache_key, (response.content, headers), timeout())
            response["X-Page-Cache"] = "miss"
        return response
