"""The session, leave and make-up lists export .xlsx: the page's rows (all pages of them),
its scope and filters, in its order, with numbers as numbers."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.urls import reverse

from zhongxinzu.documents.tests.reading import (
    column,
    export_link,
    page_column,
    sheet_of,
    workbook_of,
)
from zhongxinzu.meetings.models import AgendaItem, Attendance, LeaveRequest, MakeUp
from zhongxinzu.org.tests.test_query_counts import assert_same_count, sql_of

pytestmark = pytest.mark.django_db
_n = itertools.count()


def add(make_session, people, world, rels=("own", "child", "sibling"), **fields):
    """A session per relation; in the own group a roll call (plain member absent, with a
    make-up), and a leave request of the member."""
    made = []
    for rel in rels:
        s = make_session(rel, title=f"学习{next(_n)}", **fields)
        AgendaItem.objects.create(session=s, title="议程")
        made.append(s)
        person = people["plain"] if rel == "own" else world.people[rel]
        a = Attendance.objects.create(session=s, person=person, status="absent", reason="病")
        MakeUp.objects.create(attendance=a, due_date=dt.date(2026, 1, 1))
        if rel == "own":
            Attendance.objects.create(session=s, person=people["leader"], status="present")
            Attendance.objects.create(session=s, person=people["secretary"], status="late")
            LeaveRequest.objects.create(session=s, person=people["member"], reason="出差")
        else:
            LeaveRequest.objects.create(session=s, person=world.people[rel], reason="开会")
    return made


def fetch(client, name, query=""):
    response = client.get(reverse(name) + query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return sheet_of(response.content)


def test_session_export_has_the_pages_rows_in_its_order(make_session, people, world, as_role):
    add(make_session, people, world)
    add(make_session, people, world, kind="discussion")
    client = as_role("supervisor")
    page = client.get(reverse("meetings:session_list"))
    caption, headers, rows = fetch(client, "meetings:session_list_xlsx")
    assert caption.startswith("集体学习一览（")
    assert column(headers, rows, "学习主题") == page_column(page.content, "sessions", "学习主题")
    assert len(rows) == 4  # own and child, twice; the sibling group is outside the scope
    with connection.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*), SUM(CASE WHEN a.status IN ('present', 'late') THEN 1 ELSE 0 END)"
            " FROM meetings_attendance a JOIN meetings_studysession s ON s.id = a.session_id"
            " WHERE s.group_id IN (%s, %s) AND NOT a.is_attendee",
            [world.groups["own"].pk, world.groups["child"].pk],
        )
        expected, attended = cur.fetchone()
    assert sum(column(headers, rows, "应到")) == expected
    assert sum(column(headers, rows, "实到")) == attended
    own_row = next(r for r in rows if r[1] == world.units["own"].name)
    assert own_row[headers.index("出勤率")] == pytest.approx(2 / 3)
    ws = workbook_of(client.get(reverse("meetings:session_list_xlsx")).content).active
    assert ws.cell(3, headers.index("出勤率") + 1).number_format == "0.0%"
    assert isinstance(rows[0][0], dt.datetime)


def test_session_export_applies_the_filters_and_ignores_paging(
    make_session, people, world, as_role, settings
):
    add(make_session, people, world)
    seminars = add(make_session, people, world, kind="discussion")
    client = as_role("supervisor")
    page = client.get(reverse("meetings:session_list") + "?kind=discussion")
    link = export_link(page.content)
    assert link == reverse("meetings:session_list_xlsx") + "?kind=discussion"
    _, headers, rows = sheet_of(client.get(link).content)
    assert column(headers, rows, "学习主题") == [s.title for s in reversed(seminars[:2])]
    assert set(column(headers, rows, "学习形式")) == {"集中研讨"}
    settings.PAGE_SIZE = 1
    _, _, rows = fetch(client, "meetings:session_list_xlsx", "?page=2")
    assert len(rows) == 4


def test_secretary_exports_only_the_own_group(make_session, people, world, as_role):
    add(make_session, people, world)
    _, headers, rows = fetch(as_role("secretary"), "meetings:session_list_xlsx")
    assert column(headers, rows, "中心组") == [world.units["own"].name]


def test_leave_export_follows_the_status_filter(make_session, people, world, as_role):
    add(make_session, people, world)
    client = as_role("supervisor")
    LeaveRequest.objects.filter(session__group=world.groups["child"]).update(status="approved")
    caption, headers, rows = fetch(client, "meetings:leave_list_xlsx")
    assert caption == "请假申请（待审批）"
    page = client.get(reverse("meetings:leave_list"))
    assert column(headers, rows, "申请人") == page_column(page.content, "leave-requests", "申请人")
    assert column(headers, rows, "申请人") == [people["member"].name]
    _, headers, rows = fetch(client, "meetings:leave_list_xlsx", "?status=all")
    assert sorted(column(headers, rows, "申请人")) == sorted(
        [people["member"].name, world.people["child"].name]
    )
    assert world.people["sibling"].name not in column(headers, rows, "申请人")


def test_makeup_export_follows_the_filters(make_session, people, world, as_role):
    add(make_session, people, world)
    client = as_role("supervisor")
    page = client.get(reverse("meetings:makeup_list"))
    _, headers, rows = fetch(client, "meetings:makeup_list_xlsx")
    assert column(headers, rows, "姓名") == page_column(page.content, "makeups", "姓名")
    assert len(rows) == 2
    assert set(column(headers, rows, "是否逾期")) == {"已逾期"}
    assert all(isinstance(d, dt.datetime) for d in column(headers, rows, "补学期限"))
    query = f"?group={world.groups['child'].pk}"
    _, headers, rows = fetch(client, "meetings:makeup_list_xlsx", query)
    assert column(headers, rows, "姓名") == [world.people["child"].name]
    MakeUp.objects.filter(attendance__session__group=world.groups["own"]).update(status="confirmed")
    _, headers, rows = fetch(client, "meetings:makeup_list_xlsx", "?status=overdue")
    assert column(headers, rows, "姓名") == [world.people["child"].name]


@pytest.mark.parametrize(
    "name", ["meetings:session_list_xlsx", "meetings:leave_list_xlsx", "meetings:makeup_list_xlsx"]
)
def test_export_queries_do_not_grow(make_session, people, world, as_role, name):
    client = as_role("supervisor")
    url = reverse(name) + "?status=all" * (name == "meetings:leave_list_xlsx")
    add(make_session, people, world, rels=("own",))
    small = sql_of(client, url)
    for _ in range(2):
        add(make_session, people, world, rels=("own", "child"))
    assert_same_count(small, sql_of(client, url))
