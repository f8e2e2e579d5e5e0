"""The study-cycle lists cost the same number of queries whatever the size of the data."""

import datetime as dt

import pytest
from django.utils import timezone

from zhongxinzu.api.tests.test_query_counts import count_queries
from zhongxinzu.meetings.models import AgendaItem, Attendance, LeaveRequest, MakeUp, StudySession
from zhongxinzu.org.models import Membership, Person, StudyGroup, Unit
from zhongxinzu.outputs.models import Conversion, Output
from zhongxinzu.plans.models import FirstItem, PlanTopic, Prompt, PromptAck, YearPlan
from zhongxinzu.rules.models import Rule, RuleValue


def grow(world, n: int) -> None:
    """n more groups inside the supervisor's subtree, each with a year of one of everything."""
    parent = Unit.objects.get(pk=world.units["child"].pk)
    supervisor = world.users["supervisor"]
    now = timezone.now()
    rule = Rule.objects.get(key="makeup_days")
    own_prompt = Prompt.objects.get(title="查询次数")
    for i in range(n):
        unit = Unit.objects.add_child(
            parent, {"code": f"Q{n}-{i}", "name": f"单位{i}", "kind": "党支部"}
        )
        group = StudyGroup.objects.create(unit=unit, name=f"单位{i}中心组")
        person = Person.objects.create(unit=unit, name=f"人员{i}", gender="男")
        Membership.objects.create(
            group=group, person=person, role="member", role_rank=2, start_date="2020-01-01"
        )
        Prompt.objects.create(
            issuer_unit=unit,
            year=now.year,
            quarter=1,
            title=f"提示{i}",
            themes="主题",
            status="issued",
            issued_at=now,
            created_by=supervisor,
        )
        PromptAck.objects.create(prompt=own_prompt, group=group, acknowledged_by=supervisor)
        item = FirstItem.objects.create(
            owner_unit=unit,
            title=f"讲话{i}",
            kind="speech",
            released_on=dt.date(2026, 1, 5),
            created_by=supervisor,
        )
        plan = YearPlan.objects.create(
            group=group, year=now.year, title="计划", status="filed", filed_at=now
        )
        PlanTopic.objects.create(plan=plan, title="专题", quarter=1, lead=person)
        session = StudySession.objects.create(
            group=group,
            kind="study",
            title=f"学习{i}",
            starts_at=now - dt.timedelta(days=2),
            ends_at=now - dt.timedelta(days=2) + dt.timedelta(hours=3),
            place="会议室",
            status="recorded",
            chair=person,
            lead_reader=person,
        )
        AgendaItem.objects.create(session=session, title=item.title, first_item=item)
        attendance = Attendance.objects.create(session=session, person=person, status="absent")
        MakeUp.objects.create(attendance=attendance, due_date=dt.date(2026, 1, 1))
        LeaveRequest.objects.create(
            session=session, person=person, reason="出差", decided_by=supervisor
        )
        output = Output.objects.create(
            group=group,
            author=person,
            kind="research",
            title="调研",
            year=now.year,
            reviewed_by=supervisor,
        )
        Conversion.objects.create(output=output, kind="measure", title="举措", issued_on=now.date())
        RuleValue.objects.create(rule=rule, scope=unit, value=20, set_by=supervisor)
        parent = Unit.objects.get(pk=parent.pk)


PATHS = [
    "/api/prompts",
    "/api/prompts/{prompt}/acks",
    "/api/first-items",
    "/api/first-items/{item}/groups",
    "/api/plans",
    "/api/plans/filing",
    "/api/outputs",
    "/api/outputs/counts",
    "/api/conversions",
    "/api/rules/overrides",
    "/api/sessions",
    "/api/attendance",
    "/api/leave-requests",
    "/api/makeups",
    "/api/compliance",
]


@pytest.mark.parametrize("path", PATHS)
def test_list_query_count_does_not_grow(world, api, path):
    supervisor = world.users["supervisor"]
    prompt = Prompt.objects.create(
        issuer_unit=world.units["own"],
        year=2026,
        quarter=1,
        title="查询次数",
        themes="主题",
        status="issued",
        issued_at=timezone.now(),
        created_by=supervisor,
    )
    item = FirstItem.objects.create(
        owner_unit=world.units["own"],
        title="讲话",
        kind="speech",
        released_on=dt.date(2026, 1, 5),
        created_by=supervisor,
    )
    path = path.format(prompt=prompt.pk, item=item.pk)
    client = api("supervisor")
    grow(world, 3)
    small = count_queries(client, path)
    small_size = client.get(path).json()["count"]
    grow(world, 27)
    large = count_queries(client, path)
    assert client.get(path).json()["count"] >= small_size + 27
    assert small == large
