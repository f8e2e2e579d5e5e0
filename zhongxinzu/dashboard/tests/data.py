"""A study year for the dashboard tests, on fixed dates of the previous year (every month
is over): sessions, attendance, first items, outputs, problems and assessment results in
the supervised subtree (A and A1) and, as noise that must never be counted, in B."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from zhongxinzu.assessment.models import AssessmentResult, AssessmentScheme
from zhongxinzu.meetings.models import AgendaItem, Attendance, StudySession
from zhongxinzu.org.models import Membership, Person, StudyGroup, Unit
from zhongxinzu.outputs.models import Output
from zhongxinzu.plans.models import FirstItem
from zhongxinzu.supervision.models import Problem, Rectification

SHANGHAI = ZoneInfo("Asia/Shanghai")


def year() -> int:
    return timezone.localdate().year - 1


def at(month: int, day: int, hour: int = 9, minute: int = 0, *, y: int | None = None):
    return dt.datetime(y or year(), month, day, hour, minute, tzinfo=SHANGHAI)


def session(group, starts, *, status="recorded", kind="study", first_item=None):
    s = StudySession.objects.create(
        group=group,
        kind=kind,
        title="集体学习",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        place="第一会议室",
        status=status,
    )
    if first_item is not None:
        AgendaItem.objects.create(session=s, order=1, title=first_item.title, first_item=first_item)
    return s


def attend(s, people, statuses):
    for person, status in zip(people, statuses, strict=True):
        Attendance.objects.create(session=s, person=person, status=status)


def problem(world, group, found_on, *, closed_at=None):
    p = Problem.objects.create(
        group=group,
        source=Problem.Source.SUPERVISION,
        category="学习制度",
        description="集体学习次数偏少",
        found_on=found_on,
        raised_by=world.users["supervisor"],
    )
    Rectification.objects.create(
        problem=p,
        measures="按计划补足学习",
        deadline=found_on + dt.timedelta(days=60),
        status=Rectification.Status.CLOSED if closed_at else Rectification.Status.OPEN,
        closed_at=closed_at,
    )
    return p


def extra_group(world, code: str) -> StudyGroup:
    """One more group under A (for the query-count tests)."""
    parent = Unit.objects.get(pk=world.units["own"].pk)
    unit = parent.add_child(code=code, name=f"{code}单位党委", kind="党委")
    return StudyGroup.objects.create(unit=unit, name=f"{code}单位党委理论学习中心组")


def fill_group(world, group, *, sessions=3):
    """A small year for `group`: sessions in March and May with attendance, an output, a
    problem closed and one open, a first item studied."""
    person = Person.objects.create(
        unit=group.unit, name="学员", gender="男", post="委员", rank_order=3, phone="13800000009"
    )
    Membership.objects.create(
        group=group, person=person, role="member", role_rank=2, start_date=dt.date(year(), 1, 1)
    )
    item = FirstItem.objects.create(
        owner_unit=world.units["parent"],
        title="重要讲话",
        kind="speech",
        released_on=dt.date(year(), 3, 1),
        created_by=world.users["supervisor"],
    )
    for i in range(sessions):
        s = session(group, at(3 + 2 * (i % 2), 10 + i), first_item=item if i == 0 else None)
        attend(s, [person], ["present" if i % 2 == 0 else "absent"])
    Output.objects.create(
        group=group, author=person, kind="article", title="文章", year=year(), status="approved"
    )
    problem(world, group, dt.date(year(), 4, 2), closed_at=at(6, 1))
    problem(world, group, dt.date(year(), 6, 2))


def build(world) -> dict:
    """The year of the tests; returns the records the assertions refer to."""
    y = year()
    own, child, sibling = world.groups["own"], world.groups["child"], world.groups["sibling"]
    people = [world.people["own"]] + [
        m.person for m in Membership.objects.filter(group=own).exclude(person=world.people["own"])
    ]
    item = FirstItem.objects.create(
        owner_unit=world.units["parent"],
        title="习近平在中央经济工作会议上的重要讲话",
        kind="speech",
        released_on=dt.date(y, 1, 5),
        created_by=world.users["supervisor"],
    )
    late_item = FirstItem.objects.create(
        owner_unit=world.units["parent"],
        title="重要文章",
        kind="article",
        released_on=dt.date(y, 2, 1),
        created_by=world.users["supervisor"],
    )
    # January: two recorded sessions in A (one with the first item, 5 days after release),
    # one planned (not counted).
    s1 = session(own, at(1, 10), first_item=item)
    attend(s1, people, ["present", "present", "late", "leave"])
    s2 = session(own, at(1, 20), kind="discussion")
    attend(s2, people, ["present", "absent", "present", "present"])
    session(own, at(1, 25), status="planned")
    # 1 March 00:30 in Shanghai is still 28 February in UTC: it counts in March.
    s3 = session(own, at(3, 1, 0, 30), first_item=late_item)  # 28 days after release
    attend(s3, people, ["present", "present", "present", "present"])
    # A1: a session in March studying the January item 60 days late, one in December.
    s4 = session(child, at(3, 6), first_item=item)
    attend(s4, [world.people["child"]], ["absent"])
    session(child, at(12, 30, 20))
    # A session of the year before and one of the next year are outside the year.
    session(own, at(12, 31, 20, y=y - 1))
    session(own, at(1, 1, 1, y=y + 1))
    # B is outside the supervisor's subtree: never counted.
    b = session(sibling, at(1, 10), first_item=item)
    attend(b, [world.people["sibling"]], ["present"])
    for group, kind, status in [
        (own, "article", "approved"),
        (own, "article", "submitted"),
        (own, "research", "approved"),
        (own, "reflection", "draft"),  # drafts are not counted
        (child, "speech", "submitted"),
        (sibling, "article", "approved"),
    ]:
        Output.objects.create(
            group=group,
            author=world.people["own"]
            if group == own
            else world.people["child" if group == child else "sibling"],
            kind=kind,
            title="成果",
            year=y,
            status=status,
        )
    # Problems: one carried from the year before (closed in April), two found in May (one
    # closed in July), one in B.
    problem(world, own, dt.date(y - 1, 11, 3), closed_at=at(4, 15))
    problem(world, own, dt.date(y, 5, 6), closed_at=at(7, 1, 0, 10))  # 30 June in UTC
    problem(world, child, dt.date(y, 5, 20))
    problem(world, sibling, dt.date(y, 5, 20))
    scheme = AssessmentScheme.objects.create(
        owner_unit=world.units["own"],
        year=y,
        name=f"{y}年度考核评价方案",
        status=AssessmentScheme.Status.PUBLISHED,
        grades=[["优秀", 90], ["良好", 80], ["合格", 60], ["不合格", 0]],
    )
    for rank, (group, total, grade) in enumerate(
        [(own, "92.0", "优秀"), (child, "75.0", "合格")], start=1
    ):
        AssessmentResult.objects.create(
            scheme=scheme,
            group=group,
            total=Decimal(total),
            rank=rank,
            grade=grade,
            computed_at=timezone.now(),
        )
    return {"year": y, "item": item, "late_item": late_item, "scheme": scheme}
