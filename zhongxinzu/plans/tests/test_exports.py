"""The plan filing overview exports .xlsx: every group of the page (all pages, the ?state=
tab), in its order, with the same states and dates."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.documents.tests.reading import (
    column,
    export_link,
    notes_of,
    page_column,
    sheet_of,
)
from zhongxinzu.org.tests.test_query_counts import assert_same_count, sql_of
from zhongxinzu.plans.models import YearPlan
from zhongxinzu.plans.tests.helpers import add_groups, make_plan

pytestmark = pytest.mark.django_db


def _at(day: dt.date):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


@pytest.fixture
def filings(world):
    (late_group,) = add_groups(world.units["child"], 1)
    make_plan(world, "own", year=2026, status="filed", filed_at=_at(dt.date(2026, 1, 20)))
    YearPlan.objects.create(
        group=late_group,
        year=2026,
        title="迟报",
        status="filed",
        filed_at=_at(dt.date(2026, 2, 10)),
    )
    make_plan(world, "child", year=2026, status="approved")
    make_plan(world, "sibling", year=2026, status="filed", filed_at=_at(dt.date(2026, 1, 2)))
    return late_group


def test_filing_export_equals_the_page(world, as_role, filings):
    client = as_role("supervisor")
    with time_machine.travel(_at(dt.date(2026, 3, 1)), tick=False):
        page = client.get(reverse("plans:filing_overview"), {"year": 2026})
        response = client.get(export_link(page.content))
    assert response.status_code == 200
    caption, headers, rows = sheet_of(response.content)
    assert caption == "2026年度学习计划报备情况"
    assert column(headers, rows, "中心组") == page_column(page.content, "filings", "中心组")
    assert column(headers, rows, "报备情况") == page_column(page.content, "filings", "报备情况")
    assert column(headers, rows, "报备情况") == ["按时报备", "逾期未报备", "逾期报备"]
    assert column(headers, rows, "计划状态") == ["已报备", "已审批", "已报备"]
    assert column(headers, rows, "报备截止")[0] == dt.datetime(2026, 1, 31)
    assert column(headers, rows, "报备日期")[2] == dt.datetime(2026, 2, 10)
    assert world.groups["sibling"].name not in column(headers, rows, "中心组")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*) FROM plans_yearplan WHERE year = 2026 AND filed_at IS NOT NULL"
            " AND group_id IN (%s, %s, %s)",
            [world.groups["own"].pk, world.groups["child"].pk, filings.pk],
        )
        (filed,) = cur.fetchone()
    assert sum(1 for d in column(headers, rows, "报备日期") if d) == filed == 2
    assert len(rows) == 3
    assert notes_of(response.content) == ["共3个中心组：已报备2个，未报备1个"]


def test_filing_export_follows_the_state_tab_and_every_page(world, as_role, filings, settings):
    client = as_role("supervisor")
    settings.PAGE_SIZE = 1
    with time_machine.travel(_at(dt.date(2026, 3, 1)), tick=False):
        url = reverse("plans:filing_overview_xlsx")
        _, headers, rows = sheet_of(client.get(url, {"year": 2026, "state": "filed"}).content)
        assert column(headers, rows, "中心组") == [world.groups["own"].name, filings.name]
        _, headers, rows = sheet_of(client.get(url, {"year": 2026, "state": "unfiled"}).content)
        assert column(headers, rows, "中心组") == [world.groups["child"].name]


def test_filing_export_queries_do_not_grow(world, as_role):
    client = as_role("supervisor")
    url = reverse("plans:filing_overview_xlsx") + "?year=2026"
    make_plan(world, "own", year=2026, status="filed", filed_at=_at(dt.date(2026, 1, 20)))
    small = sql_of(client, url)
    for g in add_groups(world.units["child"], 3):
        YearPlan.objects.create(group=g, year=2026, title="计划", status="draft")
    assert_same_count(small, sql_of(client, url))


def test_first_item_export_equals_the_page_and_hides_restricted_sources(world, as_role):
    from zhongxinzu.plans.tests.helpers import make_item, make_session

    studied = make_item(world, title="重要讲话甲", source="《求是》", released_days_ago=20)
    make_item(world, title="内部文件乙", source="内部", restricted=True, released_days_ago=5)
    make_item(world, "parent", title="上级议题丙", released_days_ago=10)
    make_item(world, "unrelated", title="外省议题", released_days_ago=3)
    make_session(world.groups["own"], days_from_now=-1, first_item=studied)
    supervisor = as_role("supervisor")
    page = get_page(supervisor, reverse("plans:first_item_list"))
    _, headers, rows = sheet_of(get_page(supervisor, export_link(page.content)).content)
    titles = ["内部文件乙", "上级议题丙", "重要讲话甲"]
    assert column(headers, rows, "题目") == titles
    assert page_column(page.content, "first-items", "题目") == [
        titles[0] + " 限定范围",
        *titles[1:],
    ]
    assert "外省议题" not in column(headers, rows, "题目")
    assert "内部" in column(headers, rows, "出处")
    member = as_role("member")
    page = get_page(member, reverse("plans:first_item_list"))
    _, headers, rows = sheet_of(get_page(member, reverse("plans:first_item_list_xlsx")).content)
    assert column(headers, rows, "出处") == page_column(page.content, "first-items", "出处")
    assert column(headers, rows, "出处")[0] == "—"
    assert column(headers, rows, "本组学习") == ["未学习", "未学习", "已学习"]
    _, headers, rows = sheet_of(
        get_page(member, reverse("plans:first_item_list_xlsx") + "?q=讲话").content
    )
    assert column(headers, rows, "题目") == ["重要讲话甲"]


def get_page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response
