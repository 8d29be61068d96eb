"""Audited operator writes in the admin (issue 14, finding 4).

Every model registered in the Django admin is read-only unless its admin class says `audited = True`
(`MarketplaceAdminSite.register` enforces it, so a model registered later by any app is read-only by
default). An audited admin or Wagtail viewset asks for a reason (变更原因) and writes one
`marketplace.admin_write` audit entry, with who, what changed and why, in the same transaction as the save.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from marketplace import audit, events

SECRET_FIELDS = frozenset({"password", "password1", "password2"})


def reason_field(*, required: bool = True) -> forms.CharField:
    return forms.CharField(label=_("变更原因"), required=required, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("写入审计日志，说明为什么修改（例如所依据的文件）"))


def with_reason(form_class: type[forms.BaseForm], *, required: bool = True) -> type[forms.BaseForm]:
    """`form_class` with a `reason` field added (declared, so model forms accept it in `fields`)."""
    return type(form_class.__name__, (form_class,), {"reason": reason_field(required=required)})


class ReasonForm(forms.Form):
    reason = reason_field()


def _text(value) -> str | list[str]:
    if isinstance(value, models.QuerySet | list | tuple | set):
        return sorted(str(item) for item in value)
    return "" if value is None else str(value)


def record_write(*, by, obj: models.Model, change: str, form: forms.BaseForm | None = None,
                 reason: str = "") -> None:
    """One `marketplace.admin_write` entry for `obj` (`change` is created / changed / deleted)."""
    changed = [f for f in (form.changed_data if form is not None else []) if f != "reason"]
    data = getattr(form, "cleaned_data", {}) if form is not None else {}
    values = {f: _text(data.get(f)) for f in changed if f not in SECRET_FIELDS}
    if form is not None and not reason:
        reason = data.get("reason", "")
    audit.record(action=events.ADMIN_WRITE.action, by=by, obj=obj, reason=reason,
                 data={"model": obj._meta.label_lower, "change": change, "fields": sorted(changed), "values": values})


# ---- Django admin -----------------------------------------------------------------------------


class ReadOnlyAdminMixin:
    """Viewable, never writable: the row changes only through its app's services (which audit)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdminMixin:
    """A Django admin whose saves write an audit entry with the operator's reason; no deleting."""

    audited = True

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # m2m saved: the entry shows final values
        record_write(by=request.user, obj=form.instance, change="changed" if change else "created", form=form)

    def has_delete_permission(self, request, obj=None):
        return False


class MarketplaceAdminSite(admin.AdminSite):
    """The Django admin: every registration not marked `audited` is made read-only."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not getattr(admin_class, "audited", False):
            admin_class = type(admin_class.__name__, (ReadOnlyAdminMixin, admin_class), {})
        return super().register(model_or_iterable, admin_class, **options)


# ---- Wagtail viewsets --------------------------------------------------------------------------


def audited_views(create_view, edit_view, delete_view, *, delete_reason: bool = True):
    """Subclasses of a viewset's create/edit/delete views that write the audit entry in the save's transaction."""

    class AuditedCreateView(create_view):
        def save_instance(self):
            obj = super().save_instance()
            record_write(by=self.request.user, obj=obj, change="created", form=self.form)
            return obj

    class AuditedEditView(edit_view):
        def save_instance(self):
            obj = super().save_instance()
            record_write(by=self.request.user, obj=obj, change="changed", form=self.form)
            return obj

    class AuditedDeleteView(delete_view):
        if delete_reason:
            form_class = ReasonForm
            template_name = "marketplace/admin/confirm_delete_with_reason.html"

        def form_valid(self, form):
            self.reason = form.cleaned_data.get("reason", "")
            return super().form_valid(form)

        def delete_action(self):
            with transaction.atomic():
                record_write(by=self.request.user, obj=self.object, change="deleted", reason=self.reason)
                super().delete_action()

    return AuditedCreateView, AuditedEditView, AuditedDeleteView


class AuditedViewSetMixin:
    """For a Wagtail ModelViewSet: a required reason on every form, an audit entry on every write."""

    audited = True
    reason_required = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_view_class, self.edit_view_class, self.delete_view_class = audited_views(
            self.add_view_class, self.edit_view_class, self.delete_view_class, delete_reason=self.reason_required)

    def get_form_class(self, for_update=False):
        return with_reason(super().get_form_class(for_update), required=self.reason_required)
