"""Records for the supervision browser tests, built through the services the way a
supervisor, a secretary or an administrator would have prepared them (on top of `world`)."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

from django.apps import apps
from django.utils import timezone

from conftest import PASSWORD
from zhongxinzu.accounts.services import grant_role, user_create, user_update
from zhongxinzu.assessment import services as assessment
from zhongxinzu.org import services as org
from zhongxinzu.supervision import problems, scoring, services

# The default score sheet's eight items (migration 0002), in order, as two observers score them.
LEAD_SCORES = ["9", "14", "9", "18", "13.5", "10", "9", "8"]  # 90.5 → 好
PEER_SCORES = ["8", "13", "8", "16", "12", "9", "8", "7.5"]  # 81.5 → 较好


def restore_default_score_template() -> None:
    """The live server's database is flushed after each test, data migrations included:
    put the platform's default score sheet back."""
    importlib.import_module(
        "zhongxinzu.supervision.migrations.0002_default_score_template"
    ).add_default(apps, None)


def account(world, username: str, full_name: str, *, person=None, role: str = ""):
    """An account made by the system admin, linked to its person and given its role by the
    security admin (三员分立)."""
    user = user_create(
        actor=world.users["sys_admin"],
        username=username,
        full_name=full_name,
        raw_password=PASSWORD,
    )
    if person is not None:
        user_update(
            actor=world.users["sec_admin"], user=user, full_name=full_name, person_id=person.pk
        )
    if role:
        grant_role(actor=world.users["sec_admin"], user=user, role=role)
    return user


def host_secretary(world, unit, *, username: str = "a1secretary"):
    """A study secretary on `unit`'s group roster, with an account."""
    actor = world.users["supervisor"]
    person = org.person_create(
        actor=actor, unit=unit, name="秘书甲", gender="女", post="办公室主任"
    )
    org.membership_create(
        actor=actor,
        group=unit.group,
        person=person,
        role="secretary",
        start_date=timezone.localdate() - dt.timedelta(days=30),
    )
    return account(world, username, "秘书甲", person=person)


def observation_team(world, *, year: int, name: str = "第一旁听组", also=()):
    """A team of the supervised unit A led by the `observer` account's expert, with the
    further experts in `also` ({"name", ...expert_create kwargs})."""
    actor, own = world.users["supervisor"], world.units["own"]
    team = services.team_create(actor=actor, owner_unit=own, year=year, name=name)
    lead = services.expert_create(
        actor=actor,
        owner_unit=own,
        name="李专家",
        username="observer",
        title="市委党校教授",
        employer="市委党校",
    )
    services.team_member_add(actor=actor, team=team, expert=lead, is_leader=True)
    for fields in also:
        expert = services.expert_create(actor=actor, owner_unit=own, **fields)
        services.team_member_add(actor=actor, team=team, expert=expert)
    return team


def published_visit(world, *, also=()):
    """A published plan of unit A visiting the child group A1 with `observation_team`."""
    today = timezone.localdate()
    observation_team(world, year=today.year, also=also)
    plan = services.visit_plan_propose(
        actor=world.users["supervisor"],
        owner_unit=world.units["own"],
        year=today.year,
        period_start=today,
        period_end=today + dt.timedelta(days=60),
    )
    services.visit_plan_publish(actor=world.users["supervisor"], plan=plan)
    return plan.visits.get()


def submit_sheet(user, visit, values: list[str]):
    """`user` (a team observer) submits the sheet with `values` for the items in order."""
    items = scoring.template_for_group(visit.group).items.all()
    scores = {item.pk: value for item, value in zip(items, values, strict=True)}
    return scoring.score_sheet_save(actor=user, visit=visit, scores=scores, submit=True)


def raised_problem(world):
    """A supervision finding on A's group, with its rectification entry (整改中)."""
    today = timezone.localdate()
    return problems.problem_create(
        actor=world.users["supervisor"],
        group=world.groups["own"],
        source="supervision",
        category="研讨交流",
        description="研讨发言念稿，联系实际不够",
        found_on=today,
        measures="发言人提前准备提纲，脱稿交流",
        deadline=today + dt.timedelta(days=30),
        owner=world.users["secretary"].person,
        department="党委办公室",
    )


def assessment_year(world, year: int, bonus: dict, *, publish: bool):
    """A default scheme of unit A for `year` with a bonus (加分) per group, so that the
    groups rank in the bonus order; computed and, with `publish`, published."""
    actor = world.users["supervisor"]
    scheme = assessment.scheme_create_default(actor=actor, owner_unit=world.units["own"], year=year)
    for group, points in bonus.items():
        if points:
            assessment.adjustment_add(
                actor=actor,
                scheme=scheme,
                group=group,
                points_=Decimal(points),
                reason="年度工作表现",
                evidence=f"{year}年度考核记实材料",
            )
    if publish:
        assessment.scheme_compute(actor=actor, scheme=scheme)
        assessment.scheme_publish(actor=actor, scheme=scheme)
    return scheme
