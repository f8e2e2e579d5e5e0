"""A year of records for the own group of `world`: last year, so every session is over."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from zhongxinzu.meetings.models import AgendaItem, Attendance, SessionAttachment, StudySession
from zhongxinzu.org.models import Membership
from zhongxinzu.outputs.models import Output
from zhongxinzu.plans.models import PlanTopic, YearPlan

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%archive test\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def last_year() -> int:
    return timezone.localdate().year - 1


@dataclass
class Year:
    group: object
    year: int
    plan: YearPlan
    sessions: list = field(default_factory=list)
    outputs: list = field(default_factory=list)


def _at(year: int, month: int, day: int, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def session(group, year, month, *, kind="study", title="集体学习", minutes="", status="recorded"):
    starts = _at(year, month, 10)
    return StudySession.objects.create(
        group=group,
        kind=kind,
        title=title,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        place="第一会议室",
        status=status,
        content="学习党的二十届四中全会精神。",
        effect="统一了思想。",
        minutes=minutes,
    )


def roll(session, group, *, absent=()):
    for m in Membership.objects.filter(group=group).select_related("person"):
        status = "absent" if m.person_id in absent else "present"
        Attendance.objects.create(
            session=session, person=m.person, status=status, reason="出差" if absent else ""
        )


@pytest.fixture
def year_records(world, django_capture_on_commit_callbacks) -> Year:
    """Plan; three held sessions — a study with attendance and an attachment, a discussion
    with minutes and attendance, a discussion without minutes and without attendance; a
    speech outline, a research report with its file, and one member's study notes."""
    group, year = world.groups["own"], last_year()
    plan = YearPlan.objects.create(
        group=group, year=year, title=f"{year}年度理论学习中心组学习计划", status="filed"
    )
    PlanTopic.objects.create(plan=plan, order=1, title="深入学习党的创新理论", month=3)
    leader = world.users["leader"].person
    member = world.users["member"].person
    y = Year(group=group, year=year, plan=plan)
    s1 = session(group, year, 3, title="学习党的二十届四中全会精神")
    roll(s1, group)
    AgendaItem.objects.create(session=s1, order=1, title="传达学习重要讲话精神")
    with django_capture_on_commit_callbacks(execute=True):
        SessionAttachment.objects.create(
            session=s1,
            file=ContentFile(PDF, name="material.pdf"),
            name="学习材料.pdf",
            uploaded_by=world.users["secretary"],
        )
    s2 = session(
        group,
        year,
        6,
        kind="discussion",
        title="专题研讨：推动高质量发展",
        minutes="一、会议学习了有关文件。\n二、会议要求各单位抓好落实。",
    )
    roll(s2, group, absent={member.pk})
    s3 = session(group, year, 9, kind="discussion", title="专题研讨：作风建设", status="held")
    y.sessions = [s1, s2, s3]
    now = timezone.now()
    y.outputs.append(
        Output.objects.create(
            group=group,
            author=leader,
            session=s2,
            kind="speech",
            title="关于推动高质量发展的研讨发言",
            body="一、认识\n要深刻认识高质量发展的重要意义。",
            year=year,
            status="approved",
            submitted_at=now,
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        y.outputs.append(
            Output.objects.create(
                group=group,
                author=member,
                kind="research",
                title="关于基层教育发展的调研报告",
                body="",
                file=ContentFile(PDF, name="report.pdf"),
                year=year,
                status="submitted",
                submitted_at=now,
            )
        )
    Output.objects.create(
        group=group, author=leader, kind="notes", title="学习笔记", year=year, submitted_at=now
    )
    return y
