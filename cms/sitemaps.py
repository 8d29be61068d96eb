"""Sitemap: live Wagtail pages plus the marketplace's public storefronts and project pages, found by
URL name (agencies:storefront by USCC, projects:detail by code) so nothing here imports their views;
a name that does not resolve simply leaves its section empty."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import NoReverseMatch, reverse
from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap


class _SiteUrl:
    """Absolute links on SITE_URL's scheme and host, not the request's (behind a proxy that is localhost)."""

    def get_urls(self, *args, **kwargs):
        base = urlsplit(settings.SITE_URL)
        urls = super().get_urls(*args, **kwargs)
        for url in urls:
            parts = urlsplit(url["location"])
            url["location"] = urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))
        return urls


class PageSitemap(_SiteUrl, WagtailSitemap):
    pass


class _ObjectSitemap(_SiteUrl, Sitemap):
    url_name = ""
    url_field = "pk"
    changefreq = "daily"

    def _reversible(self) -> bool:
        try:
            reverse(self.url_name, args=["x"])
        except NoReverseMatch:
            return False
        return True

    def items(self):
        return list(self.queryset()) if self._reversible() else []

    def location(self, obj):
        return reverse(self.url_name, args=[getattr(obj, self.url_field)])

    def lastmod(self, obj):
        return obj.updated_at


class StorefrontSitemap(_ObjectSitemap):
    url_name = "agencies:storefront"
    url_field = "uscc"

    def queryset(self):
        from agencies.models import Agency

        return Agency.objects.filter(status=Agency.Status.ADMITTED).only("uscc", "updated_at").order_by("pk")


class ProjectSitemap(_ObjectSitemap):
    url_name = "projects:detail"
    url_field = "code"

    def queryset(self):
        try:
            from projects.selectors import public_projects
        except ImportError:  # pragma: no cover - the projects app always has it on main
            from projects.models import Project

            return Project.objects.exclude(status__in=["draft", "cancelled"]).only("code", "updated_at")
        return public_projects().select_related(None).only("code", "updated_at")


def sitemaps(request) -> dict:
    return {"pages": PageSitemap(request), "storefronts": StorefrontSitemap(), "projects": ProjectSitemap()}
