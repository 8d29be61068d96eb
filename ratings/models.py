"""Ratings, appeals, complaints, credit repair, sanctions and the grade history (docs/rules.md §8–9).

The credit ledger itself is `agencies.models.CreditEvent`; the score is computed by `ratings.scoring`.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

STAR = [MinValueValidator(1), MaxValueValidator(5)]

# (field name, label) of the five mandatory dimensions, in form order.
DIMENSIONS = [
    ("quality", _("服务质量")),
    ("timeliness", _("服务时效")),
    ("attitude", _("服务态度")),
    ("fee", _("服务收费")),
    ("conduct", _("服务规范")),
]


class Rating(models.Model):
    """The owner's rating of one accepted job. Created pending on acceptance; rated once, in the window."""

    class Result(models.TextChoices):
        SATISFIED = "满意", _("满意")
        BASIC = "基本满意", _("基本满意")
        UNSATISFIED = "不满意", _("不满意")

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="ratings")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="ratings")
    owner = models.ForeignKey("marketplace.Organisation", on_delete=models.PROTECT, related_name="ratings_given")
    accepted_on = models.DateField(_("验收日期"))
    due_on = models.DateField(_("评价截止日"))
    quality = models.PositiveSmallIntegerField(_("服务质量"), null=True, blank=True, validators=STAR)
    timeliness = models.PositiveSmallIntegerField(_("服务时效"), null=True, blank=True, validators=STAR)
    attitude = models.PositiveSmallIntegerField(_("服务态度"), null=True, blank=True, validators=STAR)
    fee = models.PositiveSmallIntegerField(_("服务收费"), null=True, blank=True, validators=STAR)
    conduct = models.PositiveSmallIntegerField(_("服务规范"), null=True, blank=True, validators=STAR)
    mean = models.DecimalField(_("平均分"), max_digits=3, decimal_places=2, null=True, blank=True)
    result = models.CharField(_("评价结果"), max_length=8, choices=Result.choices, blank=True)
    reason = models.TextField(_("评价说明"), blank=True)
    automatic = models.BooleanField(_("系统默认评价"), default=False)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    rated_at = models.DateTimeField(null=True, blank=True)
    rated_on = models.DateField(_("评价日期"), null=True, blank=True)
    policy_version = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-accepted_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "agency"], name="uniq_rating_project_agency"),
            models.CheckConstraint(condition=Q(result="") | Q(mean__isnull=False) | Q(automatic=True),
                                   name="rating_result_has_mean"),
        ]
        verbose_name = _("服务评价")
        verbose_name_plural = _("服务评价")

    def __str__(self) -> str:
        return f"{self.project.code} · {self.agency} · {self.result or _('待评价')}"

    @property
    def is_rated(self) -> bool:
        return bool(self.result)

    def scores(self) -> list[int | None]:
        return [getattr(self, name) for name, _label in DIMENSIONS]


class Appeal(models.Model):
    """The agency's appeal (申诉) against a 基本满意/不满意 rating."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待处理")
        UPHELD = "upheld", _("申诉成立")
        REJECTED = "rejected", _("申诉驳回")

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="appeal")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="appeals")
    reason = models.TextField(_("申诉理由"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_on = models.DateField(_("申诉日期"))
    filed_at = models.DateTimeField()
    decide_by = models.DateField(_("处理期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("处理意见"), blank=True)

    class Meta:
        ordering = ["decide_by", "id"]
        verbose_name = _("评价申诉")
        verbose_name_plural = _("评价申诉")

    def __str__(self) -> str:
        return f"{self.agency} · {self.get_status_display()}"


class Complaint(models.Model):
    """A complaint (投诉) against an agency, assigned to the competent regulator."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        VERIFIED = "verified", _("属实")
        DISMISSED = "dismissed", _("不属实")

    class Source(models.TextChoices):
        OWNER = "owner", _("项目业主")
        AGENCY = "agency", _("中介机构")
        PUBLIC = "public", _("公众")

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="complaints")
    project = models.ForeignKey("projects.Project", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="complaints")
    source = models.CharField(_("投诉人类型"), max_length=8, choices=Source.choices)
    complainant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    complainant_org = models.ForeignKey("marketplace.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    text = models.TextField(_("投诉内容"))
    filed_on = models.DateField(_("投诉日期"))
    filed_at = models.DateTimeField()
    respond_by = models.DateField(_("答复期限"))
    regulator = models.ForeignKey("marketplace.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="complaints_assigned", verbose_name=_("承办监管部门"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(_("答复"), blank=True)

    class Meta:
        ordering = ["respond_by", "id"]
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")

    def __str__(self) -> str:
        return f"{self.agency} · {self.get_status_display()}"


class RepairApplication(models.Model):
    """Credit repair (信用修复) of an administrative penalty after its minimum publicity."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已修复")
        REJECTED = "rejected", _("不予修复")

    event = models.ForeignKey("agencies.CreditEvent", on_delete=models.PROTECT, related_name="repairs")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="repairs")
    reason = models.TextField(_("修复理由（整改情况）"))
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    applied_on = models.DateField(_("申请日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        ordering = ["applied_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event"], condition=Q(status="pending"), name="uniq_pending_repair"),
        ]
        verbose_name = _("信用修复申请")
        verbose_name_plural = _("信用修复申请")

    def __str__(self) -> str:
        return f"{self.agency} · {self.event.code} · {self.get_status_display()}"


class Sanction(models.Model):
    class Kind(models.TextChoices):
        SUSPEND_D = "suspend_d", _("D级暂停")
        SUSPEND_ABANDON = "suspend_abandon", _("放弃中选暂停")
        REMOVAL = "removal", _("清退")
        BLACKLIST = "blacklist", _("黑名单")

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="sanctions")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    starts_on = models.DateField(_("起始日"))
    ends_on = models.DateField(_("截止日"), null=True, blank=True)
    cause = models.CharField(_("原因"), max_length=300)
    policy_version = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["agency", "kind", "starts_on"], name="uniq_sanction")]
        verbose_name = _("信用惩戒")
        verbose_name_plural = _("信用惩戒")

    def __str__(self) -> str:
        return f"{self.agency} · {self.get_kind_display()} {self.starts_on}–{self.ends_on or '∞'}"

    def in_force(self, on) -> bool:
        return self.lifted_at is None and self.starts_on <= on and (self.ends_on is None or on < self.ends_on)


class GradeChange(models.Model):
    """The grade history: one row whenever a recomputation changes an agency's grade (feeds sanctions)."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="grade_changes")
    date = models.DateField()
    grade = models.CharField(max_length=1)
    previous = models.CharField(max_length=1, blank=True)
    score = models.PositiveSmallIntegerField()
    forced = models.BooleanField(default=False)
    policy_version = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["agency", "date"], name="grade_change_agency_idx")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.previous}→{self.grade} {self.date}"
