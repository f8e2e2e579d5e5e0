from django.conf import settings
from django.db import models

from zhongxinzu.lib.storage import random_upload_path
from zhongxinzu.org.models import Versioned


class Prompt(Versioned):
    """学习提示: issued by a supervisor to every group in `issuer_unit`'s subtree."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        ISSUED = "issued", "已下发"

    issuer_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="prompts", verbose_name="下发单位"
    )
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField(
        "季度", choices=[(q, f"第{q}季度") for q in range(1, 5)]
    )
    title = models.CharField("标题", max_length=200)
    themes = models.TextField("学习主题")
    discussion_focus = models.TextField("研讨重点", blank=True)
    readings = models.TextField("学习篇目", blank=True)
    expected_outputs = models.TextField("成果要求", blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    issued_at = models.DateTimeField("下发时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "学习提示"
        ordering = ["-year", "-quarter", "-id"]
        indexes = [models.Index(fields=["issuer_unit", "year"])]

    def __str__(self):
        return self.title


class PromptAttachment(models.Model):
    prompt = models.ForeignKey(Prompt, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=random_upload_path)
    name = models.CharField("文件名", max_length=200)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name


class PromptAck(models.Model):
    prompt = models.ForeignKey(Prompt, on_delete=models.PROTECT, related_name="acks")
    group = models.ForeignKey(
        "org.StudyGroup", on_delete=models.PROTECT, related_name="prompt_acks"
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prompt", "group"], name="prompt_ack_once")]

    def __str__(self):
        return f"{self.group} 签收 {self.prompt}"


class FirstItem(models.Model):
    """第一议题 pool item: a major speech, article or instruction with its release date.
    Visible to `owner_unit`'s subtree."""

    class Kind(models.TextChoices):
        SPEECH = "speech", "重要讲话"
        ARTICLE = "article", "重要文章"
        INSTRUCTION = "instruction", "重要指示批示"
        DECISION = "decision", "中央决策部署"

    owner_unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="first_items",
        verbose_name="议题库所属单位",
    )
    title = models.CharField("题目", max_length=300)
    kind = models.CharField("类别", max_length=12, choices=Kind.choices)
    released_on = models.DateField("发布日期")
    source = models.CharField("出处", max_length=200, blank=True)
    summary = models.TextField("要点", blank=True)
    restricted = models.BooleanField("限定范围学习", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "第一议题"
        ordering = ["-released_on", "-id"]
        indexes = [models.Index(fields=["owner_unit", "released_on"])]

    def __str__(self):
        return self.title


class YearPlan(Versioned):
    """年度学习计划: draft → submitted to the leader → approved → filed upward."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "待组长审批"
        APPROVED = "approved", "已审批"
        FILED = "filed", "已报备"

    group = models.ForeignKey("org.StudyGroup", on_delete=models.PROTECT, related_name="plans")
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("标题", max_length=200)
    guidance = models.TextField("指导思想与总体要求", blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(null=True, blank=True)
    return_comment = models.TextField("退回意见", blank=True)

    class Meta:
        verbose_name = "年度学习计划"
        constraints = [models.UniqueConstraint(fields=["group", "year"], name="one_plan_a_year")]

    def __str__(self):
        return self.title


class PlanTopic(models.Model):
    """专题: one line of the plan, by month or by quarter."""

    plan = models.ForeignKey(YearPlan, on_delete=models.CASCADE, related_name="topics")
    order = models.PositiveSmallIntegerField("序号", default=1)
    title = models.CharField("专题", max_length=200)
    month = models.PositiveSmallIntegerField("月份", null=True, blank=True)
    quarter = models.PositiveSmallIntegerField("季度", null=True, blank=True)
    form = models.CharField("学习形式", max_length=20, blank=True)
    lead = models.ForeignKey(
        "org.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="领学/主讲",
    )
    prompt = models.ForeignKey(
        Prompt,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="来自学习提示",
    )
    content = models.TextField("学习内容", blank=True)

    class Meta:
        ordering = ["plan_id", "order", "id"]

    def __str__(self):
        return self.title
