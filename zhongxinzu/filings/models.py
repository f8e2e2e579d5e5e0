"""材料报送 (upward filing): a supervisor's filing task for its subtree, one submission per
group (per session for 一学一报) and the versions the group has sent.

- FilingTask: the rule — the annual materials (年度学习计划、上年度学习情况汇报、中心组成员名单)
  by a date such as 31 January, or 一学一报 (a report of each session held within N working
  days of it). It applies to every active group strictly below `owner_unit`.
- Submission: what one group owes under a task (one row per group, or per session held for
  一学一报), created by `services.submissions_sync`; `due_on` is its deadline, `status` what has
  been done; "missing" is not stored: it is a not-submitted row whose `due_on` has passed.
- SubmissionVersion: each time the group sends it (versioned: a returned submission is sent
  again as version 2, 3 …), with the documents generated at that moment.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhongxinzu.lib.storage import random_upload_path
from zhongxinzu.org.models import Versioned


class FilingTask(Versioned):
    class Kind(models.TextChoices):
        ANNUAL = "annual", "年度学习材料"
        SESSION = "session", "一学一报"

    owner_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="布置单位"
    )
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    title = models.CharField("任务名称", max_length=200)
    due_on = models.DateField("截止日期", null=True, blank=True)  # annual materials
    working_days = models.PositiveSmallIntegerField(
        "学习后几个工作日内报送", null=True, blank=True
    )  # 一学一报
    notes = models.TextField("报送要求", blank=True)
    is_active = models.BooleanField("有效", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "报送任务"
        ordering = ["-year", "kind", "-id"]
        indexes = [models.Index(fields=["owner_unit", "year"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="annual", due_on__isnull=False, working_days__isnull=True))
                | Q(kind="session", due_on__isnull=True, working_days__gte=1),
                name="filing_task_deadline_fits_kind",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def deadline_text(self) -> str:
        if self.kind == self.Kind.SESSION:
            return f"每次学习后{self.working_days}个工作日内"
        return f"{self.due_on:%Y年%m月%d日}前".replace("年0", "年").replace("月0", "月")


class Submission(Versioned):
    class Status(models.TextChoices):
        NOT_SUBMITTED = "none", "未报送"
        SUBMITTED = "submitted", "已报送"
        RETURNED = "returned", "已退回"
        ACCEPTED = "accepted", "已接收"

    task = models.ForeignKey(FilingTask, on_delete=models.PROTECT, related_name="submissions")
    group = models.ForeignKey("org.StudyGroup", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(
        "meetings.StudySession", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    due_on = models.DateField("截止日期")
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.NOT_SUBMITTED
    )
    revision = models.PositiveSmallIntegerField("版本", default=0)  # versions sent so far
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    submitted_on = models.DateField(null=True, blank=True)  # local day of submitted_at
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_reason = models.TextField("退回理由", blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "报送"
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "group"],
                condition=Q(session__isnull=True),
                name="one_submission_per_group",
            ),
            models.UniqueConstraint(
                fields=["task", "session"],
                condition=Q(session__isnull=False),
                name="one_submission_per_session",
            ),
        ]
        indexes = [
            models.Index(fields=["group", "task"]),
            models.Index(fields=["task", "status"]),
        ]

    def __str__(self):
        return f"{self.group_id} {self.task_id} {self.status}"


class SubmissionVersion(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="versions")
    revision = models.PositiveSmallIntegerField("版本")
    submitted_at = models.DateTimeField("报送时间")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField("退回理由", blank=True)

    class Meta:
        verbose_name = "报送版本"
        ordering = ["submission", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "revision"], name="one_version_number")
        ]

    def __str__(self):
        return f"{self.submission_id} v{self.revision}"


class SubmissionDocument(models.Model):
    class Kind(models.TextChoices):
        PLAN = "plan", "年度学习计划"
        REPORT = "report", "学习情况汇报"
        ROSTER = "roster", "中心组成员名单"
        SESSION = "session", "学习情况报告"

    version = models.ForeignKey(
        SubmissionVersion, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField("材料", max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("所属年度")
    name = models.CharField("文件名", max_length=200)
    file = models.FileField(upload_to=random_upload_path)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "报送材料"
        ordering = ["version", "id"]

    def __str__(self):
        return self.name
