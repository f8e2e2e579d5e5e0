"""驾驶舱: every figure against a recount in hand-written SQL, the scope, the query count,
the drill-down links and the page."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhongxinzu.compliance.engine import AT_RISK, MET, MISSED, Period
from zhongxinzu.compliance.selectors import overview
from zhongxinzu.compliance.services import snapshot_refresh
from zhongxinzu.dashboard import selectors
from zhongxinzu.dashboard.tests import data

pytestmark = pytest.mark.django_db


def _month(column: str) -> str:
    """The month (1-12) of a timestamp column in Asia/Shanghai, in this database's SQL."""
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(MONTH FROM {column} AT TIME ZONE 'Asia/Shanghai') AS INTEGER)"
    return f"CAST(strftime('%m', {column}, '+8 hours') AS INTEGER)"


def _ts(value):
    """A moment as the database stores it (SQLite: naive UTC text)."""
    if isinstance(value, dt.datetime) and connection.vendor == "sqlite":
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    return value


def _rows(sql: str, params) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, [_ts(p) for p in params])
        return cursor.fetchall()


SUBTREE = """
    JOIN org_studygroup g ON g.id = {alias}.group_id
    JOIN org_unit u ON u.id = g.unit_id
    WHERE u.path LIKE %s AND g.is_active
"""


def _by_month(rows) -> list:
    out = [0] * 12
    for month, n in rows:
        out[month - 1] = n
    return out


def _chart(payload: dict, chart_id: str) -> dict:
    return next(c for c in payload["charts"] if c["id"] == chart_id)


def _series(chart: dict, name: str) -> list:
    return next(s for s in chart["series"] if s["name"] == name)["data"]


@pytest.fixture
def year_data(world):
    return data.build(world)


@pytest.fixture
def unit_payload(world, year_data):
    return selectors.unit_dashboard(
        user=world.users["supervisor"], root=world.units["own"], year=year_data["year"]
    )


def _bounds(y: int):
    from zhongxinzu.meetings.selectors import year_bounds

    return year_bounds(y)


