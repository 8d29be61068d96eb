"""Each subscription's own RSS 2.0 and Atom feed, read at a secret token URL (no sign-in: feed readers)."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from marketplace.models import Subscription

FEED_SIZE = 50


class SubscriptionFeed(Feed):
    def get_object(self, request, token: str):
        sub = Subscription.objects.filter(token=token, active=True).first()
        if sub is None:
            raise Http404(_("订阅不存在 / no such subscription"))
        return sub

    def title(self, sub):
        return f"{_('中介超市')} · {sub.name}"

    def link(self, sub):
        return reverse("projects:list")

    def feed_url(self, sub):
        return reverse("subscription_rss", args=[sub.token])

    def description(self, sub):
        return _("符合订阅条件的采购公告、变更和结果。")

    def items(self, sub):
        return list(sub.notifications.filter(recipient_id=sub.user_id).order_by("-created_at", "-id")[:FEED_SIZE])

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.body  # the syndication framework escapes it

    def item_link(self, item):
        return item.url or reverse("projects:list")

    def item_guid(self, item):
        return f"subscription-{item.subscription_id}-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.created_at


class SubscriptionAtomFeed(SubscriptionFeed):
    feed_type = Atom1Feed

    def subtitle(self, sub):
        return self.description(sub)

    def feed_url(self, sub):
        return reverse("subscription_atom", args=[sub.token])
