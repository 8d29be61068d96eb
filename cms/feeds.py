"""RSS 2.0 and Atom feeds of live notices, one per kind (and one for all kinds)."""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, format_html, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from cms.facts import fact_rows, talk_lines
from cms.models import NoticeKind
from cms.selectors import public_notices

FEED_SIZE = 30


class NoticeFeed(Feed):
    def get_object(self, request, kind: str):
        if kind != "all" and kind not in NoticeKind.values:
            raise Http404(_("公告类别不存在 / unknown notice kind"))
        self.request = request
        return kind

    def title(self, kind):
        label = _("全部公告") if kind == "all" else NoticeKind(kind).label
        return f"{_('中介超市')} · {label}"

    def link(self, kind):
        return reverse("cms:notice_list") + ("" if kind == "all" else f"?kind={kind}")

    def feed_url(self, kind):
        return reverse("cms:feed_rss", args=[kind])

    def description(self, kind):
        return _("中介超市公开发布的公告，订阅后可及时获知新的采购需求与结果。")

    def items(self, kind):
        return list(public_notices(kind="" if kind == "all" else kind)[:FEED_SIZE])

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
        return reverse("cms:feed_atom", args=[kind])
