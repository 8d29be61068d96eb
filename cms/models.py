"""Wagtail pages of the public site: the home page, one notice index per kind, and notices.

Pages carry content configuration only. Notices that describe a marketplace object are written by
`cms.publishing` (from audit events); their facts are read-only for editors (see `cms.facts`).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.facts import FACT_FIELDS, LOCKED_FORM_FIELDS, is_marketplace_write
from cms.panels import FactsPanel
from projects.models import Project


class NoticeKind(models.TextChoices):
    NEWS = "news", _("通知公告")
    POLICY = "policy", _("政策法规")
    POSTING = "posting", _("采购公告")
    RESULT = "result", _("中选公告")
    CONTRACT = "contract", _("合同公告")
    CREDIT = "credit", _("信用公示")


# Slug of each kind's index page under the home page (kept clear of the apps' URL prefixes).
KIND_SLUGS = {
    NoticeKind.NEWS: "news",
    NoticeKind.POLICY: "policy",
    NoticeKind.POSTING: "postings",
    NoticeKind.RESULT: "results",
    NoticeKind.CONTRACT: "contracts",
    NoticeKind.CREDIT: "credit-notices",
}


class CachedServeMixin:
    """Serve the page through the generation-keyed fragment cache (see cms.cache)."""

    fragment_template = ""

    @property
    def feed_kind(self) -> str:
        return getattr(self, "kind", "") or "all"

    def serve(self, request, *args, **kwargs):
        from cms.cache import render_cached

        return render_cached(
            request,
            fragment=self.fragment_template,
            context_factory=lambda: self.get_context(request, *args, **kwargs),
            title=self.seo_title or self.title,
            page=self,
            feed_kind=self.feed_kind,
        )


class HomePage(CachedServeMixin, Page):
    intro = RichTextField(_("导语"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.NoticeIndexPage"]
    max_count = 1
    template = "cms/shell.html"
    fragment_template = "cms/home_page.html"

    class Meta:
        verbose_name = _("首页")

    def get_context(self, request, *args, **kwargs):
        from cms import selectors
        from cms.figures import key_figures

        context = super().get_context(request, *args, **kwargs)
        context["sections"] = selectors.latest_by_kind(limit=5)
        context["figures"] = key_figures(today=timezone.localdate())
        return context


class NoticeIndexPage(CachedServeMixin, Page):
    kind = models.CharField(_("公告类别"), max_length=10, choices=NoticeKind.choices, unique=True)
    intro = RichTextField(_("导语"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("kind"), FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NoticePage"]
    template = "cms/shell.html"
    fragment_template = "cms/notice_index_page.html"

    class Meta:
        verbose_name = _("公告栏目")

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import notice_list_context

        context = super().get_context(request, *args, **kwargs)
        context.update(notice_list_context(request, kind=self.kind))
        return context


class NoticePageForm(WagtailAdminPageForm):
    """Disables the marketplace-fact inputs of a sourced notice: Django ignores posted values of
    disabled fields, so a tampered form cannot change them either."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.source_key:
            for name in LOCKED_FORM_FIELDS:
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("来自交易系统，不可修改 / from the marketplace, read-only")

    def clean_slug(self):
        """A new notice with a Chinese title gets a short ASCII slug (20261129-1), not a long percent-encoded
        URL; an editor's own ASCII slug and the slugs of existing notices are kept."""
        slug = self.cleaned_data.get("slug", "")
        if self.instance.pk is not None or (slug and slug.isascii()) or self.parent_page is None:
            return slug
        stem, n = timezone.localdate().strftime("%Y%m%d"), 1
        while not Page._slug_is_available(f"{stem}-{n}", self.parent_page, self.instance):
            n += 1
        return f"{stem}-{n}"

    def clean(self):
        cleaned = super().clean()
        parent = self.parent_page
        if parent is not None and not self.instance.kind:
            kind = getattr(parent.specific, "kind", "")
            self.instance.kind = kind
        return cleaned


class NoticeBody(blocks.StreamBlock):
    heading = blocks.CharBlock(label=_("小标题"), form_classname="title")
    paragraph = blocks.RichTextBlock(label=_("段落"), features=["bold", "italic", "link", "ol", "ul"])
    quote = blocks.BlockQuoteBlock(label=_("引用"))
    document = DocumentChooserBlock(label=_("文件"))


