"""Projects (采购需求): the posting, the registrations and sealed quotes it receives, its selection,
award and contract. The service that follows lives in `projects.delivery.models`."""

from decimal import Decimal

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects import investment_code as investment_code_rules


def private_storage():
    """Contract scans live in the private storage and are streamed by a permission-checked view."""
    return storages["private"]


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
    investment_code = models.CharField(_("投资项目代码"), max_length=30, blank=True, db_index=True,
                                       validators=[investment_code_rules.validate],
                                       help_text=_("全国投资项目在线审批监管平台赋予的项目代码，如 2019-330482-48-01-012345"))
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

    # ---- requirements, selection, award and contract (all nullable or defaulted) ----------------
    class QualMode(models.TextChoices):
        ALL = "all", _("须全部具备")
        ANY = "any", _("具备其一即可")

    class InvitationThen(models.TextChoices):
        DRAW = "draw", _("随机抽取")
        LOWEST = "lowest", _("竞价选取")

    qual_mode = models.CharField(_("资质要求方式"), max_length=3, choices=QualMode.choices, default=QualMode.ALL)
    window_wd = models.PositiveSmallIntegerField(_("报名期（工作日）"), null=True, blank=True)
    status_since = models.DateTimeField(_("当前环节开始时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    # Verifiable draw: the commitment is public from publication, the secret only in the draw record.
    draw_secret = models.CharField(max_length=64, blank=True, editable=False)
    draw_commitment = models.CharField(_("抽签承诺值"), max_length=64, blank=True)
    beacon_source = models.CharField(_("公共随机信标来源"), max_length=200, blank=True)
    beacon = models.CharField(_("公共随机信标值"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("报名截止（实际）"), null=True, blank=True)
    draw_record = models.JSONField(null=True, blank=True)
    # Direct selection and invitation.
    direct_agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name=_("直接选取的机构"))
    direct_reason = models.TextField(_("直接选取理由"), blank=True)
    invited_agencies = models.ManyToManyField("agencies.Agency", blank=True, related_name="invited_projects",
                                              verbose_name=_("邀请的机构"))
    invitation_then = models.CharField(_("邀请后选取方式"), max_length=8, choices=InvitationThen.choices, blank=True)
    # Composite weights (percent); validated against the policy bounds at publication.
    price_weight = models.PositiveSmallIntegerField(_("价格权重"), null=True, blank=True)
    technical_weight = models.PositiveSmallIntegerField(_("技术权重"), null=True, blank=True)
    credit_weight = models.PositiveSmallIntegerField(_("信用权重"), null=True, blank=True)
    # Rounds (流标 and re-publication).
    round_no = models.PositiveSmallIntegerField(_("轮次"), default=1)
    previous_round = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="next_round")
    failed_reason = models.TextField(_("流标原因"), blank=True)
    cancel_reason = models.TextField(_("取消原因"), blank=True)
    # Selection outcome: the ranked USCCs and which one is currently offered the job.
    selection_order = models.JSONField(default=list, blank=True)
    selection_detail = models.JSONField(null=True, blank=True)
    offer_index = models.PositiveSmallIntegerField(default=0)
    selected = models.ForeignKey("Registration", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    selected_at = models.DateTimeField(null=True, blank=True)
    policy_version = models.PositiveIntegerField(null=True, blank=True)
    # Award.
    publicity_starts_on = models.DateField(_("公示开始"), null=True, blank=True)
    publicity_ends_on = models.DateField(_("公示结束"), null=True, blank=True)
    contract_due_on = models.DateField(_("合同签订期限"), null=True, blank=True)
    contract_signed_on = models.DateField(_("合同签订日期"), null=True, blank=True)
    contract_upload_due_on = models.DateField(_("合同上传期限"), null=True, blank=True)
    contract_file = models.FileField(_("合同扫描件"), storage=private_storage, upload_to="contracts/%Y/",
                                     blank=True)
    contract_uploaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            # The public postings list's order (projects.selectors.public_projects): a page reads its rows
            # in index order instead of sorting every posting.
            models.Index(fields=["-published_at", "-id"], name="perf_project_published"),
            # The risk scan reads the rounds closed in its window (oversight.indicators).
            models.Index(fields=["closed_at"], name="risk_project_closed"),
        ]
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

    class Offer(models.TextChoices):
        NONE = "", _("—")
        OFFERED = "offered", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        REFUSED = "refused", _("已拒绝")
        EXPIRED = "expired", _("逾期未确认")

    class Justification(models.TextChoices):
        NONE = "", _("—")
        REQUIRED = "required", _("待说明")
        SUBMITTED = "submitted", _("已说明")
        ACCEPTED = "accepted", _("已采纳")
        REJECTED = "rejected", _("未采纳")

    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    quote_submitted_at = models.DateTimeField(_("报价时间"), null=True, blank=True)
    excluded_reason = models.TextField(_("排除原因"), blank=True)
    technical_score = models.DecimalField(_("技术分"), max_digits=5, decimal_places=2, null=True, blank=True)
    offer = models.CharField(_("中选确认"), max_length=10, choices=Offer.choices, default="", blank=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    confirm_by = models.DateTimeField(_("确认期限"), null=True, blank=True)
    offer_answered_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(_("拒绝理由"), blank=True)
    justification = models.CharField(_("低价说明"), max_length=10, choices=Justification.choices, default="",
                                     blank=True)
    justification_text = models.TextField(_("低价书面说明"), blank=True)
    justification_due = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["registered_at", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "agency"], name="uniq_registration")]
        indexes = [
            # Confirmed awards by the day they were confirmed (the risk scan's award indicators): only the
            # accepted offers, a fraction of all registrations.
            models.Index(fields=["offer_answered_at"], condition=models.Q(offer="confirmed"), name="risk_registration_award"),
        ]
        verbose_name = _("报名")
        verbose_name_plural = _("报名")

    def __str__(self) -> str:
        return f"{self.project.code} · {self.agency}"


