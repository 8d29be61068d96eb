"""Risk flags: what a scan of the marketplace found, and what a regulator decided about it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskFlag(models.Model):
    """One finding of one indicator about one subject (a posting, an agency or an owner).

    `key` names the finding (kind + subject + what matched), so a re-scan updates the same row instead of
    adding one; a regulator's decision (`status`) survives re-scans.
    """

    class Kind(models.TextChoices):
        SHARED_PERSON = "shared_person", _("竞争机构关联人员")
        IDENTICAL_QUOTES = "identical_quotes", _("报价完全相同")
        CLOSE_QUOTES = "close_quotes", _("报价高度接近")
        WIN_CONCENTRATION = "win_concentration", _("中选集中于同一机构")
        SPLIT_PURCHASE = "split_purchase", _("疑似拆分规避直接选取限额")
        HIGH_WIN_RATIO = "high_win_ratio", _("中选率异常偏高")
        SHORT_WINDOW = "short_window", _("报名期过短")
        SINGLE_BIDDER = "single_bidder", _("仅一家报名仍完成选取")
        DISCOUNTED_BID = "discounted_bid", _("中选价大幅低于限价")
        HETEROGENEOUS_SUPPLIER = "heterogeneous_supplier", _("跨多个无关行业中选")
        OWNER_DELAY = "owner_delay", _("业主环节频繁逾期")

    class Subject(models.TextChoices):
        PROJECT = "project", _("采购项目")
        AGENCY = "agency", _("中介机构")
        OWNER = "owner", _("项目业主")

    class Severity(models.TextChoices):
        LOW = "low", _("低")
        MEDIUM = "medium", _("中")
        HIGH = "high", _("高")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        REVIEWING = "reviewing", _("核查中")
        DISMISSED = "dismissed", _("已排除")
        CASE = "case", _("已立案")

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("风险类型"), max_length=24, choices=Kind.choices, db_index=True)
    subject_type = models.CharField(_("对象类型"), max_length=8, choices=Subject.choices)
    subject = models.CharField(_("对象"), max_length=40, db_index=True)
    project = models.ForeignKey("projects.Project", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey("marketplace.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    # Scope: the region and the departments whose regulators see the flag (empty: any department).
    region = models.ForeignKey("marketplace.Region", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    departments = models.JSONField(default=list, blank=True)
    severity = models.CharField(_("风险等级"), max_length=8, choices=Severity.choices, db_index=True)
    metrics = models.JSONField(default=dict, blank=True)
    evidence = models.JSONField(default=list, blank=True)
    # Links to what matched: [{"type": "project" | "agency" | "owner", "id": pk, "label": text}].
    refs = models.JSONField(default=list, blank=True)
    status = models.CharField(_("处理状态"), max_length=10, choices=Status.choices, default=Status.OPEN,
                              db_index=True)
    first_seen_on = models.DateField(_("首次发现"))
    last_seen_on = models.DateField(_("最近发现"))
    policy_version = models.PositiveIntegerField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("处理意见"), blank=True)
    enforcement = models.ForeignKey("ratings.EnforcementDecision", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("执法记录"))

    class Meta:
        ordering = ["-last_seen_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(status="dismissed") | ~models.Q(decision_reason=""),
                                   name="dismissed_flag_has_reason"),
            models.CheckConstraint(condition=~models.Q(status="case") | models.Q(enforcement__isnull=False),
                                   name="case_flag_links_enforcement"),
        ]
        verbose_name = _("风险线索")
        verbose_name_plural = _("风险线索")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.subject}"
