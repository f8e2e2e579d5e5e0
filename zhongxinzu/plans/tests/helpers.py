"""Records the study-cycle tests build: prompts, first items, plans and held sessions."""

from __future__ import annotations

import datetime as dt
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhongxinzu.meetings.models import AgendaItem, StudySession
from zhongxinzu.org.models import Membership, Person, StudyGroup, Unit
from zhongxinzu.plans.models import FirstItem, Prompt, YearPlan

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"
_codes = itertools.count(1)


def this_year() -> int:
    return timezone.localdate().year


def make_prompt(world, rel="own", *, status="issued", issued_days_ago=0, **fields) -> Prompt:
    issued_at = timezone.now() - dt.timedelta(days=issued_days_ago)
    defaults = dict(
        year=this_year(),
        quarter=1,
        title="第一季度学习提示",
        themes="1. 学习贯彻党的二十届四中全会精神\n2. 深入学习习近平经济思想",
        status=status,
        issued_at=issued_at if status == "issued" else None,
        created_by=world.users["supervisor"],
    )
    defaults.update(fields)
    return Prompt.objects.create(issuer_unit=world.units[rel], **defaults)


def make_item(world, rel="own", *, released_days_ago=10, **fields) -> FirstItem:
    defaults = dict(
        title="习近平在中央经济工作会议上的重要讲话",
        kind="speech",
        released_on=timezone.localdate() - dt.timedelta(days=released_days_ago),
        created_by=world.users["supervisor"],
    )
    defaults.update(fields)
    return FirstItem.objects.create(owner_unit=world.units[rel], **defaults)


def make_session(group, *, days_from_now=0, status="held", first_item=None, kind="study"):
    starts = timezone.now() + dt.timedelta(days=days_from_now)
    session = StudySession.objects.create(
        group=group,
        kind=kind,
        title="集体学习",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        place="第一会议室",
        status=status,
    )
    if first_item is not None:
        AgendaItem.objects.create(
            session=session, order=1, title=first_item.title, first_item=first_item
        )
    return session


def make_plan(world, rel="own", *, year=None, status="draft", **fields) -> YearPlan:
    return YearPlan.objects.create(
        group=world.groups[rel],
        year=year or this_year(),
        title=fields.pop("title", "年度学习计划"),
        status=status,
        **fields,
    )


def upload(name="材料.pdf", data=PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def add_groups(parent: Unit, n: int) -> list[StudyGroup]:
    """n child units of `parent`, each with a group and one member."""
    groups = []
    for _ in range(n):
        code = f"P{next(_codes)}"
        unit = Unit.objects.add_child(
            Unit.objects.get(pk=parent.pk), {"code": code, "name": f"单位{code}", "kind": "党委"}
        )
        group = StudyGroup.objects.create(unit=unit, name=f"单位{code}理论学习中心组")
        person = Person.objects.create(unit=unit, name=f"成员{code}", gender="男")
        Membership.objects.create(
            group=group,
            person=person,
            role="member",
            role_rank=2,
            start_date=dt.date(2020, 1, 1),
        )
        groups.append(group)
    return groups
