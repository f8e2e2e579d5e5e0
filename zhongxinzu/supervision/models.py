from django.conf import settings
from django.db import models

from zhongxinzu.lib.storage import random_upload_path
from zhongxinzu.org.models import Versioned


class Expert(Versioned):
    """A member of a supervising unit's expert pool (专家库): a person on the roster of any
    unit, or an outside expert."""

    owner_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="experts", verbose_name="专家库所属单位"
    )
    person = models.ForeignKey(
        "org.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expert_roles",
        verbose_name="对应人员",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expert_roles",
        verbose_name="登录账号",
    )
    name = models.CharField("姓名", max_length=40)
    field = models.CharField("研究领域", max_length=100, blank=True)
    title = models.CharField("职务/职称", max_length=100, blank=True)
    employer = models.CharField("工作单位", max_length=100, blank=True)
    # The unit the expert works in, when it is in the tree: a team never visits it.
    home_unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="所在单位（本系统内）",
    )
    availability = models.CharField("可参加时间", max_length=200, blank=True)
    is_active = models.BooleanField("在库", default=True)

    class Meta:
        verbose_name = "专家"
        ordering = ["owner_unit_id", "name", "id"]

    def __str__(self):
        return self.name


class ObservationTeam(Versioned):
    """旁听组 of one supervising unit for one year."""

    owner_unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="observation_teams",
        verbose_name="督导单位",
    )
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("名称", max_length=60)
    members = models.ManyToManyField(Expert, through="TeamMember", related_name="teams")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "旁听组"
        ordering = ["owner_unit_id", "year", "name"]

    def __str__(self):
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(ObservationTeam, on_delete=models.CASCADE, related_name="memberships")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="team_memberships")
    is_leader = models.BooleanField("组长", default=False)

    class Meta:
        verbose_name = "旁听组成员"
        constraints = [models.UniqueConstraint(fields=["team", "expert"], name="team_member_once")]

    def __str__(self):
        return f"{self.team}: {self.expert}"