def test_sessions_per_month_match_sql_in_shanghai_time(world, year_data, unit_payload):
    y = year_data["year"]
    start, end = _bounds(y)
    sql = (
        f"SELECT {_month('s.starts_at')}, COUNT(*) FROM meetings_studysession s"
        + SUBTREE.format(alias="s")
        + " AND s.status IN ('held', 'recorded') AND s.starts_at >= %s AND s.starts_at < %s"
        " GROUP BY 1"
    )
    expected = _by_month(_rows(sql, [world.units["own"].path + "%", start, end]))
    chart = _chart(unit_payload, "sessions")
    assert _series(chart, "当月学习") == expected
    # by hand: January 2 (the planned one not), March 2 (1 March 00:30 is March), December 1
    assert expected == [2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert _series(chart, "累计学习")[-1] == 5


def test_pace_is_the_yearly_rule_times_the_groups_spread_over_the_months(
    world, year_data, unit_payload
):
    chart = _chart(unit_payload, "sessions")
    # sessions_per_year is 12 by default; A and A1 have one group each.
    assert chart["target"] == 24
    pace = _series(chart, "按规则应达到（累计）")
    assert pace[0] == 2 and pace[5] == 12 and pace[-1] == 24


def test_attendance_rate_per_month_matches_sql(world, year_data, unit_payload):
    start, end = _bounds(year_data["year"])
    sql = (
        f"SELECT {_month('s.starts_at')}, COUNT(*),"
        " SUM(CASE WHEN a.status IN ('present', 'late') THEN 1 ELSE 0 END)"
        " FROM meetings_attendance a JOIN meetings_studysession s ON s.id = a.session_id"
        + SUBTREE.format(alias="s")
        + " AND NOT a.is_attendee AND s.status IN ('held', 'recorded')"
        " AND s.starts_at >= %s AND s.starts_at < %s GROUP BY 1"
    )
    rows = _rows(sql, [world.units["own"].path + "%", start, end])
    chart = _chart(unit_payload, "attendance")
    rates = _series(chart, "出勤率")
    for month, expected, attended in rows:
        assert rates[month - 1] == round(100 * attended / expected, 1)
    assert chart["expected"][0] == 8 and chart["attended"][0] == 6  # January: 6 of 8
    assert rates[0] == 75.0 and rates[2] == 80.0
    assert rates[1] is None  # no session in February: no rate, not 0 %


def test_first_item_lag_bands_match_sql(world, year_data, unit_payload):
    sql = (
        "SELECT s.group_id, ag.first_item_id, fi.released_on, MIN(s.starts_at)"
        " FROM meetings_agendaitem ag JOIN meetings_studysession s ON s.id = ag.session_id"
        " JOIN plans_firstitem fi ON fi.id = ag.first_item_id"
        + SUBTREE.format(alias="s")
        + " AND s.status IN ('held', 'recorded') AND fi.released_on >= %s"
        " AND fi.released_on < %s GROUP BY 1, 2, 3"
    )
    from django.utils import timezone

    y = year_data["year"]
    rows = _rows(sql, [world.units["own"].path + "%", dt.date(y, 1, 1), dt.date(y + 1, 1, 1)])
    bands = [0] * 4
    for *_, released_on, first in rows:
        if isinstance(first, str):  # SQLite returns the text
            first = dt.datetime.fromisoformat(first)
        if isinstance(released_on, str):
            released_on = dt.date.fromisoformat(released_on)
        if timezone.is_naive(first):
            first = first.replace(tzinfo=dt.UTC)
        lag = (timezone.localtime(first, data.SHANGHAI).date() - released_on).days
        bands[selectors.lag_band(lag)] += 1
    chart = _chart(unit_payload, "first_items")
    assert _series(chart, "学习次数") == bands == [1, 0, 1, 1]  # 5, 28 and 60 days


def test_outputs_by_kind_match_sql(world, year_data, unit_payload):
    sql = (
        "SELECT o.kind, COUNT(*) FROM outputs_output o"
        + SUBTREE.format(alias="o")
        + " AND o.year = %s AND o.status <> 'draft' GROUP BY 1"
    )
    expected = dict(_rows(sql, [world.units["own"].path + "%", year_data["year"]]))
    chart = _chart(unit_payload, "outputs")
    counts = dict(zip(chart["categories"], _series(chart, "成果数"), strict=True))
    assert counts["理论文章"] == expected["article"] == 2
    assert counts["调研报告"] == expected["research"] == 1
    assert counts["研讨发言材料"] == expected["speech"] == 1
    assert counts["心得体会"] == 0  # the draft is not counted
    assert sum(counts.values()) == sum(expected.values())


def test_problems_open_and_closed_at_each_month_end_match_sql(world, year_data, unit_payload):
    y = year_data["year"]
    chart = _chart(unit_payload, "problems")
    opened, closed = _series(chart, "未销号"), _series(chart, "已销号")
    path = world.units["own"].path + "%"
    for month in range(1, 13):
        month_end = dt.date(y + (month == 12), month % 12 + 1, 1)
        found = _rows(
            "SELECT COUNT(*) FROM supervision_problem p"
            + SUBTREE.format(alias="p")
            + " AND p.found_on < %s",
            [path, month_end],
        )[0][0]
        done = _rows(
            "SELECT COUNT(*) FROM supervision_rectification r"
            " JOIN supervision_problem p ON p.id = r.problem_id"
            + SUBTREE.format(alias="p")
            + " AND r.status = 'closed' AND r.closed_at < %s",
            [path, dt.datetime(month_end.year, month_end.month, 1, tzinfo=data.SHANGHAI)],
        )[0][0]
        assert (opened[month - 1], closed[month - 1]) == (found - done, done), month
    # by hand: the carried problem until its close in April; two in May; one closed 1 July
    assert opened[:7] == [1, 1, 1, 0, 2, 2, 1]
    assert closed[:7] == [0, 0, 0, 1, 1, 1, 2]


def test_assessment_grades_match_sql(world, year_data, unit_payload):
    scheme = year_data["scheme"]
    expected = dict(
        _rows(
            "SELECT grade, COUNT(*) FROM assessment_assessmentresult WHERE scheme_id = %s"
            " GROUP BY grade",
            [scheme.pk],
        )
    )
    chart = _chart(unit_payload, "assessment")
    counts = dict(zip(chart["categories"], _series(chart, "中心组数"), strict=True))
    assert chart["categories"] == ["优秀", "良好", "合格", "不合格"]
    assert counts == {"优秀": expected["优秀"], "良好": 0, "合格": expected["合格"], "不合格": 0}


def test_compliance_shares_are_the_overviews_verdicts_per_sub_unit(world, year_data):
    y = year_data["year"]
    scope = selectors.unit_scope(world.units["own"], y)
    from django.utils import timezone

    today = timezone.localdate()
    chart = selectors.compliance_chart(scope, today)
    assert chart["live"]
    # one row for A's own group (本级), one for A1
    assert chart["categories"] == ["市教育局党委（本级）", "市第一中学党委"]
    ov = overview(root=world.units["child"], period=Period.year(y), as_of=today)
    child_text = [
        next(s for s in chart["series"] if s["name"] == label)["text"][1]
        for label in ("未达标", "有风险", "达标")
    ]
    assert child_text == [
        f"{ov.worst[s]}个（{100.0 * ov.worst[s] / 1:g}%）" for s in (MISSED, AT_RISK, MET)
    ]


def test_compliance_shares_from_snapshots_match_sql(world, year_data):
    y = year_data["year"]
    snapshot_refresh(year=y)
    scope = selectors.unit_scope(world.units["own"], y)
    from django.utils import timezone

    chart = selectors.compliance_chart(scope, timezone.localdate(), live_limit=0)
    assert not chart["live"] and chart["computed_at"] is not None
    rows = _rows(
        "SELECT u.path, c.worst FROM compliance_groupcompliance c"
        + SUBTREE.format(alias="c")
        + " AND c.year = %s",
        [world.units["own"].path + "%", y],
    )
    own_path = world.units["own"].path
    expected = {"本级": Counter(), "A1": Counter()}
    for path, worst in rows:
        expected["本级" if path == own_path else "A1"][worst] += 1
    for label, status in (("未达标", MISSED), ("有风险", AT_RISK), ("达标", MET)):
        text = next(s for s in chart["series"] if s["name"] == label)["text"]
        assert text[0].startswith(f"{expected['本级'][status]}个")
        assert text[1].startswith(f"{expected['A1'][status]}个")


def test_the_subtree_never_counts_a_group_outside_it(world, year_data):
    """B's records (a session, an output, a problem) are in none of A's figures; R's
    dashboard (the supervisor's parent) counts B."""
    y = year_data["year"]
    supervisor = world.users["supervisor"]
    own = selectors.unit_dashboard(user=supervisor, root=world.units["own"], year=y)
    parent = selectors.unit_dashboard(user=supervisor, root=world.units["parent"], year=y)
    assert _series(_chart(own, "sessions"), "当月学习")[0] == 2
    assert _series(_chart(parent, "sessions"), "当月学习")[0] == 3


def test_group_dashboard_counts_the_group_only(world, year_data):
    y = year_data["year"]
    payload = selectors.group_dashboard(group=world.groups["child"], year=y, staff=True)
    assert _series(_chart(payload, "sessions"), "当月学习") == [0, 0, 1] + [0] * 8 + [1]
    assert _chart(payload, "sessions")["target"] == 12
    assert _series(_chart(payload, "first_items"), "学习次数") == [0, 0, 0, 1]


def _unit_queries(client, world, y) -> int:
    url = reverse("dashboard:unit") + f"?unit={world.units['own'].pk}&year={y}"
    client.get(url)  # warm the session and the principal
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _group_queries(client, world, y) -> int:
    url = reverse("dashboard:group", args=[world.groups["own"].pk]) + f"?year={y}"
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_groups(client, world, year_data):
    y = year_data["year"]
    world.login(client, "supervisor")
    few = _unit_queries(client, world, y)
    for code in ("A2", "A3", "A4"):
        data.fill_group(world, data.extra_group(world, code))
    assert _unit_queries(client, world, y) == few


def test_group_query_count_does_not_grow_with_the_records(client, world, year_data):
    y = year_data["year"]
    world.login(client, "secretary")
    few = _group_queries(client, world, y)
    data.fill_group(world, world.groups["own"], sessions=6)
    assert _group_queries(client, world, y) == few


def _page_data(response) -> dict:
    html = response.content.decode()
    found = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html)
    assert found, "chart data as json_script"
    return json.loads(found.group(1))


