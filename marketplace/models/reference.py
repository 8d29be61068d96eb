from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """Administrative region (GB/T 2260 code), a tree: province → city → county."""

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A competent department (行业主管部门) that owns service types in the catalogue."""

    name = models.CharField(_("主管部门"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("主管部门")
        verbose_name_plural = _("主管部门")

    def __str__(self) -> str:
        return self.name


class ServiceType(models.Model):
    code = models.CharField(_("编码"), max_length=10, primary_key=True)
    name = models.CharField(_("服务类型"), max_length=100)
    name_en = models.CharField(_("英文名"), max_length=150, blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="service_types")
    qualification = models.CharField(_("通常要求的资质"), max_length=100, blank=True)
    typical_limit_wd = models.PositiveIntegerField(_("常见时限（工作日）"), default=20)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("服务类型")
        verbose_name_plural = _("服务类型")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
