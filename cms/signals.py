"""Cache invalidation only (house rule: signals are for caches and code we do not own)."""

from django.db.models.signals import post_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished


def purge_public_cache(sender=None, **kwargs):
    from cms.cache import purge

    purge()


def connect() -> None:
    page_published.connect(purge_public_cache, dispatch_uid="cms_purge_on_publish")
    page_unpublished.connect(purge_public_cache, dispatch_uid="cms_purge_on_unpublish")
    post_delete.connect(_purge_on_page_delete, dispatch_uid="cms_purge_on_delete")


def _purge_on_page_delete(sender, instance, **kwargs):
    if isinstance(instance, Page):
        purge_public_cache()