def test_page_carries_the_data_as_json_and_a_table_per_chart(client, world, year_data):
    world.login(client, "supervisor")
    y = year_data["year"]
    response = client.get(reverse("dashboard:unit") + f"?year={y}")
    assert response.status_code == 200
    html = response.content.decode()
    payload = _page_data(response)
    assert [c["id"] for c in payload["charts"]] == [
        "sessions", "compliance", "first_items", "attendance", "outputs", "problems", "assessment"
    ]  # fmt: skip
    # no inline script: every <script> but the JSON one has a src
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "style=" not in html
    assert html.count('class="responsive dash-table"') == 7
    assert "vendor/echarts/echarts.min.js" in html and "js/dashboard.js" in html
    for td in re.findall(r"<td[^>]*>", html[html.index('id="dashboard"') :]):
        assert "data-label=" in td


def test_each_sessions_bar_drills_down_to_as_many_sessions(client, world, year_data):
    world.login(client, "supervisor")
    y = year_data["year"]
    payload = _page_data(client.get(reverse("dashboard:unit") + f"?year={y}"))
    bars = _chart(payload, "sessions")["series"][0]
    for month in (0, 2, 11):
        response = client.get(bars["links"][month])
        assert response.status_code == 200
        assert response.context["page_obj"].paginator.count == bars["data"][month]


