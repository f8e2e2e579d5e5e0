"""学情通报: a supervisor's bulletin on its subtree for a period, drafted from the records,
edited section by section, then issued (numbered, locked, sent to every group below)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhongxinzu.org.models import Versioned

SECTIONS = [
    ("overview", "一、总体情况"),
    ("practices", "二、经验做法"),
    ("problems", "三、存在问题"),
    ("requirements", "四、工作要求"),
]
SECTION_KEYS = [key for key, _ in SECTIONS]


class Bulletin(Versioned):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        ISSUED = "issued", "已印发"

    class Kind(models.TextChoices):
        YEAR = "year", "年度"
        HALF = "half", "半年"
        QUARTER = "quarter", "季度"
        CUSTOM = "custom", "自定义期间"

    issuer_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="bulletins", verbose_name="发文单位"
    )
    kind = models.CharField("期间类型", max_length=10, choices=Kind.choices)
    start = models.DateField("起始日期")
    end = models.DateField("截止日期")
    n = models.PositiveSmallIntegerField("半年/季度", default=0)
    title = models.CharField("标题", max_length=200)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    doc_prefix = models.CharField("发文机关代字", max_length=20)
    addressee = models.CharField("主送机关", max_length=200, blank=True)
    cc = models.CharField("抄送", max_length=200, blank=True)
    # The draft's text, edited section by section; frozen into BulletinVersion at issue.
    overview = models.TextField("一、总体情况", blank=True)
    practices = models.TextField("二、经验做法", blank=True)
    problems = models.TextField("三、存在问题", blank=True)
    requirements = models.TextField("四、工作要求", blank=True)
    # What the text was drafted from: the statistics (total, levels, rows), the problems the
    # rules found per unit, the highlights offered for 经验做法. Kept so the issued text stays
    # traceable to the figures it quotes even after the records change.
    figures = models.JSONField("统计数据快照", default=dict, blank=True)
    problem_rows = models.JSONField("问题单位", default=list, blank=True)
    highlights = models.JSONField("可选经验做法", default=list, blank=True)
    drafted_at = models.DateTimeField("生成时间", null=True, blank=True)
    number_year = models.PositiveSmallIntegerField("文号年度", null=True, blank=True)
    serial = models.PositiveIntegerField("文号序号", null=True, blank=True)
    doc_number = models.CharField("发文字号", max_length=40, blank=True)
    issued_at = models.DateTimeField("印发时间", null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "学情通报"
        verbose_name_plural = "学情通报"
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["issuer_unit", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer_unit", "number_year", "serial"],
                condition=Q(serial__isnull=False),
                name="bulletin_number_once",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(serial__isnull=False, issued_at__isnull=False),
                name="bulletin_issued_numbered",
            ),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="bulletin_span"),
        ]

    def __str__(self):
        return self.title

    @property
    def span(self):
        from zhongxinzu.stats.periods import Span

        return Span(self.kind, self.start, self.end, self.n)

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED

    def texts(self) -> dict[str, str]:
        return {key: getattr(self, key) for key in SECTION_KEYS}


class BulletinVersion(models.Model):
    """One issued text of a bulletin: number 1 at issue, each later change a new row (rows
    are never edited)."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField("版本")
    title = models.CharField("标题", max_length=200)
    addressee = models.CharField("主送机关", max_length=200, blank=True)
    cc = models.CharField("抄送", max_length=200, blank=True)
    overview = models.TextField("一、总体情况", blank=True)
    practices = models.TextField("二、经验做法", blank=True)
    problems = models.TextField("三、存在问题", blank=True)
    requirements = models.TextField("四、工作要求", blank=True)
    reason = models.CharField("修改说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "通报版本"
        ordering = ["bulletin", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["bulletin", "number"], name="bulletin_version_once")
        ]

    def __str__(self):
        return f"{self.bulletin} 第{self.number}版"

    def texts(self) -> dict[str, str]:
        return {key: getattr(self, key) for key in SECTION_KEYS}


class BulletinRecipient(models.Model):
    """A group the bulletin was sent to (every active group of the subtree at issue)."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.PROTECT, related_name="recipients")
    group = models.ForeignKey("org.StudyGroup", on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "通报接收单位"
        constraints = [
            models.UniqueConstraint(fields=["bulletin", "group"], name="bulletin_recipient_once")
        ]
        indexes = [models.Index(fields=["group", "bulletin"])]

    def __str__(self):
        return f"{self.group_id} ← {self.bulletin_id}"
