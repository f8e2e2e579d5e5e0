from django.conf import settings
from django.db import models

from zhongxinzu.lib.storage import random_upload_path
from zhongxinzu.org.models import Versioned


class StudySession(Versioned):
    """One study session of a group, with the "five in place" (时间、地点、人员、内容、效果)."""

    class Kind(models.TextChoices):
        COLLECTIVE_STUDY = "study", "集体学习"
        DISCUSSION = "discussion", "集中研讨"
        TOPICAL = "topical", "专题学习研讨"
        READING_CLASS = "reading", "读书班"
        LECTURE = "lecture", "专题辅导讲座"
        FIELD_STUDY = "field", "实地调研学习"
        ONLINE = "online", "线上学习"

    # Kinds that count as a discussion (研讨) and as topical study (专题) in the rules.
    DISCUSSION_KINDS = {Kind.DISCUSSION, Kind.TOPICAL}
    TOPICAL_KINDS = {Kind.TOPICAL, Kind.READING_CLASS}

    class Status(models.TextChoices):
        PLANNED = "planned", "已安排"
        HELD = "held", "已举行"
        RECORDED = "recorded", "已记录"

    group = models.ForeignKey("org.StudyGroup", on_delete=models.PROTECT, related_name="sessions")
    kind = models.CharField("学习形式", max_length=12, choices=Kind.choices)
    title = models.CharField("学习主题", max_length=200)
    topic = models.ForeignKey(
        "plans.PlanTopic",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
        verbose_name="对应计划专题",
    )
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    place = models.CharField("地点", max_length=200)
    chair = models.ForeignKey(
        "org.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="主持人",
    )
    lead_reader = models.ForeignKey(
        "org.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="领学人",
    )
    content = models.TextField("学习内容", blank=True)
    effect = models.TextField("学习效果", blank=True)
    materials = models.TextField("学习材料", blank=True)
    minutes = models.TextField("会议纪要", blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PLANNED)
    held_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "集体学习"
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["group", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.starts_at:%Y-%m-%d} {self.title}"

    @property
    def minutes_long(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class AgendaItem(models.Model):
    session = models.ForeignKey(StudySession, on_delete=models.CASCADE, related_name="agenda")
    order = models.PositiveSmallIntegerField("序号", default=1)
    title = models.CharField("议题", max_length=300)
    first_item = models.ForeignKey(
        "plans.FirstItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agenda_items",
        verbose_name="第一议题",
    )

    class Meta:
        verbose_name = "议程"
        ordering = ["session_id", "order", "id"]

    def __str__(self):
        return self.title

    @property
    def is_first_item(self) -> bool:
        return self.first_item_id is not None


class Speaker(models.Model):
    """分题到人: who speaks on which subtopic."""

    session = models.ForeignKey(StudySession, on_delete=models.CASCADE, related_name="speakers")
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    subtopic = models.CharField("发言题目", max_length=200)
    order = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name = "发言人"
        ordering = ["session_id", "order", "id"]

    def __str__(self):
        return f"{self.person}：{self.subtopic}"


class SessionAttachment(models.Model):
    session = models.ForeignKey(StudySession, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=random_upload_path)
    name = models.CharField("文件名", max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "会议附件"

    def __str__(self):
        return self.name


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", "出席"
        LATE = "late", "迟到"
        LEAVE = "leave", "请假"
        ABSENT = "absent", "缺席"

    class Method(models.TextChoices):
        ROLL_CALL = "roll_call", "秘书点名"
        QR = "qr", "扫码签到"

    ATTENDED = {Status.PRESENT, Status.LATE}

    session = models.ForeignKey(StudySession, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField("出勤", max_length=10, choices=Status.choices)
    reason = models.CharField("原因", max_length=200, blank=True)
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.ROLL_CALL)
    signed_in_at = models.DateTimeField(null=True, blank=True)
    # On the roster that day only as secretary, liaison or 列席: listed under 列席 in the
    # minutes, left out of attendance rates and owing no make-up study.
    is_attendee = models.BooleanField("列席", default=False)

    class Meta:
        verbose_name = "出勤"
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="one_roll_each")]
        indexes = [models.Index(fields=["person", "status"])]

    def __str__(self):
        return f"{self.person} {self.get_status_display()}"


class LeaveRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REFUSED = "refused", "未批准"

    session = models.ForeignKey(
        StudySession, on_delete=models.CASCADE, related_name="leave_requests"
    )
    person = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="leave_requests"
    )
    reason = models.CharField("请假事由", max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(auto_now_add=True)
    # Asked after the session had started (the rules want leave asked beforehand).
    is_late = models.BooleanField("事后请假", default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "请假"
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.person} 请假：{self.session}"


class MakeUp(models.Model):
    """补学 owed for an absence or leave; closed when the secretary confirms the evidence."""

    class Status(models.TextChoices):
        OPEN = "open", "待补学"
        SUBMITTED = "submitted", "待确认"
        CONFIRMED = "confirmed", "已完成"

    attendance = models.OneToOneField(Attendance, on_delete=models.CASCADE, related_name="makeup")
    due_date = models.DateField("补学期限")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    evidence_text = models.TextField("补学心得/笔记", blank=True)
    evidence_file = models.FileField(upload_to=random_upload_path, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    return_note = models.CharField("退回意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "补学"
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self):
        return f"补学：{self.attendance}"
