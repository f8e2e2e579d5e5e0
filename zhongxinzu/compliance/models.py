from django.conf import settings
from django.db import models

from zhongxinzu.org.models import Versioned


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


class GroupCompliance(models.Model):
    """A cached verdict of the compliance engine for one group and year, refreshed by
    `manage.py refresh_compliance` (cron). Only the subtree overview's totals and status
    filters read it, and only for subtrees too large to evaluate on every request; the
    grid itself and every group page are always evaluated live."""

    group = models.ForeignKey("org.StudyGroup", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    worst = models.CharField(max_length=10)
    missed = models.PositiveSmallIntegerField(default=0)
    at_risk = models.PositiveSmallIntegerField(default=0)
    statuses = models.JSONField(default=dict)  # check key -> status (for the filters)
    # One letter per engine.CHECKS entry, in order (engine.STATUS_CODES): totals for 5,000
    # groups are counted from these short strings without decoding any JSON.
    codes = models.CharField(max_length=40, default="")
    as_of = models.DateField()
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = "规则落实统计快照"
        constraints = [
            models.UniqueConstraint(fields=["group", "year"], name="one_snapshot_a_year")
        ]
        indexes = [models.Index(fields=["year", "worst"])]

    def __str__(self):
        return f"{self.group_id} {self.year} {self.worst}"


class AnnualReportText(Versioned):
    """The narrative parts of a group's annual report (学习情况汇报), edited before download;
    every figure of the report is computed from the records when it is generated."""

    group = models.ForeignKey("org.StudyGroup", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    intro = models.TextField("开头语", blank=True)
    practices = models.TextField("主要做法与成效", blank=True)
    problems = models.TextField("存在问题", blank=True)
    next_steps = models.TextField("下步打算", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "学习情况汇报文稿"
        constraints = [
            models.UniqueConstraint(fields=["group", "year"], name="one_report_text_a_year")
        ]

    def __str__(self):
        return f"{self.group_id} {self.year}年学习情况汇报"
