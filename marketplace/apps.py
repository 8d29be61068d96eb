from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def _load_reference_data(sender, using="default", **kwargs):
    if sender.name != "marketplace" or using != "default":
        return
    from marketplace.reference import load_all

    load_all()


def _calendar_changed(sender, **kwargs):
    from marketplace import workdays

    workdays.invalidate()


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = _("中介超市 · 基础")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from marketplace import events

        events.autodiscover()
        from marketplace import periodic

        periodic.autodiscover()
        from marketplace import (
            audit,
            notify_registry,
            pagecache,
            permissions,  # noqa: F401  (registers kernel rules)
        )

        notify_registry.autodiscover()
        from marketplace.models import CalendarYear, Holiday

        # Any committed audited change invalidates the anonymous page cache (once per transaction).
        audit.subscribe("*", pagecache.on_audit_entries, batch=True)
        post_migrate.connect(_load_reference_data, dispatch_uid="marketplace.reference")
        for model in (Holiday, CalendarYear):
            post_save.connect(_calendar_changed, sender=model, dispatch_uid=f"cal-save-{model.__name__}")
            post_delete.connect(_calendar_changed, sender=model, dispatch_uid=f"cal-del-{model.__name__}")
