"""Public notice views outside the page tree: the all-kinds list, search, feeds and the sitemap."""

from __future__ import annotations

from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.utils.translation import gettext as _

from cms import cache
from cms.feeds import NoticeAtomFeed, NoticeFeed
from cms.models import NoticeKind
from cms.selectors import PAGE_SIZE, notice_list_context
from cms.sitemaps import sitemaps

MAX_QUERY_LENGTH = 100


def notice_list(request):
    """Every live notice, filterable by kind, region, service type, selection method and date."""
    return cache.render_cached(request, fragment="cms/notice_list.html",
                               context_factory=lambda: notice_list_context(request), title=_("公告公示"))


def notice_search(request):
    from cms.search import search_notices, segment

    query = (request.GET.get("q") or "").strip()
    kind = request.GET.get("kind") or ""
    error = ""
    if len(query) > MAX_QUERY_LENGTH:
        error = _("搜索词过长（最多 %(n)s 个字） / query too long") % {"n": MAX_QUERY_LENGTH}
        query = ""
    if kind and kind not in NoticeKind.values:
        error = _("公告类别不存在 / unknown notice kind")
        kind = ""

    def context():
        results = search_notices(query, kind=kind) if query else []
        page_obj = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
        params = request.GET.copy()
        params.pop("page", None)
        return {"query": query, "kind": kind, "kinds": NoticeKind.choices, "page_obj": page_obj,
                "notices": list(page_obj.object_list), "words": segment(query), "error": error,
                "querystring": params.urlencode()}

    return cache.render_cached(request, fragment="cms/search.html", context_factory=context, title=_("公告搜索"))


rss_feed = cache.cached_response(NoticeFeed())
atom_feed = cache.cached_response(NoticeAtomFeed())


@cache.cached_response
def sitemap(request):
    return sitemap_views.sitemap(request, sitemaps=sitemaps(request))
