import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """Inbox row and mail outbox: one per (key, recipient); the unique key makes every send happen exactly once.

    `mail` is the outbox state of the row's email: `pending` (to send now), `digest` (to go out in the
    recipient's daily digest), `sending` (claimed by one sender), `sent`, `skipped` (mail off, or no
    address) or `dead` (every retry failed; an operator looks at `mail_error`).
    """

    class Mail(models.TextChoices):
        PENDING = "pending", _("待发送")
        DIGEST = "digest", _("待汇总发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        SKIPPED = "skipped", _("不发邮件")
        DEAD = "dead", _("发送失败")

    key = models.CharField(max_length=200)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=50)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    deadline = models.DateTimeField(_("期限"), null=True, blank=True)
    subscription = models.ForeignKey("marketplace.Subscription", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="notifications")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    mail = models.CharField(_("邮件"), max_length=10, choices=Mail.choices, default=Mail.PENDING)
    mail_claim = models.CharField(max_length=32, blank=True)
    mail_attempts = models.PositiveSmallIntegerField(default=0)
    mail_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["key", "recipient"], name="uniq_notification_key")]
        indexes = [models.Index(fields=["mail", "next_attempt_at"], name="notification_outbox"),
                   models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """How one user wants the mail of one kind of notification: at once, in the daily digest, or not at all.

    No row means at once. The inbox row is written whatever the choice.
    """

    class Mode(models.TextChoices):
        INSTANT = "instant", _("立即发送邮件")
        DIGEST = "digest", _("每日汇总邮件")
        OFF = "off", _("不发邮件")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs")
    kind = models.CharField(_("类型"), max_length=50)
    mode = models.CharField(_("邮件"), max_length=10, choices=Mode.choices, default=Mode.INSTANT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="uniq_notification_pref")]
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}: {self.mode}"


class NotificationProfile(models.Model):
    """The language a user's messages are written in (default Simplified Chinese) and their API token's digest."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_profile")
    language = models.CharField(_("消息语言"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")

    class Meta:
        verbose_name = _("消息设置")
        verbose_name_plural = _("消息设置")

    def __str__(self) -> str:
        return f"{self.user}: {self.language}"


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Subscription(models.Model):
    """A signed-in user's standing interest in postings of some service types in some regions.

    Empty service types or regions mean "any". Matching postings, revisions and results land in the
    user's inbox (and mail or digest) and in the subscription's own feed, read at a secret token URL.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions")
    name = models.CharField(_("名称"), max_length=100)
    service_types = models.ManyToManyField("marketplace.ServiceType", blank=True, related_name="+",
                                           verbose_name=_("服务类型"))
    regions = models.ManyToManyField("marketplace.Region", blank=True, related_name="+", verbose_name=_("区域"))
    token = models.CharField(max_length=64, unique=True, default=new_token)
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("订阅")
        verbose_name_plural = _("订阅")

    def __str__(self) -> str:
        return self.name
