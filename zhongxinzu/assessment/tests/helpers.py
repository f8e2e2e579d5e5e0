"""Records for assessment tests."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from zhongxinzu.assessment import services
from zhongxinzu.assessment.models import AssessmentResult, AssessmentScheme
from zhongxinzu.meetings.models import Attendance, StudySession
from zhongxinzu.org.models import Membership, Person, StudyGroup, Unit

YEAR = 2025
_codes = itertools.count(1)


def at(month: int, day: int, hour: int = 9, year: int = YEAR) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=timezone.get_default_timezone())


def session(group, month, day, *, kind="study", status="held", minutes="", people=()):
    """A session on YEAR-month-day (09:00–12:00) with attendance rows (person, status)."""
    s = StudySession.objects.create(
        group=group,
        kind=kind,
        title=f"学习{month}-{day}",
        starts_at=at(month, day),
        ends_at=at(month, day, 12),
        place="会议室",
        status=status,
        minutes=minutes,
        recorded_at=at(month, day, 15) if status == "recorded" else None,
    )
    for person, state in people:
        Attendance.objects.create(session=s, person=person, status=state)
    return s


def add_groups(parent: Unit, n: int) -> list[StudyGroup]:
    groups = []
    for _ in range(n):
        code = f"AS{next(_codes)}"
        unit = Unit.objects.add_child(
            Unit.objects.get(pk=parent.pk), {"code": code, "name": f"单位{code}", "kind": "党委"}
        )
        group = StudyGroup.objects.create(unit=unit, name=f"单位{code}理论学习中心组")
        person = Person.objects.create(unit=unit, name=f"成员{code}", gender="男")
        Membership.objects.create(
            group=group, person=person, role="member", role_rank=2, start_date=dt.date(2020, 1, 1)
        )
        groups.append(group)
    return groups


def published_scheme(world, unit, year, totals: dict) -> AssessmentScheme:
    """A published scheme of `unit` for `year` with results {group: total} ranked."""
    scheme = services.scheme_create_default(
        actor=world.users["supervisor"], owner_unit=unit, year=year
    )
    ranked = services.ranks({g.pk: Decimal(t) for g, t in totals.items()}, [])
    for g, t in totals.items():
        AssessmentResult.objects.create(
            scheme=scheme,
            group=g,
            total=t,
            rank=ranked[g.pk],
            grade=services.grade_for(Decimal(t), scheme.grades),
            computed_at=timezone.now(),
        )
    AssessmentScheme.objects.filter(pk=scheme.pk).update(status="published")
    scheme.refresh_from_db()
    return scheme
