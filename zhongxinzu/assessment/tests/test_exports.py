"""The 约谈名单 exports .xlsx with both years' rank and grade; the ranking export follows the
ranking page's grade filter."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from zhongxinzu.assessment.tests.helpers import YEAR, add_groups, published_scheme
from zhongxinzu.documents.tests.reading import column, export_link, notes_of, sheet_of
from zhongxinzu.org.tests.test_query_counts import assert_same_count, sql_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_years(world):
    extra = add_groups(world.units["own"], 3)
    own, child = world.groups["own"], world.groups["child"]
    totals = {own: 95, child: 90, extra[0]: 88, extra[1]: 85, extra[2]: 50}
    published_scheme(world, world.units["own"], YEAR - 1, totals)
    scheme = published_scheme(world, world.units["own"], YEAR, {**totals, child: 40})
    return scheme, extra


def test_talk_list_export_equals_the_page(world, as_role, two_years):
    scheme, extra = two_years
    client = as_role("supervisor")
    page = client.get(reverse("assessment:ranking", args=[scheme.pk])).content.decode()
    url = reverse("assessment:talk_list_export", args=[scheme.pk])
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    caption, headers, rows = sheet_of(response.content)
    assert caption.endswith(f"约谈名单（连续两年考核排名末{scheme.bottom_n}位或最低等次）")
    talk = page[page.index('id="talk-list"') : page.index('id="ranking"')]
    assert column(headers, rows, "中心组") == [extra[1].name, extra[2].name]
    assert all(f"<strong>{name}</strong>" in talk for name in column(headers, rows, "中心组"))
    assert world.groups["child"].name not in column(headers, rows, "中心组")
    row = rows[1]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT r.rank, r.grade FROM assessment_assessmentresult r"
            " WHERE r.group_id = %s AND r.scheme_id = %s",
            [extra[2].pk, scheme.pk],
        )
        rank, grade = cur.fetchone()
    assert row[headers.index(f"{YEAR}年度排名")] == rank == 4
    assert row[headers.index(f"{YEAR}年度等次")] == grade
    assert row[headers.index(f"{YEAR}年度总分")] == 50
    assert row[headers.index(f"{YEAR - 1}年度排名")] == 5


def test_talk_list_export_without_a_previous_year_says_none(world, as_role):
    scheme = published_scheme(world, world.units["own"], YEAR, {world.groups["own"]: 90})
    response = as_role("supervisor").get(reverse("assessment:talk_list_export", args=[scheme.pk]))
    _, _, rows = sheet_of(response.content)
    assert rows == [] and notes_of(response.content) == ["无"]


def test_ranking_export_follows_the_grade_filter(world, as_role, two_years):
    scheme, extra = two_years
    client = as_role("supervisor")
    grade = scheme.results.get(group=extra[2]).grade
    page = client.get(reverse("assessment:ranking", args=[scheme.pk]), {"grade": grade})
    link = export_link(page.content)
    assert link.startswith(reverse("assessment:ranking_export", args=[scheme.pk]) + "?grade=")
    _, headers, rows = sheet_of(client.get(link).content)
    expected = list(
        scheme.results.filter(grade=grade).order_by("rank").values_list("group__name", flat=True)
    )
    assert column(headers, rows, "中心组") == expected


def test_talk_list_export_queries_do_not_grow(world, as_role):
    client = as_role("supervisor")

    def build(unit, n):
        groups = add_groups(unit, n)
        totals = {g: 10 + i for i, g in enumerate(groups)}
        published_scheme(world, unit, YEAR - 1, totals)
        return published_scheme(world, unit, YEAR, totals)

    one, three = build(world.units["own"], 1), build(world.units["child"], 3)
    assert one.results.count() == 1 and three.results.count() == 3
    small = sql_of(client, reverse("assessment:talk_list_export", args=[one.pk]))
    large = sql_of(client, reverse("assessment:talk_list_export", args=[three.pk]))
    assert_same_count(small, large)
