"""Create the public page tree at run time (the data migration does the same on a fresh database;
this is for databases flushed by transactional tests and for `manage.py cms_tree`)."""

from __future__ import annotations

from django.db import transaction
from wagtail.models import Page, Site

from cms.models import KIND_SLUGS, HomePage, NoticeIndexPage, NoticeKind

HOME_TITLE = "中介超市"


@transaction.atomic
def ensure_page_tree() -> HomePage:
    """Idempotent: the home page at the default site's root and one index page per notice kind."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        if root is None:
            root = Page.add_root(title="Root", slug="root")
        for welcome in root.get_children().filter(slug="home").exclude(content_type__app_label="cms"):
            if not welcome.get_children().exists():
                Site.objects.filter(root_page=welcome).delete()
                welcome.delete()
        root = Page.objects.get(pk=root.pk)
        home = HomePage(title=HOME_TITLE, slug="home" if not root.get_children().filter(slug="home").exists()
                        else "marketplace-home")
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True,
                            site_name=HOME_TITLE)
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save(update_fields=["root_page"])
    existing = set(NoticeIndexPage.objects.values_list("kind", flat=True))
    for kind, label in NoticeKind.choices:
        if kind in existing:
            continue
        index = NoticeIndexPage(title=str(label), slug=KIND_SLUGS[NoticeKind(kind)], kind=kind)
        home.add_child(instance=index)
        index.save_revision().publish()
    return home
