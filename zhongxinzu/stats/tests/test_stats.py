"""学习统计 on the small `world`: periods, figures of a few known records, the page, the
drill-down, the export and the API agree, and the query count does not grow with groups."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhongxinzu.meetings.models import Attendance, StudySession
from zhongxinzu.org.models import StudyGroup, Unit
from zhongxinzu.stats.periods import custom_span, half_span, quarter_span, span_from, year_span
from zhongxinzu.stats.selectors import subtree_statistics

pytestmark = pytest.mark.django_db
TZ = timezone.get_fixed_timezone(8 * 60)


def _session(group, day: dt.date, kind="study", status="recorded", hour=9):
    start = dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)
    return StudySession.objects.create(
        group=group,
        kind=kind,
        title="学习贯彻党的二十届四中全会精神",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        place="会议室",
        status=status,
    )


def _attend(session, person, status):
    Attendance.objects.create(session=session, person=person, status=status)


def test_periods_are_named_as_a_bulletin_names_them():
    assert year_span(2026).label == "2026年度"
    assert half_span(2026, 2).label == "2026年下半年"
    assert (half_span(2026, 2).start, half_span(2026, 2).end) == (
        dt.date(2026, 7, 1),
        dt.date(2026, 12, 31),
    )
    assert quarter_span(2026, 1).label == "2026年第一季度"
    assert quarter_span(2026, 1).end == dt.date(2026, 3, 31)
    assert custom_span(dt.date(2026, 3, 1), dt.date(2026, 5, 31)).label == (
        "2026年3月1日至2026年5月31日"
    )
    assert span_from({"period": "quarter", "year": "2025", "n": "4"}, default_year=2026) == (
        quarter_span(2025, 4)
    )


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"period": "quarter", "n": "5"}, "n", "季度应为 1—4"),
        ({"period": "custom", "start": "2026-05-01", "end": "2026-04-01"}, "end", "结束日期"),
        ({"period": "custom", "start": "昨天"}, "start", "开始日期"),
        ({"period": "week"}, "period", "统计期间"),
    ],
)
def test_bad_periods_are_refused_in_chinese(params, field, message):
    with pytest.raises(ValidationError) as e:
        span_from(params, default_year=2026)
    assert message in e.value.message_dict[field][0]


def test_known_records_give_known_figures_and_the_period_cuts_them(world):
    own, child = world.groups["own"], world.groups["child"]
    member, leader = world.people["own"], world.users["leader"].person
    s1 = _session(own, dt.date(2026, 2, 10), "topical")
    _attend(s1, member, "present")
    _attend(s1, leader, "leave")
    s2 = _session(own, dt.date(2026, 5, 10))
    _attend(s2, member, "late")
    _attend(s2, leader, "present")
    _session(own, dt.date(2026, 6, 1), status="planned")  # not held: not counted
    _session(child, dt.date(2026, 3, 31), hour=23)  # 23:00 in China is still 31 March
    year = subtree_statistics(world.units["own"], year_span(2026))
    rows = {r.group.pk: r for r in year.rows}
    assert rows[own.pk].value("sessions") == 2
    assert rows[own.pk].value("discussions") == 1
    assert rows[own.pk].value("kind_topical") == 1
    assert rows[own.pk].value("attendance_rate") == 75.0  # 3 of 4 places
    assert rows[own.pk].value("leave_rate") == 25.0
    assert rows[child.pk].value("sessions") == 1
    assert rows[child.pk].value("attendance_rate") is None  # nobody expected: no rate
    assert year.total.value("sessions") == 3
    assert [r.label for r in year.levels] == ["本级", "下一级单位"]
    q1 = subtree_statistics(world.units["own"], quarter_span(2026, 1))
    assert q1.total.value("sessions") == 2  # s1 and the child's 31 March session
    assert {r.group.pk: r.value("sessions") for r in q1.rows} == {own.pk: 1, child.pk: 1}


def test_the_query_count_does_not_grow_with_the_groups(world):
    root = world.units["own"]

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            subtree_statistics(Unit.objects.get(pk=root.pk), year_span(2026))
        return len(ctx)

    before = queries()
    for i in range(3):
        unit = Unit.objects.add_child(
            Unit.objects.get(pk=root.pk),
            {"code": f"A9{i}", "name": f"新增单位{i}党委", "kind": "党委"},
        )
        group = StudyGroup.objects.create(unit=unit, name=f"新增单位{i}党委理论学习中心组")
        _session(group, dt.date(2026, 4, 1))
    assert queries() == before


def _supervisor(world):
    return world.login(Client(), "supervisor")


def test_the_page_and_its_drill_down_show_the_same_numbers(world):
    own = world.groups["own"]
    _session(own, dt.date(2026, 2, 10))
    _session(own, dt.date(2026, 3, 10), "reading")
    client = _supervisor(world)
    page = client.get("/stats/", {"year": "2026", "show": "kinds"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "学习统计：市教育局党委（2026年度）" in body
    drill = client.get(
        "/stats/records/", {"figure": "kind_reading", "group": own.pk, "year": "2026"}
    )
    assert drill.context["value"] == 1
    assert drill.context["page_obj"].paginator.count == 1
    assert "读书班" in drill.content.decode()


def test_a_supervisor_cannot_read_a_unit_outside_their_subtree(world):
    client = _supervisor(world)
    assert client.get("/stats/", {"unit": world.units["sibling"].pk}).status_code == 404
    assert client.get("/stats/", {"code": "B"}).status_code == 404
    outside = world.groups["sibling"].pk
    assert client.get("/stats/records/", {"group": outside}).status_code == 404


def test_the_export_stores_numbers_with_a_title_above_the_table(world):
    own = world.groups["own"]
    s = _session(own, dt.date(2026, 2, 10))
    _attend(s, world.people["own"], "present")
    _attend(s, world.users["leader"].person, "absent")
    response = _supervisor(world).get("/stats/export.xlsx", {"year": "2026"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "学习概况",
        "出勤补学",
        "学习形式",
        "学习成果",
        "督导整改",
        "材料报送",
    ]
    ws = book["学习概况"]
    assert ws["A1"].value == "市教育局党委理论学习中心组学习概况统计（2026年度）"
    headers = [c.value for c in ws[2]]
    assert headers[:3] == ["单位", "层级", "学习次数（次）"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=3)}
    assert rows["市教育局党委"][2].value == 1
    assert rows["合计（2个中心组）"][2].value == 1
    ws = book["出勤补学"]
    headers = [c.value for c in ws[2]]
    rate = {r[0].value: r for r in ws.iter_rows(min_row=3)}["市教育局党委"][
        headers.index("出勤率（%）")
    ]
    assert rate.value == 0.5 and rate.number_format == "0.0%"
    assert all(len(book[name][2]) <= 10 for name in book.sheetnames)


def test_the_api_gives_the_page_figures(world):
    own = world.groups["own"]
    _session(own, dt.date(2026, 2, 10), "topical")
    _session(own, dt.date(2026, 8, 10))
    client = _supervisor(world)
    data = client.get("/api/statistics", {"year": 2026, "period": "half", "n": 1}).json()
    assert data["period"] == "2026年上半年"
    assert data["total"]["values"]["sessions"] == 1
    assert data["total"]["values"]["discussions"] == 1
    assert data["count"] == data["group_count"] == 2
    assert [i["label"] for i in data["items"]] == ["市教育局党委", "市第一中学党委"]
    bad = client.get("/api/statistics", {"period": "quarter", "n": 7})
    assert bad.status_code in (400, 422)
    assert "季度" in bad.content.decode()
