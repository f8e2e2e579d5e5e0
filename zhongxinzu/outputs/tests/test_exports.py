"""The output and conversion lists export .xlsx: the page's rows (all pages), scope, filters
and order."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.documents.tests.reading import column, export_link, page_column, sheet_of
from zhongxinzu.org.tests.test_query_counts import assert_same_count, sql_of
from zhongxinzu.outputs.models import Conversion, Output

pytestmark = pytest.mark.django_db
_n = itertools.count()


def add(world, rels=("own", "child", "sibling"), kind="article", year=2026):
    made = []
    for rel in rels:
        n = next(_n)
        o = Output.objects.create(
            group=world.groups[rel],
            author=world.people[rel],
            kind=kind,
            title=f"成果{n}",
            year=year,
            status="submitted",
            submitted_at=timezone.now() + dt.timedelta(minutes=n),
        )
        Conversion.objects.create(
            output=o, kind="measure", title=f"转化{n}", issued_on=dt.date(year, 3, 1 + n % 20)
        )
        made.append(o)
    return made


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return sheet_of(response.content)


def test_output_export_has_the_pages_rows(world, as_role):
    add(world)
    add(world, kind="research", year=2025)
    client = as_role("supervisor")
    page = client.get(reverse("outputs:output_list"))
    caption, headers, rows = fetch(client, reverse("outputs:output_list_xlsx"))
    assert caption == "学习成果（全部年度）"
    assert column(headers, rows, "题目") == page_column(page.content, "outputs", "题目")
    assert len(rows) == 4
    assert "成员sibling" not in column(headers, rows, "作者")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*) FROM outputs_conversion c JOIN outputs_output o ON o.id = c.output_id"
            " WHERE o.group_id IN (%s, %s)",
            [world.groups["own"].pk, world.groups["child"].pk],
        )
        (conversions,) = cur.fetchone()
    assert sum(column(headers, rows, "转化数")) == conversions
    assert set(column(headers, rows, "年度")) == {2025, 2026}


def test_output_export_applies_the_filters_and_ignores_paging(world, as_role, settings):
    add(world)
    research = add(world, kind="research", year=2025)
    client = as_role("supervisor")
    page = client.get(reverse("outputs:output_list") + "?kind=research&year=2025")
    link = export_link(page.content)
    caption, headers, rows = fetch(client, link)
    assert caption == "学习成果（2025年）"
    assert column(headers, rows, "题目") == [o.title for o in reversed(research[:2])]
    settings.PAGE_SIZE = 1
    _, _, rows = fetch(client, reverse("outputs:output_list_xlsx") + "?page=3")
    assert len(rows) == 4


def test_conversion_export_has_the_pages_rows(world, as_role):
    add(world)
    add(world, year=2025)
    client = as_role("supervisor")
    page = client.get(reverse("outputs:conversion_list") + "?year=2025")
    _, headers, rows = fetch(client, export_link(page.content))
    assert column(headers, rows, "名称") == page_column(page.content, "conversion-list", "名称")
    assert len(rows) == 2
    assert all(d.year == 2025 for d in column(headers, rows, "日期"))
    _, headers, rows = fetch(as_role("secretary"), reverse("outputs:conversion_list_xlsx"))
    assert set(column(headers, rows, "中心组")) == {world.groups["own"].name}


@pytest.mark.parametrize("name", ["outputs:output_list_xlsx", "outputs:conversion_list_xlsx"])
def test_export_queries_do_not_grow(world, as_role, name):
    client = as_role("supervisor")
    add(world, rels=("own",))
    small = sql_of(client, reverse(name))
    add(world, rels=("own", "child"))
    add(world, rels=("own", "child"), kind="speech")
    assert_same_count(small, sql_of(client, reverse(name)))
