"""Read-mostly admin: every state change goes through projects.services, so status fields are read-only."""

from django.contrib import admin

from projects.models import AvoidedAgency, Objection, Project, ProjectRevision, Registration


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    can_delete = False
    fields = ["agency", "registered_at", "offer", "excluded_reason"]
    readonly_fields = fields


class RevisionInline(admin.TabularInline):
    model = ProjectRevision
    extra = 0
    can_delete = False
    readonly_fields = ["number", "created_at", "reason", "diff", "material", "new_deadline"]
    fields = readonly_fields


class AvoidedInline(admin.TabularInline):
    model = AvoidedAgency
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "owner", "method", "status", "registration_deadline"]
    list_filter = ["status", "method", "funding"]
    search_fields = ["code", "title"]
    readonly_fields = ["code", "status", "status_since", "published_at", "registration_deadline", "closed_at",
                       "draw_commitment", "draw_record", "selection_order", "selected", "awarded_price",
                       "publicity_starts_on", "publicity_ends_on", "contract_signed_on", "contract_uploaded_at"]
    exclude = ["draw_secret", "contract_file"]
    inlines = [AvoidedInline, RevisionInline, RegistrationInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Objection)
class ObjectionAdmin(admin.ModelAdmin):
    list_display = ["project", "registration", "filed_at", "answer_due_on", "outcome"]
    readonly_fields = ["project", "registration", "text", "filed_at", "filed_by", "outcome", "answer",
                       "answered_at", "answered_by"]
