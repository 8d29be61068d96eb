"""Projects (采购需求): the posting and the registrations/quotes it receives.

Skeleton of the shared schema; the projects issue extends it (selection, award, contract, delivery).
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Project(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("报名中")
        CLOSED = "closed", _("报名截止")
        SELECTING = "selecting", _("选取中")
        CONFIRMING = "confirming", _("待中选确认")
        PUBLICITY = "publicity", _("中选公示")
        CONTRACTING = "contracting", _("合同签订")
        IN_SERVICE = "in_service", _("服务中")
        COMPLETED = "completed", _("已完成")
        FAILED = "failed", _("流标")
        CANCELLED = "cancelled", _("已取消")

    class Method(models.TextChoices):
        DIRECT = "direct", _("直接选取")
        DRAW = "draw", _("随机抽取")
        LOWEST = "lowest", _("竞价选取")
        COMPOSITE = "composite", _("综合评审")
        INVITATION = "invitation", _("邀请")

    class Funding(models.TextChoices):
        FISCAL = "fiscal", _("财政资金")
        STATE = "state", _("国有资金")
        SOCIAL = "social", _("社会资金")

    code = models.CharField(_("项目编号"), max_length=30, unique=True)
    owner = models.ForeignKey("marketplace.Organisation", on_delete=models.PROTECT, related_name="projects")
    title = models.CharField(_("项目名称"), max_length=200)
    investment_code = models.CharField(_("投资项目代码"), max_length=30, blank=True)
    service_type = models.ForeignKey("marketplace.ServiceType", on_delete=models.PROTECT, related_name="projects")
    region = models.ForeignKey("marketplace.Region", on_delete=models.PROTECT, related_name="projects")
    scope = models.TextField(_("服务范围"), blank=True)
    ceiling = models.DecimalField(_("最高限价（元）"), max_digits=14, decimal_places=2,
                                  validators=[MinValueValidator(Decimal("0.01"))])
    floor = models.DecimalField(_("最低限价（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    funding = models.CharField(_("资金来源"), max_length=10, choices=Funding.choices)
    method = models.CharField(_("选取方式"), max_length=12, choices=Method.choices)
    urgent = models.BooleanField(_("紧急"), default=False)
    requested_limit_wd = models.PositiveIntegerField(_("服务时限（工作日）"), default=20)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    registration_deadline = models.DateTimeField(_("报名截止时间"), null=True, blank=True)
    awarded_price = models.DecimalField(_("中选价（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(floor__isnull=True) | models.Q(floor__lte=models.F("ceiling")),
                                   name="project_floor_le_ceiling"),
        ]
        verbose_name = _("采购项目")
        verbose_name_plural = _("采购项目")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Registration(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="registrations")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="registrations")
    registered_at = models.DateTimeField()
    quote = models.DecimalField(_("报价（元）"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["registered_at", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "agency"], name="uniq_registration")]
        verbose_name = _("报名")
        verbose_name_plural = _("报名")

    def __str__(self) -> str:
        return f"{self.project.code} · {self.agency}"
from projects.delivery.models import *  # noqa: E402,F401,F403
