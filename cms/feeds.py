"""RSS 2.0 and Atom feeds of live notices, one per kind (and one for all kinds).

`?service_type=<code>&region=<code>` narrow a feed (a region takes in the regions below it); an
unknown code answers 404 rather than an empty feed that looks valid. Every value shown is escaped.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, format_html, strip_tags
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from cms.facts import fact_rows, talk_lines
from cms.models import NoticeKind
from cms.selectors import public_notices
from marketplace.models import Region, ServiceType

FEED_SIZE = 30


def _below(region: Region) -> list[str]:
    """The region's code and the codes of every region under it."""
    children: dict = {}
    for code, parent in Region.objects.values_list("code", "parent_id"):
        children.setdefault(parent, []).append(code)
    found, todo = [], [region.code]
    while todo:
        code = todo.pop()
        found.append(code)
        todo.extend(children.get(code, ()))
    return found


def _filters(request) -> tuple[ServiceType | None, Region | None]:
    st_code, region_code = request.GET.get("service_type", ""), request.GET.get("region", "")
    service_type = ServiceType.objects.filter(code=st_code).first() if st_code else None
    region = Region.objects.filter(code=region_code).first() if region_code else None
    if (st_code and service_type is None) or (region_code and region is None):
        raise Http404(_("服务类型或区域不存在 / unknown service type or region"))
    return service_type, region


class NoticeFeed(Feed):
    def get_object(self, request, kind: str):
        if kind != "all" and kind not in NoticeKind.values:
            raise Http404(_("公告类别不存在 / unknown notice kind"))
        self.request = request
        self.service_type, self.region = _filters(request)
        return kind

    def title(self, kind):
        label = _("全部公告") if kind == "all" else NoticeKind(kind).label
        narrowed = [x.name for x in (self.service_type, self.region) if x is not None]
        return " · ".join([_("中介超市"), str(label), *narrowed])

    def _query(self, kind) -> dict:
        query = {} if kind == "all" else {"kind": kind}
        if self.service_type is not None:
            query["service_type"] = self.service_type.code
        if self.region is not None:
            query["region"] = self.region.code
        return query

    def link(self, kind):
        query = self._query(kind)
        return reverse("cms:notice_list") + (f"?{urlencode(query)}" if query else "")

    def _narrowed(self, url: str, kind) -> str:
        query = {k: v for k, v in self._query(kind).items() if k != "kind"}
        return url + (f"?{urlencode(query)}" if query else "")

    def feed_url(self, kind):
        return self._narrowed(reverse("cms:feed_rss", args=[kind]), kind)

    def description(self, kind):
        return _("中介超市公开发布的公告，订阅后可及时获知新的采购需求与结果。")

    def items(self, kind):
        qs = public_notices(kind="" if kind == "all" else kind, service_type=self.service_type)
        if self.region is not None:
            qs = qs.filter(region_id__in=_below(self.region))
        return list(qs[:FEED_SIZE])

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        """HTML joined from escaped values: a posting's title, scope or reason can never inject markup."""
        lines = [format_html("{}：{}", label, value) for label, value in fact_rows(item.facts)]
        lines += [escape(line) for line in talk_lines(item.facts)]  # clarifications, attachments
        note = strip_tags(item.editor_note or "")
        if note:
            lines.append(escape(note))
        return mark_safe("<br>".join(lines))  # noqa: S308 - every part is escaped above

    def item_link(self, item):
        return item.get_url(self.request)

    def item_guid(self, item):
        return f"notice-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.first_published_at or timezone.make_aware(dt.datetime.combine(item.published_on, dt.time.min))

    def item_updateddate(self, item):
        return item.last_published_at

    def item_categories(self, item):
        return [str(NoticeKind(item.kind).label)]


class NoticeAtomFeed(NoticeFeed):
    feed_type = Atom1Feed

    def subtitle(self, kind):
        return self.description(kind)

    def feed_url(self, kind):
        return self._narrowed(reverse("cms:feed_atom", args=[kind]), kind)
