from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicyVersion(models.Model):
    """An immutable version of the policy numbers; the newest is in force.

    Anything computed under a policy stores `version` so the result can be reproduced later.
    """

    version = models.PositiveIntegerField(_("版本"), primary_key=True)
    name = models.CharField(_("名称"), max_length=50, default="RP-1")
    data = models.JSONField(_("参数"))
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("政策参数版本")
        verbose_name_plural = _("政策参数版本")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"
