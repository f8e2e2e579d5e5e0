from django.conf import settings
from django.db import models


class Notification(models.Model):
    """One reminder in a user's in-app inbox (月提醒、季安排、年考核). `key` makes sending
    idempotent: the same reminder for the same record is delivered once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=120)
    kind = models.CharField("类别", max_length=30)
    message = models.CharField("内容", max_length=300)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "提醒"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notify_once")]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.message
