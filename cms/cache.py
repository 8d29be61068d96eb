"""Public-page cache keyed by URL and a generation number; purging bumps the generation.

We cache the rendered page *content* (the expensive part: notice lists, key figures), not the whole
response: the shell around it carries a CSRF token and the visitor's navigation, which must never be
shared between visitors. Bumping the generation orphans every cached entry at once, which works on
any cache backend (locmem, Redis) without key scans. The generation is the kernel page cache's
(marketplace.pagecache), which also caches whole anonymous responses in front of these fragments.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from marketplace import pagecache


def timeout() -> int:
    return int(getattr(settings, "CMS_CACHE_SECONDS", 300))


# One generation for every public-page cache: the kernel's (marketplace.pagecache), moved on by any
# committed audit entry and by CMS publishing (cms.signals → purge).
GENERATION_KEY = pagecache.GENERATION_KEY
generation = pagecache.generation
purge = pagecache.purge


def cacheable(request) -> bool:
    return request.method in ("GET", "HEAD") and not getattr(request, "is_preview", False)


def cache_key(request, part: str = "page") -> str:
    raw = f"{request.get_host()}|{request.get_full_path()}"
    digest = hashlib.sha1(raw.encode("utf-8"), usedforsecurity=False).hexdigest()
    return f"cms:{part}:{generation()}:{get_language() or ''}:{digest}"


def render_cached(request, *, fragment: str, context_factory, title: str = "", page=None, feed_kind: str = "",
                  shell: str = "cms/shell.html") -> TemplateResponse:
    """Render `fragment` with `context_factory()` (cached), then wrap it in the per-request shell."""
    key = cache_key(request) if cacheable(request) else None
    body = cache.get(key) if key else None
    if body is None:
        body = render_to_string(fragment, context_factory(), request=request)
        if key:
            cache.set(key, body, timeout())
    return TemplateResponse(request, shell, {"body_html": mark_safe(body), "shell_title": title,  # noqa: S308
                                             "page": page, "self": page, "feed_kind": feed_kind})


def cached_response(view):
    """Cache a whole response that has no per-visitor content (feeds, sitemap)."""

    def wrapped(request, *args, **kwargs):
        if not cacheable(request):
            return view(request, *args, **kwargs)
        key = cache_key(request, "response")
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
            response.render()
        if response.status_code == 200 and not response.streaming:
            cache.set(key, (response.content, response["Content-Type"]), timeout())
        return response

    wrapped.__name__ = getattr(view, "__name__", "cached_view")
    wrapped.__doc__ = view.__doc__
    return wrapped
