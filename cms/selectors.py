"""Reads for the public site: notice lists (fixed query count) and the home page sections."""

from __future__ import annotations

from django.core.paginator import Paginator

from cms.models import KIND_SLUGS, NoticeIndexPage, NoticeKind, NoticePage

PAGE_SIZE = 20


def public_notices(*, kind: str = "", region=None, service_type=None, method: str = "", date_from=None,
                   date_to=None):
    """Live notices with their region and service type joined, newest first."""
    qs = NoticePage.objects.live().select_related("region", "service_type").order_by("-published_on", "-id")
    if kind:
        qs = qs.filter(kind=kind)
    if region is not None:
        qs = qs.filter(region=region)
    if service_type is not None:
        qs = qs.filter(service_type=service_type)
    if method:
        qs = qs.filter(selection_method=method)
    if date_from:
        qs = qs.filter(published_on__gte=date_from)
    if date_to:
        qs = qs.filter(published_on__lte=date_to)
    return qs


def latest_by_kind(*, limit: int = 5) -> list[dict]:
    """One section per kind: its index page and latest live notices (one query per kind)."""
    indexes = {page.kind: page for page in NoticeIndexPage.objects.live()}
    sections = []
    for kind, label in NoticeKind.choices:
        sections.append({
            "kind": kind,
            "label": label,
            "index": indexes.get(kind),
            "notices": list(public_notices(kind=kind)[:limit]),
        })
    return sections


def notice_list_context(request, *, kind: str = "") -> dict:
    from cms.forms import NoticeFilterForm

    form = NoticeFilterForm(request.GET or None, fixed_kind=kind)
    filters = form.filters() if request.GET else {}
    if kind:
        filters["kind"] = kind
    qs = public_notices(**filters)
    paginator = Paginator(qs, PAGE_SIZE, allow_empty_first_page=True)
    page_obj = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "form": form,
        "kind": kind,
        "kind_label": NoticeKind(kind).label if kind else "",
        "kind_slug": KIND_SLUGS.get(kind, ""),
        "page_obj": page_obj,
        "notices": list(page_obj.object_list),
        "querystring": query.urlencode(),
        "kinds": NoticeKind.choices,
    }