class ProjectCodeSequence(models.Model):
    """Per prefix and year counter for project codes (row-locked when a code is issued)."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="uniq_project_code_seq")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class RequiredQualification(models.Model):
    """A qualification the posting requires; `min_level` follows agencies' convention (1 is the highest)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="required_qualifications")
    qualification_type = models.CharField(_("资质类型"), max_length=100)
    min_level = models.PositiveSmallIntegerField(_("最低等级（1为最高）"), default=3)

    class Meta:
        ordering = ["id"]
        verbose_name = _("资质要求")
        verbose_name_plural = _("资质要求")

    def __str__(self) -> str:
        return f"{self.qualification_type} ≥{self.min_level}级"


class RequiredPractitioner(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="required_practitioners")
    kind = models.CharField(_("执业资格"), max_length=100)
    count = models.PositiveSmallIntegerField(_("人数"), default=1, validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["id"]
        verbose_name = _("人员要求")
        verbose_name_plural = _("人员要求")

    def __str__(self) -> str:
        return f"{self.kind} × {self.count}"


class AvoidedAgency(models.Model):
    """回避: an agency the owner excludes, always with a reason."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="avoided")
    uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    name = models.CharField(_("机构名称"), max_length=200, blank=True)
    reason = models.TextField(_("回避原因"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "uscc"], name="uniq_avoided_agency"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="avoided_reason_required"),
        ]
        verbose_name = _("回避机构")
        verbose_name_plural = _("回避机构")

    def __str__(self) -> str:
        return f"{self.uscc} ({self.reason})"


class ProjectRevision(models.Model):
    """A dated, public change to a published posting (变更公告)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("变更原因"))
    diff = models.JSONField(default=dict)
    material = models.BooleanField(_("实质性变更"), default=False)
    old_deadline = models.DateTimeField(null=True, blank=True)
    new_deadline = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project_id", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="uniq_project_revision")]
        verbose_name = _("变更公告")
        verbose_name_plural = _("变更公告")

    def __str__(self) -> str:
        return f"{self.project.code} 变更{self.number}"


class Objection(models.Model):
    """质疑 against a result, filed by a registrant inside publicity and answered by the regulator."""

    class Outcome(models.TextChoices):
        PENDING = "", _("待答复")
        REJECTED = "rejected", _("质疑不成立")
        UPHELD = "upheld", _("质疑成立")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="objections")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="objections")
    text = models.TextField(_("质疑内容"))
    filed_at = models.DateTimeField()
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answer_due_on = models.DateField(_("答复期限"))
    outcome = models.CharField(_("答复结果"), max_length=10, choices=Outcome.choices, default="", blank=True)
    answer = models.TextField(_("答复"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["filed_at", "id"]
        verbose_name = _("质疑")
        verbose_name_plural = _("质疑")

    def __str__(self) -> str:
        return f"{self.project.code} 质疑#{self.pk}"

    @property
    def is_open(self) -> bool:
        return not self.outcome


# Delivery's models belong to this app (app_label "projects"); importing them here registers them.
from projects.delivery.models import (  # noqa: E402,F401
    ClockPause,
    Deliverable,
    DeliverableFile,
    Extension,
    ServiceJob,
)

# Clarifications, posting attachments and job messages (docs/rules.md §12).
from projects.talk_models import (  # noqa: E402,F401
    Clarification,
    JobMessage,
    JobMessageFile,
    PostingAttachment,
)
