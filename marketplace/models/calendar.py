from django.db import models
from django.utils.translation import gettext_lazy as _


class Holiday(models.Model):
    """A date that differs from the plain weekend rule: a holiday, or a make-up working day (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True)
    source = models.CharField(_("来源"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class CalendarYear(models.Model):
    """A year whose holiday schedule has been loaded and confirmed; other years are weekends-only."""

    year = models.PositiveIntegerField(_("年份"), primary_key=True)
    confirmed = models.BooleanField(_("已确认"), default=True)
    source = models.CharField(_("来源"), max_length=100, blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("节假日年度")
        verbose_name_plural = _("节假日年度")

    def __str__(self) -> str:
        return str(self.year)
