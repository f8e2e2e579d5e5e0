from django.conf import settings
from django.db import models

from zhongxinzu.lib.storage import random_upload_path
from zhongxinzu.org.models import Versioned


class Output(Versioned):
    """学习成果 by one member. Speech drafts go to the leader for review before the session."""

    class Kind(models.TextChoices):
        SPEECH_DRAFT = "speech", "研讨发言材料"
        REFLECTION = "reflection", "心得体会"
        NOTES = "notes", "学习笔记"
        RESEARCH_REPORT = "research", "调研报告"
        ARTICLE = "article", "理论文章"
        PROPOSAL = "proposal", "意见建议"

    # Kinds that count as the member's written output (文章或调研报告) in the rules.
    WRITTEN_KINDS = {Kind.RESEARCH_REPORT, Kind.ARTICLE}

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "待审阅"
        APPROVED = "approved", "已审阅通过"
        RETURNED = "returned", "退回修改"

    group = models.ForeignKey("org.StudyGroup", on_delete=models.PROTECT, related_name="outputs")
    author = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="outputs")
    session = models.ForeignKey(
        "meetings.StudySession",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outputs",
    )
    kind = models.CharField("类别", max_length=12, choices=Kind.choices)
    title = models.CharField("题目", max_length=200)
    body = models.TextField("正文", blank=True)
    file = models.FileField(upload_to=random_upload_path, blank=True)
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField("审阅意见", blank=True)

    class Meta:
        verbose_name = "学习成果"
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["group", "year", "kind"]),
            models.Index(fields=["author", "year"]),
        ]

    def __str__(self):
        return self.title

    @property
    def is_speech(self) -> bool:
        return self.kind == self.Kind.SPEECH_DRAFT

    @property
    def status_label(self) -> str:
        """Only speech drafts go through review; other outputs are simply handed in."""
        if not self.is_speech and self.status == self.Status.SUBMITTED:
            return "已提交"
        return self.get_status_display()


class Conversion(models.Model):
    """成果转化: an output turned into a policy document, a measure or a solved problem."""

    class Kind(models.TextChoices):
        POLICY = "policy", "制度文件"
        MEASURE = "measure", "工作举措"
        SOLVED = "solved", "解决实际问题"

    output = models.ForeignKey(Output, on_delete=models.PROTECT, related_name="conversions")
    kind = models.CharField("转化类型", max_length=10, choices=Kind.choices)
    title = models.CharField("名称", max_length=200)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    issued_on = models.DateField("日期")
    description = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "成果转化"
        ordering = ["-issued_on", "-id"]

    def __str__(self):
        return self.title
