"""The bulletin page (月简报 / 季度通报): figures of one period for one department or region, published by
`cms.bulletins` from `oversight.bulletins.figures`. Imported by cms/models.py so Django registers it."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page


class BulletinPage(Page):
    class Kind(models.TextChoices):
        MONTH = "month", _("月简报")
        QUARTER = "quarter", _("季度通报")

    period_kind = models.CharField(_("类别"), max_length=8, choices=Kind.choices)
    period_key = models.CharField(_("期间"), max_length=10)
    scope_label = models.CharField(_("范围"), max_length=100)
    source_key = models.CharField(max_length=80, unique=True, editable=False)
    published_on = models.DateField(_("发布日期"))
    data = models.JSONField(_("数据"), default=dict, editable=False)
    spreadsheet = models.ForeignKey("wagtaildocs.Document", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("数据表（XLSX）"))

    parent_page_types = ["cms.NoticeIndexPage"]
    subpage_types: list[str] = []
    template = "cms/bulletin_page.html"

    class Meta:
        verbose_name = _("监管简报")
        verbose_name_plural = _("监管简报")

    def get_context(self, request, *args, **kwargs):
        from cms.bulletins import charts, sections

        context = super().get_context(request, *args, **kwargs)
        context.update({"sections": sections(self.data), "charts": charts(self.data)})
        return context