def test_attendance_and_output_links_open_their_records(client, world, year_data):
    world.login(client, "supervisor")
    y = year_data["year"]
    payload = _page_data(client.get(reverse("dashboard:unit") + f"?year={y}"))
    outputs = _chart(payload, "outputs")["series"][0]
    for i, n in enumerate(outputs["data"]):
        response = client.get(outputs["links"][i])
        assert response.status_code == 200
        shown = response.context["page_obj"].paginator.count
        assert shown == n, outputs["links"][i]


def test_problem_links_list_the_open_and_the_closed(client, world, year_data):
    world.login(client, "supervisor")
    y = year_data["year"]
    payload = _page_data(client.get(reverse("dashboard:unit") + f"?year={y}"))
    chart = _chart(payload, "problems")
    opened, closed = chart["series"]
    response = client.get(opened["links"][-1])
    assert response.context["page_obj"].paginator.count == opened["data"][-1] == 1
    response = client.get(closed["links"][-1])
    assert response.context["page_obj"].paginator.count == closed["data"][-1] == 2


def test_compliance_and_grade_links_open_the_filtered_lists(client, world, year_data):
    world.login(client, "supervisor")
    y = year_data["year"]
    payload = _page_data(client.get(reverse("dashboard:unit") + f"?year={y}"))
    for series in _chart(payload, "compliance")["series"]:
        for link, text in zip(series["links"], series["text"], strict=True):
            response = client.get(link)
            assert response.status_code == 200
            assert response.context["page_obj"].paginator.count == int(text.split("个")[0])
    grades = _chart(payload, "assessment")["series"][0]
    for link, n in zip(grades["links"], grades["data"], strict=True):
        response = client.get(link)
        assert response.status_code == 200
        assert response.context["page_obj"].paginator.count == n


