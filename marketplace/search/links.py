"""Where a hit links to: the agency storefront / project detail when those apps provide them."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse


def _reverse(name: str, key: str, kwarg: str) -> str | None:
    for kwargs, args in (({kwarg: key}, None), (None, [key])):
        try:
            return reverse(name, kwargs=kwargs, args=args)
        except NoReverseMatch:
            continue
    return None


def hit_url(hit) -> str:
    """Storefront (`agencies:storefront` by USCC) or project page (`projects:detail` by code); the
    search app's own summary page when the owning app has no such page."""
    if hit.kind == "agency":
        url = _reverse("agencies:storefront", hit.key, "uscc")
    else:
        url = _reverse("projects:detail", hit.key, "code")
    return url or reverse("search:detail", kwargs={"kind": hit.kind, "key": hit.key})
