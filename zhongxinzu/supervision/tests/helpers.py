"""Small builders shared by the supervision tests (on top of the `world` fixture)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from zhongxinzu.org.models import StudyGroup, Unit
from zhongxinzu.supervision.models import (
    Expert,
    ObservationTeam,
    ObservationVisit,
    TeamMember,
    VisitPlan,
)


def add_unit(parent: Unit, code: str, name: str) -> Unit:
    unit = Unit.objects.add_child(
        Unit.objects.get(pk=parent.pk), {"code": code, "name": name, "kind": "党委"}
    )
    StudyGroup.objects.create(unit=unit, name=f"{name}理论学习中心组")
    return Unit.objects.get(pk=unit.pk)


def team(owner: Unit, name: str, *, year: int | None = None, experts=()) -> ObservationTeam:
    t = ObservationTeam.objects.create(
        owner_unit=owner, year=year or timezone.localdate().year, name=name
    )
    for i, e in enumerate(experts):
        TeamMember.objects.create(team=t, expert=e, is_leader=i == 0)
    return t


def expert(owner: Unit, name: str, **kwargs) -> Expert:
    return Expert.objects.create(owner_unit=owner, name=name, **kwargs)


def published_visit(world, group, team_, planned_on: dt.date, **kwargs) -> ObservationVisit:
    plan = VisitPlan.objects.create(
        owner_unit=team_.owner_unit,
        year=planned_on.year,
        title="测试旁听计划",
        period_start=planned_on.replace(month=1, day=1),
        period_end=planned_on.replace(month=12, day=31),
        status=VisitPlan.Status.PUBLISHED,
        created_by=world.users["supervisor"],
    )
    return ObservationVisit.objects.create(
        plan=plan, group=group, team=team_, planned_on=planned_on, **kwargs
    )
