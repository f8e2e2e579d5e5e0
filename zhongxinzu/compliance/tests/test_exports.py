"""The compliance overview exports .xlsx: every group of the page's filters (all pages), in
the page's order, each rule's verdict with its proof, and the totals."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from zhongxinzu.compliance import selectors
from zhongxinzu.compliance.engine import CHECKS
from zhongxinzu.compliance.services import snapshot_refresh
from zhongxinzu.compliance.tests import factories as f
from zhongxinzu.compliance.tests.test_views import assert_same_count, grow, sql_of
from zhongxinzu.documents.tests.reading import column, export_link, notes_of, sheet_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(world):
    return f.build_year(world, 2025)


@pytest.fixture
def client(world):
    return world.login(Client(), "supervisor")


def page_groups(content: bytes) -> list[str]:
    import lxml.html

    doc = lxml.html.fromstring(content.decode())
    return [a.text_content() for a in doc.xpath('//table[@id="grid"]/tbody/tr/td[1]/a')]


def test_overview_export_equals_the_page(year, world, client):
    page = client.get(reverse("compliance:overview"), {"year": 2025})
    response = client.get(export_link(page.content))
    assert response.status_code == 200
    caption, headers, rows = sheet_of(response.content)
    assert caption == f"规则落实总览：{world.units['own'].name}（2025年度）"
    assert column(headers, rows, "单位") == page_groups(page.content)
    assert headers[3 : 3 + len(CHECKS)] == [c.label for c in CHECKS]
    bad = next(r for r in rows if r[1] == year.bad.unit.name)
    sessions = bad[headers.index(CHECKS[0].label)]
    assert sessions.startswith("未达标")
    assert bad[headers.index("未达标项")] >= 1
    with connection.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*) FROM org_studygroup g JOIN org_unit u ON u.id = g.unit_id"
            " WHERE g.is_active AND u.path LIKE %s",
            [world.units["own"].path + "%"],
        )
        (groups,) = cur.fetchone()
    assert len(rows) == groups
    assert notes_of(response.content)[0].startswith(f"范围内共{groups}个中心组")
    _, headers, totals = sheet_of(response.content, 1)
    assert [r[0] for r in totals] == [c.label for c in CHECKS]
    assert all(sum(r[1:]) == groups for r in totals)


def test_overview_export_applies_the_filters_and_every_page(year, world, client):
    url = reverse("compliance:overview_xlsx")
    query = {"year": 2025, "check": "sessions", "status": "missed"}
    _, headers, rows = sheet_of(client.get(url, query).content)
    names = column(headers, rows, "单位")
    assert year.bad.unit.name in names and year.good.unit.name not in names
    grow(world)
    _, headers, rows = sheet_of(client.get(url, {"year": 2025, "page": "2"}).content)
    page = client.get(reverse("compliance:overview"), {"year": 2025})
    assert column(headers, rows, "单位") == page_groups(page.content)  # the export has no pages
    assert len(rows) == 7
    assert world.groups["sibling"].unit.name not in column(headers, rows, "单位")
    response = client.get(url, {"year": 2025, "unit": world.units["parent"].pk})
    assert response.status_code == 404


@pytest.mark.parametrize("live", [True, False], ids=["live", "snapshot"])
def test_overview_export_queries_do_not_grow(year, world, client, monkeypatch, live):
    if not live:
        monkeypatch.setattr(selectors, "LIVE_LIMIT", 0)
    url = reverse("compliance:overview_xlsx")
    snapshot_refresh(year=2025)
    small = sql_of(client, url, {"year": 2025})
    grow(world)
    snapshot_refresh(year=2025)
    assert_same_count(small, sql_of(client, url, {"year": 2025}))