def test_supervisor_cannot_open_a_unit_above_or_beside(client, world):
    world.login(client, "supervisor")
    for rel in ("parent", "sibling", "unrelated"):
        url = reverse("dashboard:unit") + f"?unit={world.units[rel].pk}"
        assert client.get(url).status_code == 404, rel
    assert (
        client.get(reverse("dashboard:unit") + f"?unit={world.units['child'].pk}").status_code
        == 200
    )


def test_member_sees_the_groups_dashboard_without_outputs_and_problems(client, world, year_data):
    world.login(client, "member")
    response = client.get(reverse("dashboard:home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "dashboard:group", args=[world.groups["own"].pk]
    )
    ids = [c["id"] for c in _page_data(response)["charts"]]
    assert ids == ["sessions", "attendance", "first_items"]
    other = reverse("dashboard:group", args=[world.groups["child"].pk])
    assert client.get(other).status_code == 404
    assert client.get(reverse("dashboard:unit")).status_code == 403


def test_secretary_sees_outputs_and_problems_of_the_group(client, world, year_data):
    world.login(client, "secretary")
    response = client.get(reverse("dashboard:home"), follow=True)
    ids = [c["id"] for c in _page_data(response)["charts"]]
    assert ids == ["sessions", "attendance", "first_items", "outputs", "problems"]


def test_nav_links_the_dashboard_for_supervisors_and_group_staff(client, world):
    link = f'href="{reverse("dashboard:home")}"'
    for role, shown in (
        ("supervisor", True),
        ("secretary", True),
        ("leader", True),
        ("member", False),
    ):
        client.logout()
        world.login(client, role)
        html = client.get(reverse("meetings:session_list")).content.decode()
        assert (link in html) is shown, role


def _api(world, role):
    from zhongxinzu.api.services import token_issue
    from zhongxinzu.api.tests.helpers import ApiClient

    raw, _ = token_issue(user=world.users[role])
    return ApiClient(raw)


def test_api_returns_the_pages_chart_data(client, world, year_data):
    y = year_data["year"]
    world.login(client, "supervisor")
    page = _page_data(client.get(reverse("dashboard:unit") + f"?year={y}"))
    response = _api(world, "supervisor").get(
        "/api/dashboard", {"unit": world.units["own"].pk, "year": y}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["scope"] == {
        "kind": "unit",
        "unit_id": world.units["own"].pk,
        "group_id": None,
        "name": "市教育局党委",
        "year": y,
    }
    assert [c["id"] for c in body["charts"]] == [c["id"] for c in page["charts"]]
    for got, shown in zip(body["charts"], page["charts"], strict=True):
        assert got["categories"] == shown["categories"]
        assert [s["data"] for s in got["series"]] == [s["data"] for s in shown["series"]]
        assert [s.get("links") for s in got["series"]] == [s.get("links") for s in shown["series"]]


def test_api_group_dashboard_and_its_scope(world, year_data):
    y = year_data["year"]
    member = _api(world, "member")
    own = member.get(f"/api/dashboard/groups/{world.groups['own'].pk}", {"year": y})
    assert own.status_code == 200
    assert [c["id"] for c in own.json()["charts"]] == ["sessions", "attendance", "first_items"]
    assert member.get(f"/api/dashboard/groups/{world.groups['child'].pk}").status_code == 404
    assert member.get("/api/dashboard").status_code == 403
    supervisor = _api(world, "supervisor")
    child = supervisor.get(f"/api/dashboard/groups/{world.groups['child'].pk}", {"year": y})
    sessions = child.json()["charts"][0]["series"][0]["data"]
    assert sessions == [0, 0, 1] + [0] * 8 + [1]
    assert supervisor.get("/api/dashboard", {"unit": world.units["parent"].pk}).status_code == 404
