"""The signed-in user's inbox, notification settings and subscriptions, and the subscription feeds."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace import inbox, notify, subscriptions
from marketplace.feedback import show_errors
from marketplace.models import NotificationPreference, Region, ServiceType, Subscription


@login_required
def notifications(request):
    """The inbox: every message with its kind, deadline and link; POST marks all read."""
    if request.method == "POST":
        notify.mark_all_read(user=request.user, now=timezone.now())
        return redirect("notifications")
    unread_only = request.GET.get("unread") == "1"
    items = [inbox.as_item(row) | {"deadline_at": row.deadline, "created": row.created_at}
             for row in inbox.inbox_rows(request.user, unread_only=unread_only)]
    return render(request, "marketplace/notifications.html", {"items": items, "unread_only": unread_only})


@login_required
@require_POST
def notification_read(request, pk: int):
    """Mark one of one's own messages read and go to where one acts (another user's id: 404)."""
    row = get_object_or_404(request.user.notifications, pk=pk)
    notify.mark_read(user=request.user, ids=[row.pk], now=timezone.now())
    return redirect(row.url or "notifications")


@login_required
def notification_settings(request):
    """Message language and the mail of each kind: at once, daily digest or off."""
    if request.method == "POST":
        try:
            modes = {key[5:]: value for key, value in request.POST.items() if key.startswith("mode_")}
            inbox.set_preferences(by=request.user, language=request.POST.get("language", ""), modes=modes)
            messages.success(request, _("消息设置已保存"))
            return redirect("notification_settings")
        except ValidationError as exc:
            show_errors(request, exc)
    prefs = inbox.preferences_of(request.user)
    rows = [{"kind": kind, "label": notify.kind_label(kind), "mode": mode} for kind, mode in prefs.items()]
    return render(request, "marketplace/notification_settings.html", {
        "rows": rows, "modes": NotificationPreference.Mode.choices, "language": notify.language_of(request.user)})


@login_required
def subscription_list(request):
    """One's own subscriptions with their secret feed links; a form to add one (an agency's default prefilled)."""
    if request.method == "POST":
        try:
            subscriptions.subscribe(by=request.user, name=request.POST.get("name", ""),
                                    service_types=request.POST.getlist("service_types"),
                                    regions=request.POST.getlist("regions"))
            messages.success(request, _("订阅已创建"))
            return redirect("subscriptions")
        except ValidationError as exc:
            show_errors(request, exc)
    default_types, default_regions = subscriptions.default_for(request.user)
    rows = Subscription.objects.filter(user=request.user, active=True).prefetch_related("service_types", "regions")
    return render(request, "marketplace/subscriptions.html", {
        "subscriptions": rows, "service_types": ServiceType.objects.order_by("code"),
        "regions": Region.objects.order_by("code"), "chosen_types": set(default_types),
        "chosen_regions": set(default_regions)})


@login_required
@require_POST
def subscription_delete(request, pk: int):
    sub = Subscription.objects.filter(pk=pk, user=request.user, active=True).first()
    if sub is None:
        raise Http404
    subscriptions.unsubscribe(by=request.user, subscription=sub)
    messages.success(request, _("订阅已取消"))
    return redirect("subscriptions")
