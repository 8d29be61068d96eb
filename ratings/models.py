"""Ratings, appeals, complaints, credit repair, sanctions and the grade history (docs/rules.md §8–9).

The credit ledger itself is `agencies.models.CreditEvent`; the score is computed by `ratings.scoring`.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import private_storage

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


class ReportReview(models.Model):
    """The approving department's review (报告复审) of an accepted deliverable. Opened pending on
    acceptance; a covering regulator may record it once, until `due_on`; 基本合格/不合格 deduct."""

    class Outcome(models.TextChoices):
        PASS = "pass", _("合格")
        BASIC = "basic", _("基本合格")
        FAIL = "fail", _("不合格")

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="report_reviews")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="report_reviews")
    job = models.ForeignKey("projects.ServiceJob", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    deliverable = models.ForeignKey("projects.Deliverable", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    accepted_on = models.DateField(_("验收日期"))
    due_on = models.DateField(_("复审截止日"))
    outcome = models.CharField(_("复审结论"), max_length=8, choices=Outcome.choices, blank=True, db_index=True)
    reasons = models.TextField(_("复审意见"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewer_org = models.ForeignKey("marketplace.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("复审部门"))
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_on = models.DateField(_("复审日期"), null=True, blank=True)
    policy_version = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "agency"], name="uniq_review_project_agency"),
            models.CheckConstraint(condition=Q(outcome="") | Q(reviewed_on__isnull=False, reviewed_by__isnull=False),
                                   name="review_outcome_has_reviewer"),
        ]
        verbose_name = _("报告复审")
        verbose_name_plural = _("报告复审")

    def __str__(self) -> str:
        return f"{self.project.code} · {self.agency} · {self.get_outcome_display() or _('待复审')}"

    @property
    def is_reviewed(self) -> bool:
        return bool(self.outcome)


class Appeal(models.Model):
    """The agency's appeal (申诉) against a 基本满意/不满意 rating or a 基本合格/不合格 report review."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待处理")
        UPHELD = "upheld", _("申诉成立")
        REJECTED = "rejected", _("申诉驳回")

    rating = models.OneToOneField(Rating, null=True, blank=True, on_delete=models.PROTECT, related_name="appeal")
    review = models.OneToOneField(ReportReview, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="appeal")
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
        constraints = [
            models.CheckConstraint(condition=Q(rating__isnull=False, review__isnull=True)
                                   | Q(rating__isnull=True, review__isnull=False), name="appeal_has_one_subject"),
        ]
        verbose_name = _("评价申诉")
        verbose_name_plural = _("评价申诉")

    def __str__(self) -> str:
        return f"{self.agency} · {self.get_status_display()}"

    @property
    def subject(self):
        """What is appealed: the rating or the report review."""
        return self.rating if self.rating_id else self.review

    @property
    def project(self):
        return self.subject.project

    @property
    def subject_label(self) -> str:
        if self.rating_id:
            return f"{_('评价')}：{self.rating.result}"
        return f"{_('报告复审')}：{self.review.get_outcome_display()}"


TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LENGTH = 12


def new_tracking_code() -> str:
    """An unguessable complaint tracking number (查询码): 12 characters of an unambiguous alphabet (~59 bits)."""
    return "".join(secrets.choice(TRACKING_ALPHABET) for _i in range(TRACKING_LENGTH))


class Complaint(models.Model):
    """A complaint (投诉) about an agency, or about an owner's conduct in a project, assigned to the
    competent regulator. Filed online (with or without an account) or recorded by a regulator from a
    call, a letter or a visit; the complainant follows it with its tracking number."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        VERIFIED = "verified", _("属实")
        DISMISSED = "dismissed", _("不属实")

    class Source(models.TextChoices):
        OWNER = "owner", _("项目业主")
        AGENCY = "agency", _("中介机构")
        PUBLIC = "public", _("公众")

    class Channel(models.TextChoices):
        WEB = "web", _("网上投诉")
        PHONE = "phone", _("电话")
        LETTER = "letter", _("信函")
        VISIT = "visit", _("来访")

    class Target(models.TextChoices):
        AGENCY = "agency", _("中介机构")
        OWNER = "owner", _("项目业主")

    target = models.CharField(_("投诉对象"), max_length=8, choices=Target.choices, default=Target.AGENCY)
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="complaints")
    project = models.ForeignKey("projects.Project", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="complaints")
    source = models.CharField(_("投诉人类型"), max_length=8, choices=Source.choices)
    complainant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    channel = models.CharField(_("投诉渠道"), max_length=8, choices=Channel.choices, default=Channel.WEB)
    contact_name = models.CharField(_("投诉人姓名"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    contact_email = models.EmailField(_("电子邮箱"), max_length=254, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("登记人"))
    tracking_code = models.CharField(_("查询码"), max_length=16, unique=True, default=new_tracking_code,
                                     editable=False)
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
        constraints = [
            models.CheckConstraint(condition=Q(target="agency", agency__isnull=False)
                                   | Q(target="owner", project__isnull=False), name="complaint_names_its_target"),
        ]
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")

    def __str__(self) -> str:
        return f"{self.target_name} · {self.get_status_display()}"

    @property
    def target_name(self) -> str:
        """The agency complained about, or the owner and project whose conduct is."""
        if self.agency_id:
            return str(self.agency)
        return f"{self.project.owner}（{self.project.code}）"

    @property
    def region_holder(self):
        """What places the complaint in a region: the agency, or for an owner's conduct the project."""
        return self.agency if self.agency_id else self.project


