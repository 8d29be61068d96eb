"""Where a hit links to: the page the registering app names for it (storefront, project detail)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from marketplace.search import registry


def hit_url(hit) -> str:
    """The owning app's page for the hit (`url(key)` of its registration); the search app's own
    summary page when the app names none or its URLs are not mounted."""
    kind = registry.registered().get(hit.kind)
    url = None
    if kind is not None and kind.url is not None:
        try:
            url = kind.url(hit.key)
        except NoReverseMatch:
            url = None
    return url or reverse("search:detail", kwargs={"kind": hit.kind, "key": hit.key})
