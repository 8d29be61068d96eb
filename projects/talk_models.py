"""Talking about a posting and a job (docs/rules.md §12): clarifications (答疑), posting attachments and the
job's message thread. Registered through `projects.models` (app_label "projects").

The asker of a clarification is stored (the audit chain needs an actor) but never shown: selectors and
templates read only `number`, `question`, `asked_at` and the answer.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["Clarification", "JobMessage", "JobMessageFile", "PostingAttachment"]


def private_storage():
    """Posting attachments and message files are streamed by permission-checked views."""
    return storages["private"]


class Clarification(models.Model):
    """A question an eligible agency asks about an open posting, answered publicly by the owner."""

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="clarifications")
    number = models.PositiveSmallIntegerField(_("序号"))
    question = models.TextField(_("问题"))
    asked_at = models.DateTimeField(_("提问时间"))
    # Private: never rendered, never in the API or a notice.
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    answer_due = models.DateTimeField(_("答复期限"))
    answer = models.TextField(_("答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    revision = models.ForeignKey("projects.ProjectRevision", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="clarifications", verbose_name=_("随答复发布的变更公告"))

    class Meta:
        app_label = "projects"
        ordering = ["project_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="uniq_clarification_number"),
            models.CheckConstraint(condition=~Q(question=""), name="clarification_has_question"),
            models.CheckConstraint(condition=Q(answered_at__isnull=True) | ~Q(answer=""),
                                   name="clarification_answer_has_text"),
        ]
        verbose_name = _("答疑")
        verbose_name_plural = _("答疑")

    def __str__(self) -> str:
        return f"{self.project.code} 问{self.number}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class PostingAttachment(models.Model):
    """A scope document, drawing or template attached to a posting: public once the posting is."""

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to="postings/%Y/")
    name = models.CharField(_("文件名"), max_length=200)
    title = models.CharField(_("说明"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Added after publication: the revision that announced it.
    revision = models.ForeignKey("projects.ProjectRevision", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="attachments")

    class Meta:
        app_label = "projects"
        ordering = ["uploaded_at", "id"]
        verbose_name = _("采购文件附件")
        verbose_name_plural = _("采购文件附件")

    def __str__(self) -> str:
        return self.name


class JobMessage(models.Model):
    """One message in the owner ↔ agency thread of a service job; never edited after sending."""

    class Side(models.TextChoices):
        OWNER = "owner", _("业主")
        AGENCY = "agency", _("中介机构")

    job = models.ForeignKey("projects.ServiceJob", on_delete=models.PROTECT, related_name="messages")
    side = models.CharField(_("发送方"), max_length=8, choices=Side.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("内容"))
    sent_at = models.DateTimeField(_("发送时间"))
    # Read receipt: the first time a member of the other side opened the thread after it was sent.
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")

    class Meta:
        app_label = "projects"
        ordering = ["sent_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="job_message_has_body")]
        verbose_name = _("服务沟通消息")
        verbose_name_plural = _("服务沟通消息")

    def __str__(self) -> str:
        return f"{self.job_id} #{self.pk} ({self.side})"


class JobMessageFile(models.Model):
    message = models.ForeignKey(JobMessage, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(storage=private_storage, upload_to="messages/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        app_label = "projects"
        ordering = ["id"]
        verbose_name = _("消息附件")
        verbose_name_plural = _("消息附件")

    def __str__(self) -> str:
        return self.name
