from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from zhongxinzu.org.models import Versioned


class AssessmentScheme(Versioned):
    """A year's assessment scheme (考核评价方案) for a supervising unit's subtree. Publishing
    locks it and its results; a later change makes a new version."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"
        SUPERSEDED = "superseded", "已被新版本替代"

    owner_unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="assessment_schemes",
        verbose_name="考核单位",
    )
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("名称", max_length=120)
    edition = models.PositiveSmallIntegerField("版本", default=1)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    # Grade thresholds, highest first: [["优秀", 90], ["良好", 80], ["合格", 60], ["不合格", 0]].
    grades = models.JSONField("等次", default=list)
    bottom_n = models.PositiveSmallIntegerField("末位数量（约谈名单）", default=3)
    # The share (percent) this assessment carries in the unit's annual assessment.
    annual_weight = models.DecimalField(
        "在年度考核中的权重（%）",
        max_digits=4,
        decimal_places=1,
        default=Decimal(10),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "考核方案"
        ordering = ["-year", "-edition"]

    def __str__(self):
        return f"{self.name}（第{self.edition}版）"

    def converted(self, total) -> Decimal:
        """`total` converted to the points it carries in the annual assessment."""
        return (Decimal(total) * self.annual_weight / 100).quantize(Decimal("0.01"))


class Indicator(models.Model):
    """One indicator with its weight; computed from the records (metric) or scored by hand."""

    class Method(models.TextChoices):
        COMPUTED = "computed", "按记录自动计算"
        MANUAL = "manual", "人工评分"

    scheme = models.ForeignKey(
        AssessmentScheme, on_delete=models.CASCADE, related_name="indicators"
    )
    order = models.PositiveSmallIntegerField(default=1)
    name = models.CharField("指标", max_length=60)
    weight = models.DecimalField("权重（分）", max_digits=5, decimal_places=1)
    method = models.CharField("计分方式", max_length=10, choices=Method.choices)
    metric = models.CharField("计算指标", max_length=40, blank=True)
    description = models.CharField("评分说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "考核指标"
        ordering = ["scheme_id", "order", "id"]

    def __str__(self):
        return self.name


class ManualScore(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="manual_scores")
    group = models.ForeignKey("org.StudyGroup", on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField("得分", max_digits=5, decimal_places=1)
    reason = models.CharField("理由", max_length=300)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "人工评分"
        constraints = [
            models.UniqueConstraint(fields=["indicator", "group"], name="one_manual_score")
        ]

    def __str__(self):
        return f"{self.indicator}: {self.score}"


class Adjustment(models.Model):
    """加分 / 扣分 with its evidence."""

    scheme = models.ForeignKey(
        AssessmentScheme, on_delete=models.CASCADE, related_name="adjustments"
    )
    group = models.ForeignKey("org.StudyGroup", on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField("分值（扣分为负）", max_digits=4, decimal_places=1)
    reason = models.CharField("事由", max_length=300)
    evidence = models.CharField("依据", max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "加扣分"

    def __str__(self):
        return f"{self.points:+} {self.reason}"


class AssessmentResult(models.Model):
    """A group's computed result under one scheme edition; `breakdown` shows how each point
    was earned: {indicator_id: {"score", "value", "formula", "records"}}."""

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="results")
    group = models.ForeignKey(
        "org.StudyGroup", on_delete=models.PROTECT, related_name="assessment_results"
    )
    total = models.DecimalField("总分", max_digits=5, decimal_places=1)
    rank = models.PositiveIntegerField("排名")
    grade = models.CharField("等次", max_length=10)
    breakdown = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = "考核结果"
        ordering = ["scheme_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "group"], name="one_result_per_scheme")
        ]

    def __str__(self):
        return f"{self.group_id}: {self.total}（第{self.rank}名）"
