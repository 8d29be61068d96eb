"""Django admin of the kernel. The site (marketplace.admin_audit.MarketplaceAdminSite) makes every model
read-only unless its admin is audited: users and organisations, whose saves ask for a reason and write a
`marketplace.admin_write` entry. Reference data is edited in the Wagtail admin (audited viewsets)."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied

from marketplace.admin_audit import AuditedAdminMixin, ReadOnlyAdminMixin, with_reason
from marketplace.models import (
    AuditEntry,
    CalendarYear,
    Department,
    Holiday,
    Invitation,
    Membership,
    Notification,
    Organisation,
    PolicyVersion,
    Region,
    ServiceType,
    User,
)


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
    form = with_reason(UserChangeForm)
    ordering = ["email"]
    list_display = ["email", "name", "is_active", "is_staff"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "name", "phone"]}),
        ("权限", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("变更原因", {"fields": ["reason"]}),
    ]

    def has_add_permission(self, request):
        return False  # accounts are created by signing up (verified email) or by invitation

    def user_change_password(self, request, id, form_url=""):
        raise PermissionDenied  # passwords are reset through allauth's throttled reset, never set by an operator


class MembershipInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Memberships change through invitations and marketplace.accounts.services (audited)."""

    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = with_reason(forms.ModelForm)
    list_display = ["name", "kind", "uscc", "region"]
    list_filter = ["kind"]
    search_fields = ["name", "uscc"]
    filter_horizontal = ["scope_regions", "scope_departments"]
    inlines = [MembershipInline]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "source"]
    list_filter = ["kind"]
    date_hierarchy = "date"


admin.site.register(CalendarYear)
admin.site.register(Region)
admin.site.register(Department)
admin.site.register(Invitation)
admin.site.register(Notification)


@admin.register(ServiceType)
class ServiceTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "department", "typical_limit_wd", "active"]
    list_filter = ["department", "active"]


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = ["version", "name", "created_at", "created_by", "note"]
    readonly_fields = ["version", "data", "created_at", "created_by"]

    def has_change_permission(self, request, obj=None):
        return False  # versions are immutable; adopt a new one through marketplace.policy.adopt_policy


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["id", "created_at", "actor_repr", "action", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["object_id", "action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