class VisitPlan(Versioned):
    """A period's observation plan for a subtree; proposed by the platform, edited and
    published by the supervisor."""

    class Mode(models.TextChoices):
        TEAMS = "teams", "旁听组旁听"
        CROSS = "cross", "交叉旁听（结对子）"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    owner_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="visit_plans", verbose_name="督导单位"
    )
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("名称", max_length=120)
    period_start = models.DateField("开始日期")
    period_end = models.DateField("结束日期")
    mode = models.CharField("方式", max_length=10, choices=Mode.choices, default=Mode.TEAMS)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Groups the proposal could not cover, with the reason: [{"group": id, "reason": "..."}].
    uncovered = models.JSONField("未能安排", default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "旁听计划"
        ordering = ["-year", "-id"]

    def __str__(self):
        return self.title


class ObservationVisit(Versioned):
    """One visit to one group's session: 会前对接审核 → 会中现场点评 → 会后访谈调研 → 反馈整改."""

    class Stage(models.TextChoices):
        PLANNED = "planned", "已安排"
        BEFORE = "before", "会前对接审核"
        DURING = "during", "会中现场点评"
        AFTER = "after", "会后访谈调研"
        FEEDBACK = "feedback", "反馈整改"
        CLOSED = "closed", "已完成"

    plan = models.ForeignKey(
        VisitPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="visits"
    )
    group = models.ForeignKey("org.StudyGroup", on_delete=models.PROTECT, related_name="visits")
    team = models.ForeignKey(
        ObservationTeam, null=True, blank=True, on_delete=models.PROTECT, related_name="visits"
    )
    # In cross-observation the observers are a peer group instead of a team.
    observer_group = models.ForeignKey(
        "org.StudyGroup", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    session = models.ForeignKey(
        "meetings.StudySession",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    planned_on = models.DateField("计划日期")
    stage = models.CharField("阶段", max_length=10, choices=Stage.choices, default=Stage.PLANNED)
    materials_due = models.DateField("材料报送期限", null=True, blank=True)
    materials_sent_at = models.DateTimeField(null=True, blank=True)
    checklist = models.JSONField("会前审核清单", default=dict, blank=True)
    onsite_comments = models.TextField("现场点评", blank=True)
    interview_notes = models.TextField("访谈记录", blank=True)
    summary_overall = models.TextField("总体评价", blank=True)
    summary_highlights = models.TextField("特色亮点", blank=True)
    summary_problems = models.TextField("存在问题", blank=True)
    summary_due = models.DateField("总结提交期限", null=True, blank=True)
    summary_submitted_at = models.DateTimeField(null=True, blank=True)
    feedback_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "列席旁听"
        ordering = ["-planned_on", "-id"]
        indexes = [
            models.Index(fields=["group", "planned_on"]),
            models.Index(fields=["team", "planned_on"]),
        ]

    def __str__(self):
        return f"{self.planned_on} {self.group}"


class ScoreTemplate(models.Model):
    """A score sheet (旁听记录表) template; owner_unit null = the platform default."""

    owner_unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("名称", max_length=100)
    # Grade thresholds, highest first: [["好", 90], ["较好", 80], ["一般", 60], ["差", 0]].
    grades = models.JSONField("等次", default=list)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "评分表模板"

    def __str__(self):
        return self.name


class ScoreItem(models.Model):
    template = models.ForeignKey(ScoreTemplate, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(default=1)
    title = models.CharField("评分项目", max_length=100)
    points = models.PositiveSmallIntegerField("分值")
    guidance = models.CharField("评分要点", max_length=300, blank=True)

    class Meta:
        verbose_name = "评分项"
        ordering = ["template_id", "order", "id"]

    def __str__(self):
        return self.title


class ScoreSheet(Versioned):
    """One observer's scores for one visit."""

    visit = models.ForeignKey(ObservationVisit, on_delete=models.PROTECT, related_name="sheets")
    observer = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="sheets")
    template = models.ForeignKey(ScoreTemplate, on_delete=models.PROTECT, related_name="+")
    remarks = models.TextField("总体意见", blank=True)
    total = models.DecimalField("总分", max_digits=5, decimal_places=1, null=True, blank=True)
    grade = models.CharField("等次", max_length=10, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "旁听评分表"
        constraints = [
            models.UniqueConstraint(fields=["visit", "observer"], name="one_sheet_per_observer")
        ]

    def __str__(self):
        return f"{self.visit} · {self.observer}"


class ScoreEntry(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(ScoreItem, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField("得分", max_digits=4, decimal_places=1)
    remark = models.CharField("扣分说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "评分记录"
        constraints = [models.UniqueConstraint(fields=["sheet", "item"], name="one_score_per_item")]

    def __str__(self):
        return f"{self.item}: {self.score}"


class Problem(Versioned):
    """问题清单 entry; every problem gets a rectification entry (整改清单)."""

    class Source(models.TextChoices):
        OBSERVATION = "observation", "列席旁听"
        INSPECTION = "inspection", "巡察"
        SUPERVISION = "supervision", "督导检查"
        SELF_CHECK = "self_check", "自查"

    group = models.ForeignKey("org.StudyGroup", on_delete=models.PROTECT, related_name="problems")
    source = models.CharField("来源", max_length=12, choices=Source.choices)
    visit = models.ForeignKey(
        ObservationVisit, null=True, blank=True, on_delete=models.PROTECT, related_name="problems"
    )
    category = models.CharField("类别", max_length=40)
    description = models.TextField("问题描述")
    evidence = models.TextField("依据", blank=True)
    found_on = models.DateField("发现日期")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "问题"
        ordering = ["-found_on", "-id"]

    def __str__(self):
        return self.description[:40]


class Rectification(Versioned):
    """整改: measures, owner and deadline; the group reports progress, only the supervisor
    closes it (销号) or sends it back."""

    class Status(models.TextChoices):
        OPEN = "open", "整改中"
        REPORTED = "reported", "待销号"
        RETURNED = "returned", "退回整改"
        CLOSED = "closed", "已销号"

    problem = models.OneToOneField(Problem, on_delete=models.PROTECT, related_name="rectification")
    measures = models.TextField("整改措施")
    owner = models.ForeignKey(
        "org.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="责任人",
    )
    department = models.CharField("责任部门", max_length=60, blank=True)
    deadline = models.DateField("整改时限")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    return_note = models.CharField("退回意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "整改"
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self):
        return f"整改：{self.problem}"


class RectificationReport(models.Model):
    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="reports"
    )
    text = models.TextField("整改进展")
    evidence_file = models.FileField(upload_to=random_upload_path, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "整改报告"
        ordering = ["reported_at", "id"]

    def __str__(self):
        return self.text[:40]
