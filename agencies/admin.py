from django.contrib import admin
from django.urls import path

from agencies import views
from agencies.models import (
    Agency,
    AgencyDocument,
    AgencyService,
    Blacklist,
    Case,
    ChangeRequest,
    CreditEvent,
    Practitioner,
    Qualification,
)


class ServiceInline(admin.TabularInline):
    model = AgencyService
    extra = 0
    autocomplete_fields = ()


class QualificationInline(admin.TabularInline):
    model = Qualification
    extra = 0
    exclude = ("scan",)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "region", "status", "credit_grade", "credit_score", "review_due_on")
    list_filter = ("status", "credit_grade", "entity_type")
    search_fields = ("name", "uscc")
    list_select_related = ("region",)
    raw_id_fields = ("organisation", "applicant")
    # Status and credit change only through services (audited), never by editing the row.
    readonly_fields = ("status", "submitted_at", "admitted_at", "reviewed_at", "review_due_on", "credit_score",
                       "credit_grade", "credit_forced", "credit_policy_version", "credit_computed_at",
                       "rating_count", "rating_mean", "suspended_until")
    inlines = [ServiceInline, QualificationInline]

    def get_urls(self):
        return [path("import/", self.admin_site.admin_view(views.import_upload), name="agencies_agency_import"),
                *super().get_urls()]


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    list_display = ("agency", "kind", "status", "submitted_at", "due_on")
    list_filter = ("status", "kind")
    raw_id_fields = ("agency", "document", "submitted_by", "decided_by")
    readonly_fields = ("status", "decided_by", "decided_at")


@admin.register(AgencyDocument)
class AgencyDocumentAdmin(admin.ModelAdmin):
    list_display = ("agency", "kind", "content_type", "size", "uploaded_at")
    list_filter = ("kind",)
    raw_id_fields = ("agency", "uploaded_by")
    readonly_fields = ("file", "content_type", "size", "sha256", "original_name")


admin.site.register(Blacklist, list_display=("uscc", "starts_on", "ends_on"), search_fields=("uscc",))
admin.site.register(Practitioner, list_display=("name", "agency", "qualification_kind"), raw_id_fields=("agency",),
                    search_fields=("name", "resident_id"))
admin.site.register(Case, list_display=("title", "agency", "year"), raw_id_fields=("agency",))


@admin.register(CreditEvent)
class CreditEventAdmin(admin.ModelAdmin):
    """The ledger is append-only: read-only here. A mistaken line is voided by a correction line
    (`agencies.credit.correct_credit_event`, from the regulator's ledger page), audited and recomputed."""

    list_display = ("agency", "code", "date", "state", "corrects", "created_by")
    list_filter = ("state", "code")
    search_fields = ("agency__uscc", "agency__name", "cause")
    list_select_related = ("agency", "created_by")
    raw_id_fields = ("agency",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