class NoticePage(Page):
    kind = models.CharField(_("公告类别"), max_length=10, choices=NoticeKind.choices, db_index=True)
    published_on = models.DateField(_("发布日期"), default=timezone.localdate, db_index=True)
    region = models.ForeignKey("marketplace.Region", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("区域"))
    service_type = models.ForeignKey("marketplace.ServiceType", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("服务类型"))
    selection_method = models.CharField(_("选取方式"), max_length=12, choices=Project.Method.choices, blank=True)
    # The marketplace object this notice describes; `source_key` makes event replays idempotent.
    source_key = models.CharField(_("来源键"), max_length=120, unique=True, null=True, blank=True, editable=False)
    source_action = models.CharField(_("来源事件"), max_length=60, blank=True, editable=False)
    # Id of the last audit entry applied: older or repeated entries are skipped, so replaying the
    # history (or a late, out-of-order delivery) cannot flip a notice back.
    source_entry_id = models.BigIntegerField(_("来源审计记录"), null=True, blank=True, editable=False)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True, editable=False)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True, editable=False)
    facts = models.JSONField(_("交易信息"), default=dict, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)
    withdrawn_reason = models.TextField(_("撤回原因"), blank=True, editable=False)
    editor_note = RichTextField(_("编辑说明"), blank=True,
                                help_text=_("编辑可补充的解释性文字；交易信息不可修改"))
    body = StreamField(NoticeBody(), verbose_name=_("正文"), blank=True, use_json_field=True)

    base_form_class = NoticePageForm
    content_panels = [
        *Page.content_panels,
        FactsPanel(heading=_("交易信息（只读）")),
        MultiFieldPanel([FieldPanel("published_on"), FieldPanel("region"), FieldPanel("service_type"),
                         FieldPanel("selection_method")], heading=_("分类")),
        FieldPanel("editor_note"),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("附件")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("search_text"),
        index.FilterField("kind"),
        index.FilterField("published_on"),
    ]
    parent_page_types = ["cms.NoticeIndexPage"]
    subpage_types: list[str] = []
    exclude_fields_in_copy = ["source_key", "source_entry_id", "withdrawn_at", "withdrawn_reason"]
    template = "cms/shell.html"

    class Meta:
        ordering = ["-published_on", "-id"]
        verbose_name = _("公告")
        verbose_name_plural = _("公告")

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def get_admin_display_title(self):
        title = super().get_admin_display_title()
        return f"[{_('已撤回')}] {title}" if self.is_withdrawn else title

    def search_text(self) -> str:
        """Title, facts and editorial text pre-segmented with jieba, so the database backend's
        whitespace tokenizer (SQLite FTS5, PostgreSQL tsvector) sees Chinese words."""
        from django.utils.html import strip_tags

        from cms.search import segment

        parts = [self.title, strip_tags(self.editor_note or "")]
        parts += [str(value) for value in (self.facts or {}).values() if value not in (None, "")]
        if self.body:
            parts += [strip_tags(str(text)) for text in
                      self._meta.get_field("body").get_searchable_content(self.body)]
        return segment(" ".join(parts))

    def full_clean(self, *args, **kwargs):
        # A notice's kind is its index page's kind (set before field validation requires it).
        if not self.kind and self.depth and self.depth > 1 and self.path:
            parent = self.get_parent()
            self.kind = getattr(parent.specific, "kind", "") if parent else ""
        return super().full_clean(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.pk and not is_marketplace_write():
            stored = NoticePage.objects.filter(pk=self.pk).values(*FACT_FIELDS).first()
            if stored and stored["source_key"]:
                changed = [name for name in FACT_FIELDS if getattr(self, name) != stored[name]]
                if changed:
                    raise ValidationError(
                        _("公告中来自交易系统的信息不能修改（%(fields)s） / marketplace facts of a notice "
                          "cannot be changed") % {"fields": ", ".join(changed)})

    def get_context(self, request, *args, **kwargs):
        from cms.facts import fact_rows

        context = super().get_context(request, *args, **kwargs)
        context["fact_rows"] = fact_rows(self.facts)
        context["draw"] = (self.facts or {}).get("draw")
        context["attachment_list"] = list(self.attachments.select_related("document"))
        context["related_links"] = self.related_links()
        return context

    def related_links(self) -> list[tuple[str, str]]:
        """Links to the marketplace pages of the project and agency the notice describes (by URL
        name, so a missing app just means no link)."""
        from django.urls import NoReverseMatch, reverse

        facts = self.facts or {}
        wanted = [(_("查看项目详情"), "projects:detail", facts.get("code") if self.object_type == "projects.project"
                   else None),
                  (_("查看机构主页"), "agencies:storefront", facts.get("agency_uscc") or facts.get("uscc"))]
        links = []
        for label, name, arg in wanted:
            if not arg:
                continue
            try:
                links.append((label, reverse(name, args=[arg])))
            except NoReverseMatch:
                continue
        return links

    def serve(self, request, *args, **kwargs):
        from cms.cache import render_cached

        return render_cached(
            request,
            fragment="cms/notice_page.html",
            context_factory=lambda: self.get_context(request, *args, **kwargs),
            title=self.seo_title or self.title,
            page=self,
            feed_kind=self.kind,
        )


class NoticeAttachment(Orderable):
    page = ParentalKey(NoticePage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey("wagtaildocs.Document", on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("文件"))
    title = models.CharField(_("显示名称"), max_length=200, blank=True)

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.title or self.document.title
from cms.bulletin_models import BulletinPage  # noqa: E402,F401  (registers the model)
