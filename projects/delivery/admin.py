"""Read-only admin for delivery: changes go through services (audited), never through admin forms."""

from django.contrib import admin

from .models import ClockPause, Deliverable, Extension, ServiceJob


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PauseInline(ReadOnlyMixin, admin.TabularInline):
    model = ClockPause
    extra = 0
    fields = ["first_day", "last_day", "request", "requested_by", "supplied_by"]


class ExtensionInline(ReadOnlyMixin, admin.TabularInline):
    model = Extension
    extra = 0
    fields = ["requested_wd", "reason", "decision", "granted_wd", "decided_by", "decided_at"]


class DeliverableInline(ReadOnlyMixin, admin.TabularInline):
    model = Deliverable
    extra = 0
    fields = ["submitted_on", "note", "decision", "decision_reason", "decided_on"]


@admin.register(ServiceJob)
class ServiceJobAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["project", "agency", "status", "limit_wd", "started_on", "accepted_on", "overdue_wd"]
    list_filter = ["status"]
    search_fields = ["project__code", "project__title", "agency__name", "agency__uscc"]
    list_select_related = ["project", "agency"]
    inlines = [PauseInline, ExtensionInline, DeliverableInline]
