"""Delivery models. Status and the clock are derived from dates (projects.clock), so every page is
right whether or not the deadline sweep has run; `status` records only what people did."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["ClockPause", "Deliverable", "DeliverableFile", "Extension", "ServiceJob"]


def private_storage():
    return storages["private"]


class ServiceJob(models.Model):
    """The service an agency owes a project owner after the contract: one per project."""

    class Status(models.TextChoices):
        WAITING_MATERIALS = "waiting_materials", _("待提供资料")
        RUNNING = "running", _("服务中")
        PAUSED = "paused", _("补正暂停")
        DELIVERED = "delivered", _("成果待验收")
        RETURNED = "returned", _("退回修改")
        ACCEPTED = "accepted", _("已验收")

    # The clock runs in these statuses (the agency's turn).
    CLOCK_RUNNING = (Status.RUNNING, Status.RETURNED)
    ACTIVE = (Status.WAITING_MATERIALS, Status.RUNNING, Status.PAUSED, Status.DELIVERED, Status.RETURNED)

    project = models.OneToOneField("projects.Project", on_delete=models.PROTECT, related_name="service_job")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="service_jobs")
    limit_wd = models.PositiveIntegerField(_("服务时限（工作日）"))
    contract_signed_on = models.DateField(_("合同签订日"))
    materials_complete_on = models.DateField(_("资料齐全日"), null=True, blank=True)
    # The later of contract signing and complete materials; None until the materials are complete.
    started_on = models.DateField(_("起算日"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.WAITING_MATERIALS,
                              db_index=True)
    accepted_on = models.DateField(_("验收日"), null=True, blank=True)
    overdue_wd = models.PositiveIntegerField(_("逾期工作日"), null=True, blank=True)
    completion_event = models.CharField(_("信用事项"), max_length=20, blank=True)
    rated_on = models.DateField(_("评价日"), null=True, blank=True)
    policy_version = models.PositiveIntegerField(_("政策版本"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "projects"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(limit_wd__gte=1), name="servicejob_limit_positive"),
            models.CheckConstraint(
                condition=Q(started_on__isnull=True) | Q(started_on__gte=models.F("contract_signed_on")),
                name="servicejob_start_after_contract"),
            models.CheckConstraint(condition=~Q(status="accepted") | Q(accepted_on__isnull=False),
                                   name="servicejob_accepted_has_date"),
        ]
        verbose_name = _("服务任务")
        verbose_name_plural = _("服务任务")

    def __str__(self) -> str:
        return f"{self.project.code} · {self.agency}"


class ClockPause(models.Model):
    """A 补正 pause: the agency's written request; the owner's supply resumes the clock.

    The paused days run from `first_day` (the request day) to `last_day` (the supply day), both included.
    """

    job = models.ForeignKey(ServiceJob, on_delete=models.CASCADE, related_name="pauses")
    requested_on = models.DateField(_("申请日"))
    request = models.TextField(_("补正内容（所需资料清单）"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    first_day = models.DateField(_("暂停起始日"))
    last_day = models.DateField(_("暂停结束日"), null=True, blank=True)
    supplied_on = models.DateField(_("补正提供日"), null=True, blank=True)
    supplied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    supply_note = models.TextField(_("补正说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "projects"
        ordering = ["first_day", "id"]
        constraints = [
            models.UniqueConstraint(fields=["job"], condition=Q(last_day__isnull=True), name="one_open_pause_per_job"),
            models.CheckConstraint(condition=Q(last_day__isnull=True) | Q(last_day__gte=models.F("first_day")),
                                   name="pause_ends_after_it_begins"),
        ]
        verbose_name = _("补正暂停")
        verbose_name_plural = _("补正暂停")

    def __str__(self) -> str:
        return f"{self.job_id} {self.first_day}…{self.last_day or ''}"

    @property
    def is_open(self) -> bool:
        return self.last_day is None


class Extension(models.Model):
    """A request to extend the limit: the agency asks, the owner grants (fully or partly) or refuses."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待决定")
        GRANTED = "granted", _("同意延期")
        REFUSED = "refused", _("不同意")

    job = models.ForeignKey(ServiceJob, on_delete=models.CASCADE, related_name="extensions")
    requested_wd = models.PositiveIntegerField(_("申请延长（工作日）"))
    reason = models.TextField(_("延期理由"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(_("决定"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    granted_wd = models.PositiveIntegerField(_("同意延长（工作日）"), default=0)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "projects"
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["job"], condition=Q(decision="pending"), name="one_pending_extension"),
            models.CheckConstraint(condition=Q(requested_wd__gte=1), name="extension_requests_days"),
            models.CheckConstraint(condition=Q(granted_wd__lte=models.F("requested_wd")),
                                   name="extension_grant_within_request"),
        ]
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")

    def __str__(self) -> str:
        return f"{self.job_id} +{self.requested_wd} ({self.decision})"


class Deliverable(models.Model):
    """One submission of the service result (成果); returned ones stay as history."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待验收")
        ACCEPTED = "accepted", _("已验收")
        RETURNED = "returned", _("已退回")

    job = models.ForeignKey(ServiceJob, on_delete=models.CASCADE, related_name="deliverables")
    note = models.TextField(_("成果说明"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    submitted_on = models.DateField(_("提交日"))
    decision = models.CharField(_("验收结论"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decision_reason = models.TextField(_("退回理由"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)

    class Meta:
        app_label = "projects"
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["job"], condition=Q(decision="pending"), name="one_pending_deliverable"),
            models.UniqueConstraint(fields=["job"], condition=Q(decision="accepted"), name="one_accepted_deliverable"),
            models.CheckConstraint(condition=~Q(decision="returned") | ~Q(decision_reason=""),
                                   name="returned_deliverable_has_reason"),
        ]
        verbose_name = _("服务成果")
        verbose_name_plural = _("服务成果")

    def __str__(self) -> str:
        return f"{self.job_id} @ {self.submitted_on} ({self.decision})"


class DeliverableFile(models.Model):
    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(storage=private_storage, upload_to="deliverables/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        app_label = "projects"
        ordering = ["id"]
        verbose_name = _("成果文件")
        verbose_name_plural = _("成果文件")

    def __str__(self) -> str:
        return self.name
