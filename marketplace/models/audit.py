from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """Append-only, hash-chained record of every state change. Written only by `marketplace.audit.record`.

    On PostgreSQL a trigger refuses UPDATE and DELETE; `manage.py verify_audit` re-walks the chain.
    """

    created_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_repr = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(
        "marketplace.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=100, blank=True)
    data = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # 1: entries written before actor_repr was hashed; 2: every stored column is hashed (marketplace.audit).
    hash_version = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """Single row holding the chain's last hash; locking it serialises writers so the chain never forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    count = models.PositiveBigIntegerField(default=0)


class AuditAnchor(models.Model):
    """The chain head as published once a day (entry number, its hash, the date): `marketplace.anchors`.

    Copies of these rows are public (a notice and GET /api/audit/anchors), so a chain rewritten or cut
    after an anchor no longer matches what was published (`manage.py verify_audit --anchors`).
    """

    date = models.DateField(unique=True)
    entry_id = models.PositiveBigIntegerField()
    count = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["date"]
        verbose_name = _("审计链锚点")
        verbose_name_plural = _("审计链锚点")

    def __str__(self) -> str:
        return f"{self.date} #{self.entry_id} {self.hash[:12]}"

    def as_public(self) -> dict:
        return {"date": self.date.isoformat(), "entry": self.entry_id, "count": self.count, "hash": self.hash}
