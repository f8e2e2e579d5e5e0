from django.conf import settings
from django.db import models


class Rule(models.Model):
    """A configurable rule; its default is a RuleValue with no scope and no year."""

    class Kind(models.TextChoices):
        INT = "int", "整数"
        PERCENT = "percent", "百分比"
        BOOL = "bool", "是/否"
        MONTH_DAY = "month_day", "月-日"

    key = models.CharField(max_length=60, unique=True)
    label = models.CharField("规则", max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    unit = models.CharField("单位", max_length=20, blank=True)
    source = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = "学习规则"
        ordering = ["id"]

    def __str__(self):
        return self.label


class RuleValue(models.Model):
    """A rule's value for a subtree (`scope` and everything below it) and optionally a year.
    No scope = the national/common default."""

    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="values")
    scope = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="适用范围（含下级）",
    )
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    value = models.JSONField("取值")
    note = models.CharField("说明", max_length=200, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "规则取值"
        # (rule, scope, year) is unique; NULLs make a DB constraint unreliable on SQLite, so
        # rule_value_set enforces it.
        indexes = [models.Index(fields=["rule", "scope", "year"])]

    def __str__(self):
        return f"{self.rule}: {self.value}"


class CalendarDay(models.Model):
    """An official holiday or 调休 working day entered by the system administrator; it takes
    precedence over the chinese_calendar package (lib.workdays) and covers years the
    package does not know yet."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "放假"
        WORKDAY = "workday", "调休上班"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("名称", max_length=40, blank=True)

    class Meta:
        verbose_name = "法定节假日和调休"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name or self.get_kind_display()}"
