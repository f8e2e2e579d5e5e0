"""The supervisor's subtree lists cost the same number of queries with 2 groups or 40."""

import datetime as dt
import difflib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.plans.models import PromptAck, YearPlan
from zhongxinzu.plans.tests.helpers import add_groups, make_item, make_prompt, make_session


def sql_of(client, url: str, params=None) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return [q["sql"] for q in ctx.captured_queries]


def assert_same_count(small: list[str], large: list[str]) -> None:
    if len(small) != len(large):
        diff = "\n".join(difflib.unified_diff(small, large, "small", "large", lineterm=""))
        pytest.fail(f"{len(small)} queries with little data, {len(large)} with more:\n{diff}")


def _grow(world, n=20):
    """n more groups under the supervised unit and n under its child."""
    return add_groups(world.units["own"], n) + add_groups(world.units["child"], n)


def test_prompt_tracking_query_count_does_not_grow(world, as_role):
    prompt = make_prompt(world, "own", issued_days_ago=10)
    PromptAck.objects.create(
        prompt=prompt, group=world.groups["own"], acknowledged_by=world.users["secretary"]
    )
    client = as_role("supervisor")
    url = reverse("plans:prompt_detail", args=[prompt.pk])
    small = sql_of(client, url)
    for i, group in enumerate(_grow(world)):
        if i % 2:
            PromptAck.objects.create(
                prompt=prompt, group=group, acknowledged_by=world.users["supervisor"]
            )
    large = sql_of(client, url)
    assert_same_count(small, large)
    assert_same_count(small, sql_of(client, url, {"state": "pending"}))


def test_filing_overview_query_count_does_not_grow(world, as_role):
    year = timezone.localdate().year
    YearPlan.objects.create(
        group=world.groups["own"], year=year, title="计划", status="filed", filed_at=timezone.now()
    )
    client = as_role("supervisor")
    url = reverse("plans:filing_overview")
    small = sql_of(client, url)
    for i, group in enumerate(_grow(world)):
        YearPlan.objects.create(
            group=group,
            year=year,
            title="计划",
            status="filed" if i % 2 else "draft",
            filed_at=timezone.now() if i % 2 else None,
        )
    large = sql_of(client, url)
    assert_same_count(small, large)
    assert_same_count(small, sql_of(client, url, {"state": "unfiled", "page": 1}))


def test_first_item_tracking_query_count_does_not_grow(world, as_role):
    item = make_item(world, released_days_ago=20)
    make_session(world.groups["own"], days_from_now=-5, first_item=item)
    client = as_role("supervisor")
    url = reverse("plans:first_item_detail", args=[item.pk])
    small = sql_of(client, url)
    for i, group in enumerate(_grow(world)):
        if i % 3 == 0:
            make_session(group, days_from_now=-(i % 10) - 1, first_item=item)
    large = sql_of(client, url)
    assert_same_count(small, large)


def test_prompt_and_item_lists_query_count_does_not_grow(world, as_role):
    make_prompt(world, "parent")
    make_item(world, "parent")
    client = as_role("secretary")
    small_prompts = sql_of(client, reverse("plans:prompt_list"))
    small_items = sql_of(client, reverse("plans:first_item_list"))
    for i in range(15):
        make_prompt(world, "parent", title=f"提示{i}", quarter=i % 4 + 1)
        make_item(world, "own", title=f"议题{i}", released_on=dt.date(2025, 1, 1))
    assert_same_count(small_prompts, sql_of(client, reverse("plans:prompt_list")))
    assert_same_count(small_items, sql_of(client, reverse("plans:first_item_list")))


def test_sub_unit_supervisor_lists_of_what_comes_from_above_do_not_grow(world, as_role):
    make_prompt(world, "parent")
    make_item(world, "parent")
    client = as_role("supervisor")
    small_prompts = sql_of(client, reverse("plans:prompt_list"))
    small_items = sql_of(client, reverse("plans:first_item_list"))
    groups = _grow(world, 5)
    for i in range(15):
        prompt = make_prompt(world, "parent", title=f"提示{i}", quarter=i % 4 + 1)
        PromptAck.objects.create(
            prompt=prompt, group=groups[i % 10], acknowledged_by=world.users["secretary"]
        )
        make_item(world, "parent", title=f"议题{i}", released_on=dt.date(2025, 1, 1))
    assert_same_count(small_prompts, sql_of(client, reverse("plans:prompt_list")))
    assert_same_count(small_items, sql_of(client, reverse("plans:first_item_list")))
