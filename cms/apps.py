from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_page_tree(sender, using="default", **kwargs):
    """Re-create the public page tree after a flush (transactional tests); a no-op once it exists.
    The data migration builds it on a fresh database; this covers databases emptied since."""
    if sender.name != "cms" or using != "default":
        return
    from django.db import connections

    if "cms_homepage" not in connections[using].introspection.table_names():
        return  # migrating backwards
    from cms.tree import ensure_page_tree

    ensure_page_tree()


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("公告与内容")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cms import signals, subscribers

        subscribers.register()
        signals.connect()
        post_migrate.connect(_ensure_page_tree, dispatch_uid="cms.page_tree")
