"""One row per background run (assessment computation, compliance refresh, large roster
import, long documents): who started it, for which unit and year, how far it got, and how
it ended. The queue itself is django-tasks' database backend; this row is what users see."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField("类型", max_length=40)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, verbose_name="范围")
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    # The object the work is about (e.g. the scheme), when there is one; part of what
    # makes two runs "the same job".
    target_id = models.PositiveIntegerField("对象", default=0)
    params = models.JSONField("参数", default=dict, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="发起人",
    )
    status = models.CharField("状态", max_length=10, choices=Status, default=Status.QUEUED)
    stage = models.CharField("阶段", max_length=100, blank=True)
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    result_url = models.CharField("结果链接", max_length=300, blank=True)
    result_text = models.CharField("结果", max_length=300, blank=True)
    error = models.TextField("错误原因", blank=True)
    task_id = models.CharField("队列任务", max_length=64, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "unit", "year", "target_id"],
                condition=Q(status__in=["queued", "running"]),
                name="job_one_active_per_scope",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind_label} {self.unit_id} {self.year or ''}"

    @property
    def kind_label(self) -> str:
        from zhongxinzu.jobs.registry import KINDS

        return KINDS[self.kind].label if self.kind in KINDS else self.kind

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def active(self) -> bool:
        return self.status in self.ACTIVE
