"""Create the public page tree: a HomePage at the site root (replacing Wagtail's default welcome
page) and one NoticeIndexPage per notice kind. Written against historical models, so it builds the
materialised paths by hand (treebeard's API is not available here); cms.tree does the same at run time.
"""

from django.db import migrations
from django.utils import timezone

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPLEN = 4

KINDS = [
    ("news", "通知公告", "news"),
    ("policy", "政策法规", "policy"),
    ("posting", "采购公告", "postings"),
    ("result", "中选公告", "results"),
    ("contract", "合同公告", "contracts"),
    ("credit", "信用公示", "credit-notices"),
]


def _encode(number: int) -> str:
    out = ""
    while number:
        number, rem = divmod(number, len(ALPHABET))
        out = ALPHABET[rem] + out
    return out.rjust(STEPLEN, "0")


def _decode(step: str) -> int:
    return int(step, len(ALPHABET))


def _next_child_path(Page, parent) -> str:
    last = Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1).order_by("-path").first()
    nxt = _decode(last.path[-STEPLEN:]) + 1 if last else 1
    return parent.path + _encode(nxt)


def create_tree(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("cms.HomePage")
    NoticeIndexPage = apps.get_model("cms.NoticeIndexPage")

    if HomePage.objects.exists():
        return
    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return  # no Wagtail tree at all; cms.tree.ensure_page_tree() builds it on first use
    locale = Locale.objects.order_by("pk").first()
    if locale is None:
        locale = Locale.objects.create(language_code="zh-hans")
    now = timezone.now()
    home_ct, _ = ContentType.objects.get_or_create(app_label="cms", model="homepage")
    index_ct, _ = ContentType.objects.get_or_create(app_label="cms", model="noticeindexpage")

    welcome = (Page.objects.filter(depth=2, slug="home", content_type__app_label="wagtailcore",
                                   content_type__model="page", numchild=0).first())
    sites = list(Site.objects.filter(root_page=welcome)) if welcome else []
    home_slug = "home"
    if welcome is not None:
        for site in sites:  # detach before deleting so the Site rows survive
            site.root_page_id = root.pk
            site.save(update_fields=["root_page"])
        welcome.delete()
        Page.objects.filter(pk=root.pk).update(numchild=Page.objects.filter(depth=2).count())
        root.refresh_from_db()
    elif Page.objects.filter(depth=2, slug="home").exists():
        home_slug = "marketplace-home"

    common = {"live": True, "has_unpublished_changes": False, "first_published_at": now,
              "last_published_at": now, "locale_id": locale.pk}
    home = HomePage.objects.create(
        title="中介超市", draft_title="中介超市", slug=home_slug, content_type=home_ct,
        path=_next_child_path(Page, root), depth=2, numchild=0, url_path=f"/{home_slug}/", **common)
    Page.objects.filter(pk=root.pk).update(numchild=Page.objects.filter(depth=2).count())

    for number, (kind, title, slug) in enumerate(KINDS, start=1):
        NoticeIndexPage.objects.create(
            title=title, draft_title=title, slug=slug, kind=kind, content_type=index_ct,
            path=home.path + _encode(number), depth=3, numchild=0, url_path=f"/{home_slug}/{slug}/", **common)
    HomePage.objects.filter(pk=home.pk).update(numchild=len(KINDS))

    if sites:
        for site in sites:
            site.root_page_id = home.pk
            site.save(update_fields=["root_page"])
    elif not Site.objects.filter(is_default_site=True).exists():
        Site.objects.create(hostname="localhost", port=80, root_page_id=home.pk, is_default_site=True,
                            site_name="中介超市")
    else:
        Site.objects.filter(is_default_site=True).update(root_page_id=home.pk)


def remove_tree(apps, schema_editor):
    """Reverse: drop the cms pages (the welcome page is not recreated)."""
    Page = apps.get_model("wagtailcore.Page")
    HomePage = apps.get_model("cms.HomePage")
    for home in HomePage.objects.all():
        Page.objects.filter(path__startswith=home.path).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_tree, remove_tree)]
