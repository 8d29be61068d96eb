"""Agencies (中介机构): the admitted organisation, its services, qualifications, practitioners,
and the credit ledger (the ledger lives here, below projects and ratings, because projects write
`abandon` events and eligibility reads the grade; the ratings app owns the scoring engine)."""

from decimal import Decimal

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Agency(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        REJECTED = "rejected", _("已退回")
        ADMITTED = "admitted", _("已入驻")
        SUSPENDED = "suspended", _("暂停")
        REMOVED = "removed", _("清退")
        BLACKLISTED = "blacklisted", _("黑名单")

    class EntityType(models.TextChoices):
        ENTERPRISE = "企业", _("企业")
        INSTITUTION = "事业单位", _("事业单位")
        SOCIAL = "社会组织", _("社会组织")
        INDIVIDUAL = "个体工商户", _("个体工商户")

    class Grade(models.TextChoices):
        A = "A", "A"
        B = "B", "B"
        C = "C", "C"
        D = "D", "D"

    organisation = models.OneToOneField("marketplace.Organisation", on_delete=models.PROTECT, related_name="agency")
    name = models.CharField(_("机构名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    entity_type = models.CharField(_("主体类型"), max_length=10, choices=EntityType.choices, blank=True)
    region = models.ForeignKey("marketplace.Region", on_delete=models.PROTECT, related_name="agencies")
    address = models.CharField(_("注册地址"), max_length=300, blank=True)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    legal_rep_name = models.CharField(_("法定代表人"), max_length=50, blank=True)
    legal_rep_id = models.CharField(_("法定代表人身份证号"), max_length=18, blank=True, db_index=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    description = models.TextField(_("机构简介"), blank=True)
    regions_served = models.ManyToManyField("marketplace.Region", blank=True, related_name="+",
                                            verbose_name=_("服务区域"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    admitted_at = models.DateTimeField(null=True, blank=True)
    suspended_until = models.DateField(_("暂停至"), null=True, blank=True)
    # Credit, as last computed by ratings.scoring under `credit_policy_version` (read by eligibility).
    credit_score = models.PositiveSmallIntegerField(_("信用分"), default=100)
    credit_grade = models.CharField(_("信用等级"), max_length=1, choices=Grade.choices, default=Grade.A, db_index=True)
    credit_forced = models.BooleanField(_("强制等级"), default=False)
    credit_policy_version = models.PositiveIntegerField(null=True, blank=True)
    credit_computed_at = models.DateTimeField(null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0)
    rating_mean = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    # Admission workflow.
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="agency_applications", verbose_name=_("申请人"))
    contact_id = models.CharField(_("业务授权人身份证号"), max_length=18, blank=True)
    review_due_on = models.DateField(_("审核期限"), null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(_("退回理由"), blank=True)
    status_reason = models.TextField(_("状态变更原因"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            # The public directory's order, admitted agencies only (agencies.selectors.DIRECTORY_ORDER):
            # the first page and every cursor page read 20 index entries whatever the register's size.
            models.Index("credit_grade", models.F("credit_score") * -1, "name", "id",
                         condition=Q(status="admitted"), name="perf_agency_directory"),
        ]
        verbose_name = _("中介机构")
        verbose_name_plural = _("中介机构")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ADMITTED


class AgencyService(models.Model):
    """A service the agency offers on its storefront (服务事项)."""

    class FeeBasis(models.TextChoices):
        FIXED = "fixed", _("固定价")
        RATE = "rate", _("按费率")
        NEGOTIATED = "negotiated", _("面议")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="services")
    service_type = models.ForeignKey("marketplace.ServiceType", on_delete=models.PROTECT, related_name="offers")
    fee_basis = models.CharField(_("收费方式"), max_length=12, choices=FeeBasis.choices, default=FeeBasis.FIXED)
    price_min = models.DecimalField(_("最低价（元）"), max_digits=14, decimal_places=2, null=True, blank=True,
                                    validators=[MinValueValidator(Decimal("0"))])
    price_max = models.DecimalField(_("最高价（元）"), max_digits=14, decimal_places=2, null=True, blank=True,
                                    validators=[MinValueValidator(Decimal("0"))])
    time_limit_wd = models.PositiveIntegerField(_("承诺时限（工作日）"), default=20)
    description = models.TextField(_("服务说明"), blank=True)

    class Meta:
        ordering = ["service_type_id"]
        indexes = [
            # The directory's service-type filter (EXISTS … WHERE service_type_id = ? AND agency_id = ?)
            # and "which agencies offer X" from the service type's side.
            models.Index(fields=["service_type", "agency"], name="perf_agencyservice_type"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["agency", "service_type"], name="uniq_agency_service"),
            models.CheckConstraint(condition=Q(price_min__isnull=True) | Q(price_max__isnull=True)
                                   | Q(price_min__lte=models.F("price_max")), name="service_price_range"),
        ]
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")

    def __str__(self) -> str:
        return f"{self.agency} · {self.service_type.name}"


class Qualification(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="qualifications")
    qualification_type = models.CharField(_("资质类型"), max_length=100)
    speciality = models.CharField(_("专业"), max_length=100, blank=True)
    level = models.PositiveSmallIntegerField(_("等级（1为最高）"), default=1)
    number = models.CharField(_("证书编号"), max_length=100)
    issuer = models.CharField(_("发证机关"), max_length=100, blank=True)
    issued_on = models.DateField(_("发证日期"), null=True, blank=True)
    valid_from = models.DateField(_("有效期起"), null=True, blank=True)
    valid_to = models.DateField(_("有效期至"), null=True, blank=True)
    scope = models.TextField(_("业务范围"), blank=True)
    scan = models.ForeignKey("agencies.AgencyDocument", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("证书扫描件"))

    class Meta:
        ordering = ["qualification_type", "level"]
        verbose_name = _("资质")
        verbose_name_plural = _("资质")

    def __str__(self) -> str:
        return f"{self.qualification_type} {self.level}级"

    def is_valid_on(self, day) -> bool:
        """Counts from valid_from through valid_to inclusive; stops the day after valid_to."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


class Practitioner(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="practitioners")
    name = models.CharField(_("姓名"), max_length=50)
    resident_id = models.CharField(_("身份证号"), max_length=18, unique=True)
    qualification_kind = models.CharField(_("执业资格"), max_length=100, blank=True)
    registration_number = models.CharField(_("注册证号"), max_length=100, blank=True)
    valid_to = models.DateField(_("有效期至"), null=True, blank=True)
    social_insurance = models.ForeignKey("agencies.AgencyDocument", null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+",
                                         verbose_name=_("社保证明（3个月）"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("从业人员")
        verbose_name_plural = _("从业人员")

    def __str__(self) -> str:
        return self.name


class Blacklist(models.Model):
    """A USCC barred from (re-)applying until `ends_on` (清退 + 黑名单, or the serious-dishonesty list)."""

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, db_index=True)
    reason = models.TextField(_("原因"))
    starts_on = models.DateField(_("起始日"))
    ends_on = models.DateField(_("截止日"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("黑名单")
        verbose_name_plural = _("黑名单")

    def __str__(self) -> str:
        return f"{self.uscc} → {self.ends_on}"


class CreditEvent(models.Model):
    """One line of the append-only credit ledger, linked to its cause.

    Lines are never edited or deleted; `state` moves (appeal pending → counted / voided, counted →
    repaired) only through ratings services, each move audited. A mistaken line is corrected by a new
    line in state `correction` that points at it (`corrects`) and voids it
    (`agencies.credit.correct_credit_event`).
    """

    class Code(models.TextChoices):
        EVAL_BASIC = "eval_basic", _("评价基本满意")
        EVAL_UNSAT = "eval_unsat", _("评价不满意")
        OVERDUE_MINOR = "overdue_minor", _("轻微超时")
        OVERDUE_MAJOR = "overdue_major", _("严重超时")
        COMPLAINT = "complaint", _("投诉属实")
        ABANDON = "abandon", _("放弃中选")
        VIOLATION = "violation", _("违规行为")
        PENALTY_GENERAL = "penalty_general", _("行政处罚")
        AWARD_COUNTY = "award_county", _("县级表彰")
        AWARD_CITY = "award_city", _("市级表彰")
        AWARD_PROVINCE = "award_province", _("省级表彰")
        AWARD_NATIONAL = "award_national", _("国家级表彰")
        FRAUD = "fraud", _("提供虚假材料")
        SERIOUS_DISHONESTY = "serious_dishonesty", _("严重失信名单")
        REVIEW_BASIC = "review_basic", _("报告复审基本合格")
        REVIEW_FAIL = "review_fail", _("报告复审不合格")

    class State(models.TextChoices):
        COUNTED = "counted", _("计入")
        APPEAL_PENDING = "appeal_pending", _("申诉中")
        VOIDED = "voided", _("已撤销")
        REPAIRED = "repaired", _("已修复")
        CORRECTION = "correction", _("更正")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="credit_events")
    code = models.CharField(_("事项"), max_length=20, choices=Code.choices)
    date = models.DateField(_("日期"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.COUNTED)
    cause_type = models.CharField(_("来源类型"), max_length=100, blank=True)
    cause_id = models.CharField(_("来源编号"), max_length=100, blank=True)
    cause = models.CharField(_("原因"), max_length=300)
    safety_related = models.BooleanField(_("涉及安全生产/消防/特种设备"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    # A correction line (state `correction`) names the line it voided; that line's `correction` is this one.
    corrects = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="correction", verbose_name=_("更正的记录"))

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["agency", "date"], name="credit_agency_date_idx")]
        constraints = [
            # One event per cause and code: replaying a sweep or a decision never doubles a deduction.
            models.UniqueConstraint(fields=["agency", "code", "cause_type", "cause_id"],
                                    condition=~Q(cause_id=""), name="uniq_credit_event_cause"),
            models.CheckConstraint(condition=Q(state="correction", corrects__isnull=False)
                                   | (~Q(state="correction") & Q(corrects__isnull=True)),
                                   name="credit_correction_names_its_line"),
        ]
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")

    def __str__(self) -> str:
        return f"{self.agency} {self.code} {self.date}"


def private_storage():
    """Agency documents live in storages["private"], outside the web root; a view streams them."""
    return storages["private"]


def _document_path(instance, filename):
    # The stored name never comes from the uploader: agency id + random token + extension by content.
    return f"agencies/{instance.agency_id}/{filename}"


class AgencyDocument(models.Model):
    """An uploaded scan (licence, commitment letter, social-insurance proof, certificate ...).

    Never public: only the agency's members, competent regulators and operators may fetch it.
    """

    class Kind(models.TextChoices):
        LICENCE = "licence", _("营业执照")
        COMMITMENT = "commitment", _("承诺书")
        AUTHORISATION = "authorisation", _("业务授权书")
        CONTACT_INSURANCE = "contact_insurance", _("业务授权人社保证明（3个月）")
        QUALIFICATION = "qualification", _("资质证书")
        PRACTITIONER_INSURANCE = "practitioner_insurance", _("从业人员社保证明（3个月）")
        OTHER = "other", _("其他")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    file = models.FileField(_("文件"), storage=private_storage, upload_to=_document_path, max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(default=0)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("机构材料")
        verbose_name_plural = _("机构材料")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.original_name}"


class ChangeRequest(models.Model):
    """A proposed change to a regulated field of an admitted agency, applied only once approved.

    `data` holds the proposed values; until approval the storefront keeps showing the current data
    with the note "变更审核中".
    """

    class Kind(models.TextChoices):
        LICENCE = "licence", _("营业执照")
        LEGAL_REP = "legal_rep", _("法定代表人")
        QUALIFICATION = "qualification", _("资质")
        PRACTITIONER = "practitioner", _("从业人员")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("已退回")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="change_requests")
    kind = models.CharField(_("变更事项"), max_length=16, choices=Kind.choices)
    data = models.JSONField(_("拟变更内容"), default=dict)
    document = models.ForeignKey(AgencyDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    due_on = models.DateField(_("审核期限"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("审核意见"), blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("变更申请")
        verbose_name_plural = _("变更申请")

    def __str__(self) -> str:
        return f"{self.agency} · {self.get_kind_display()} ({self.get_status_display()})"


class Case(models.Model):
    """A past engagement shown on the storefront (业绩案例). Edited directly by the agency."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="cases")
    title = models.CharField(_("项目名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True)
    client = models.CharField(_("委托单位"), max_length=200, blank=True)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("业绩案例")
        verbose_name_plural = _("业绩案例")

    def __str__(self) -> str:
        return self.title