class ComplaintFile(models.Model):
    """An attachment to a complaint (PDF, JPEG or PNG by content), in private storage."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(_("文件"), storage=private_storage, upload_to="complaints/%Y/%m/", max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        verbose_name = _("投诉附件")
        verbose_name_plural = _("投诉附件")

    def __str__(self) -> str:
        return self.name


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
        SUSPEND_MANUAL = "suspend_manual", _("暂停（监管决定）")

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="sanctions")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    starts_on = models.DateField(_("起始日"))
    ends_on = models.DateField(_("截止日"), null=True, blank=True)
    cause = models.CharField(_("原因"), max_length=300)
    policy_version = models.PositiveIntegerField(null=True, blank=True)
    # Imposed by a regulator's own decision (never lifted automatically), not derived by the engine.
    manual = models.BooleanField(_("监管决定"), default=False)
    imposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
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
    # Set when the ledger as it stands later no longer gives this grade on `date` (its cause was voided).
    voided_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["agency", "date"], name="grade_change_agency_idx")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.previous}→{self.grade} {self.date}"


class EnforcementDecision(models.Model):
    """A regulator's record of an administrative penalty, a violation, fraud, serious dishonesty or an award.

    Holds the decision document; the credit effect is the ledger line (`event`) written once the
    decision takes effect: at once, or for fraud and serious dishonesty only after a second regulator
    of the same body confirms (双人复核).
    """

    class Code(models.TextChoices):
        PENALTY_GENERAL = "penalty_general", _("行政处罚")
        VIOLATION = "violation", _("违规行为")
        FRAUD = "fraud", _("提供虚假材料")
        SERIOUS_DISHONESTY = "serious_dishonesty", _("严重失信名单")
        AWARD_COUNTY = "award_county", _("县级表彰")
        AWARD_CITY = "award_city", _("市级表彰")
        AWARD_PROVINCE = "award_province", _("省级表彰")
        AWARD_NATIONAL = "award_national", _("国家级表彰")

    class Status(models.TextChoices):
        PENDING = "pending", _("待复核")
        EFFECTIVE = "effective", _("已生效")
        REJECTED = "rejected", _("复核未通过")
        REVOKED = "revoked", _("已撤销")

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="enforcement_decisions")
    code = models.CharField(_("事项"), max_length=20, choices=Code.choices)
    document_number = models.CharField(_("文号"), max_length=100)
    decided_on = models.DateField(_("决定日期"))
    deciding_body = models.CharField(_("作出决定的机关"), max_length=200)
    legal_basis = models.TextField(_("法律依据"), blank=True)
    summary = models.TextField(_("事实与理由"))
    safety_related = models.BooleanField(_("涉及安全生产/消防/特种设备"), default=False)
    regulator = models.ForeignKey("marketplace.Organisation", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("录入单位"))
    department = models.ForeignKey("marketplace.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("主管部门"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, db_index=True)
    event = models.ForeignKey("agencies.CreditEvent", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("信用记录"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("录入人"))
    recorded_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("复核人"))
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirm_note = models.TextField(_("复核意见"), blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("撤销人"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_document = models.CharField(_("复议/复查决定文号"), max_length=100, blank=True)
    revoke_reason = models.TextField(_("撤销理由"), blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            # One live record per decision document, kind and agency: a document is never counted twice.
            models.UniqueConstraint(fields=["agency", "code", "document_number"],
                                    condition=Q(status__in=["pending", "effective"]), name="uniq_live_enforcement"),
            models.CheckConstraint(condition=~Q(status="effective") | Q(event__isnull=False),
                                   name="enforcement_effective_has_event"),
        ]
        verbose_name = _("执法与表彰记录")
        verbose_name_plural = _("执法与表彰记录")

    def __str__(self) -> str:
        return f"{self.agency} · {self.get_code_display()} · {self.document_number}"

    @property
    def is_award(self) -> bool:
        return self.code.startswith("award_")


def _evidence_path(instance, filename):
    # The stored name never comes from the uploader (see marketplace.uploads.stored_file).
    return f"enforcement/{instance.decision_id}/{filename}"


class EnforcementFile(models.Model):
    """An evidence file or the decision/award document of an enforcement record, in private storage."""

    decision = models.ForeignKey(EnforcementDecision, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(_("文件"), storage=private_storage, upload_to=_evidence_path, max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(default=0)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("证据材料")
        verbose_name_plural = _("证据材料")

    def __str__(self) -> str:
        return self.original_name or self.file.name
