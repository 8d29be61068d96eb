"""The public search page (/search/) with facet links and pagination, and a hit summary page."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from marketplace.models import SearchDocument
from marketplace.search import AGENCY, PROJECT, SearchError, search
from marketplace.search.links import hit_url
from marketplace.search.types import FACETS

FACET_TITLES = {"service_type": _("服务类型"), "region": _("区域"), "grade": _("信用等级"), "price": _("价格区间"),
                "method": _("选取方式"), "status": _("状态")}


def _query_string(params: dict[str, str], **changes) -> str:
    from urllib.parse import urlencode

    merged = {**params, **changes}
    return "?" + urlencode({k: v for k, v in merged.items() if v not in (None, "")})


def _selected_label(result, name: str, value: str) -> str:
    return next((v.label for v in result.facets.get(name, []) if v.value == value), value)


def page(request):
    kind = request.GET.get("kind", AGENCY)
    if kind not in (AGENCY, PROJECT):
        kind = AGENCY
    q = request.GET.get("q", "")
    filters = {name: request.GET.get(name, "") for name in FACETS[kind]}
    params = {"kind": kind, "q": q, **filters}
    error = None
    result = None
    try:
        result = search(kind, q, filters, request.GET.get("page", "1") or "1")
    except SearchError as exc:
        error = str(exc)
    facet_groups = []
    rows = []
    if result is not None:
        for name in FACETS[kind]:
            values = [{"label": v.label, "count": v.count, "selected": v.selected,
                       "url": _query_string(params, page="", **{name: "" if v.selected else v.value})}
                      for v in result.facets.get(name, [])]
            facet_groups.append({"name": name, "title": FACET_TITLES[name], "values": values})
        rows = [{"hit": h, "url": hit_url(h)} for h in result.hits]
    context = {
        "kind": kind, "q": q, "result": result, "rows": rows, "facet_groups": facet_groups, "error": error,
        "tabs": [{"kind": k, "label": label, "url": _query_string({"kind": k, "q": q}), "active": k == kind}
                 for k, label in ((AGENCY, _("中介机构")), (PROJECT, _("采购项目")))],
        "prev_url": _query_string(params, page=result.page - 1) if result and result.has_previous else "",
        "next_url": _query_string(params, page=result.page + 1) if result and result.has_next else "",
        "active_filters": [{"title": f"{FACET_TITLES[k]}：{_selected_label(result, k, v)}",
                            "url": _query_string(params, page="", **{k: ""})}
                           for k, v in (result.filters.items() if result else [])],
    }
    return render(request, "search/page.html", context, status=400 if error else 200)


def detail(request, kind: str, key: str):
    """What the index holds for one hit; used when the owning app offers no page of its own."""
    doc = SearchDocument.objects.filter(kind=kind, key=key).first()
    if doc is None:
        raise Http404("未找到 / not found")
    return render(request, "search/detail.html", {"doc": doc})
