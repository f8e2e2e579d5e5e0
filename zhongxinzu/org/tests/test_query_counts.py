"""List pages run the same number of queries whatever the amount of data (pretalx style:
measure, grow the data, measure again, compare)."""

import datetime as dt
import difflib
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhongxinzu.org.models import Membership, Person, RosterRequirement, StudyGroup, Unit

START = dt.date(2024, 1, 1)
_codes = itertools.count(1)


def sql_of(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in ctx.captured_queries]


def assert_same_count(small: list[str], large: list[str]) -> None:
    """Equal counts, else show which queries were added (the one that grows with data)."""
    if len(small) != len(large):
        diff = "\n".join(difflib.unified_diff(small, large, "small", "large", lineterm=""))
        pytest.fail(f"{len(small)} queries with little data, {len(large)} with more:\n{diff}")


def add_members(group: StudyGroup, n: int) -> None:
    for i in range(n):
        person = Person.objects.create(
            unit=group.unit,
            name=f"新成员{next(_codes)}",
            gender="男",
            post="党委委员",
            rank_order=10 + i,
            phone="13700000000",
        )
        role = Membership.Role.DEPUTY if i == 0 else Membership.Role.MEMBER
        Membership.objects.create(
            group=group,
            person=person,
            role=role,
            role_rank=Membership.rank_of(role),
            start_date=START,
        )


def add_units(parent: Unit, n: int, members: int = 2) -> None:
    for _ in range(n):
        code = f"Q{next(_codes)}"
        unit = Unit.objects.add_child(
            Unit.objects.get(pk=parent.pk), {"code": code, "name": f"新单位{code}", "kind": "党委"}
        )
        group = StudyGroup.objects.create(unit=unit, name=f"新单位{code}理论学习中心组")
        add_members(group, members)


@pytest.fixture
def rule(world):
    """A roster rule on the supervised unit, so the roster check runs on every group."""
    return RosterRequirement.objects.create(
        scope=world.units["own"], label="党群部门负责人", keywords="组织部,宣传部"
    )


def test_unit_list_query_count_does_not_grow(world, client, rule):
    world.login(client, "supervisor")
    small = sql_of(client, "/org/units/")
    add_units(world.units["own"], 30)
    add_units(world.units["child"], 30)
    large = sql_of(client, "/org/units/")
    assert_same_count(small, large)
    # the second page exists and costs the same as the first
    assert_same_count(small, sql_of(client, "/org/units/?page=2"))


def test_roster_page_query_count_does_not_grow(world, client, rule):
    group = world.groups["own"]
    url = f"/org/groups/{group.pk}/"
    for role in ("supervisor", "secretary"):
        world.login(client, role)
        before = sql_of(client, url)
        add_members(group, 12)
        assert_same_count(before, sql_of(client, url))
    assert Membership.objects.filter(group=group).count() >= 25


def test_person_list_query_count_does_not_grow(world, client):
    world.login(client, "supervisor")
    small = sql_of(client, "/org/people/")
    add_units(world.units["own"], 10, members=6)
    large = sql_of(client, "/org/people/")
    assert_same_count(small, large)
    assert Person.objects.filter(unit__path__startswith=world.units["own"].path).count() > 60
    assert_same_count(small, sql_of(client, "/org/people/?page=2"))
