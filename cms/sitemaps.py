"""Sitemap: live Wagtail pages plus the marketplace's public storefront and project pages when the
apps that own them expose those URLs (looked up by name, so nothing here imports their views)."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import NoReverseMatch, reverse
from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap


class _ObjectSitemap(Sitemap):
    url_name = ""
    changefreq = "daily"

    def _resolvable(self, obj) -> str | None:
        for args in ([obj.pk], [str(obj.pk)]):
            try:
                return reverse(self.url_name, args=args)
            except NoReverseMatch:
                continue
        return None

    def items(self):
        try:
            reverse(self.url_name, args=[1])
        except NoReverseMatch:
            return []
        return list(self.queryset())

    def location(self, obj):
        return self._resolvable(obj) or "/"


class StorefrontSitemap(_ObjectSitemap):
    url_name = "agencies:storefront"

    def queryset(self):
        from agencies.models import Agency

        return Agency.objects.filter(status=Agency.Status.ADMITTED).only("pk", "updated_at").order_by("pk")

    def lastmod(self, obj):
        return obj.updated_at


class ProjectSitemap(_ObjectSitemap):
    url_name = "projects:detail"

    def queryset(self):
        from projects.models import Project

        return (Project.objects.exclude(status__in=[Project.Status.DRAFT, Project.Status.CANCELLED])
                .only("pk", "updated_at").order_by("pk"))

    def lastmod(self, obj):
        return obj.updated_at


def sitemaps(request) -> dict:
    return {"pages": WagtailSitemap(request), "storefronts": StorefrontSitemap(), "projects": ProjectSitemap()}
