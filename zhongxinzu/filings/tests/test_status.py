"""filing_status and the task page: figures counted in SQL equal a hand recount, each count
equals the rows its link shows, and the pages' query counts do not grow with the data."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.filings import services
from zhongxinzu.filings.models import FilingTask, Submission
from zhongxinzu.filings.selectors import STATES, filing_status
from zhongxinzu.filings.tests.conftest import this_year
from zhongxinzu.org.models import StudyGroup, Unit
from zhongxinzu.org.tests.test_query_counts import assert_same_count, sql_of

pytestmark = pytest.mark.django_db


def set_row(sub: Submission, status: str, submitted_on: dt.date | None = None, **extra):
    Submission.objects.filter(pk=sub.pk).update(
        status=status,
        submitted_on=submitted_on,
        submitted_at=timezone.now() if submitted_on else None,
        revision=1 if submitted_on else 0,
        **extra,
    )


@pytest.fixture
def mixed(world, top, held_session):
    """R's annual task due 31 January: A on time, A1 late, B missing; R's 一学一报 task with
    A's two sessions: one returned, one missing."""
    year = this_year()
    task = services.task_create(
        actor=top,
        owner_unit=world.units["parent"],
        year=year,
        kind=FilingTask.Kind.ANNUAL,
        title="年度学习有关材料",
        due_on=dt.date(year, 1, 31),
    )
    rows = {s.group_id: s for s in Submission.objects.filter(task=task)}
    g = world.groups
    set_row(rows[g["own"].pk], "submitted", dt.date(year, 1, 30))
    set_row(rows[g["child"].pk], "accepted", dt.date(year, 2, 3))
    held_session(on=dt.date(year, 3, 2))
    held_session(on=dt.date(year, 4, 1), title="专题研讨")
    session_task = services.task_create(
        actor=top,
        owner_unit=world.units["parent"],
        year=year,
        kind=FilingTask.Kind.SESSION,
        title="一学一报",
        working_days=5,
    )
    first = Submission.objects.filter(task=session_task).order_by("due_on").first()
    set_row(first, "returned", dt.date(year, 3, 3), return_reason="内容不全")
    return task, session_task


RECOUNT = """
    SELECT s.group_id, COUNT(*),
      SUM(CASE WHEN s.status IN ('submitted', 'accepted') AND s.submitted_on <= s.due_on
          THEN 1 ELSE 0 END),
      SUM(CASE WHEN s.status IN ('submitted', 'accepted') AND s.submitted_on > s.due_on
          THEN 1 ELSE 0 END),
      SUM(CASE WHEN s.status = 'none' AND s.due_on < %s THEN 1 ELSE 0 END),
      SUM(CASE WHEN s.status = 'returned' THEN 1 ELSE 0 END),
      SUM(CASE WHEN s.status = 'none' AND s.due_on >= %s THEN 1 ELSE 0 END)
    FROM filings_submission s JOIN filings_filingtask t ON t.id = s.task_id
    WHERE t.year = %s AND t.is_active
    GROUP BY s.group_id
"""


def test_filing_status_equals_a_hand_recount_in_one_query(world, mixed, django_assert_num_queries):
    today = timezone.localdate()
    ids = [g.pk for g in world.groups.values()]
    with django_assert_num_queries(1):
        status = filing_status(ids, year=this_year())
    with connection.cursor() as cursor:
        cursor.execute(RECOUNT, [today, today, this_year()])
        recount = {r[0]: [int(v) for v in r[1:]] for r in cursor.fetchall()}
    for gid in ids:
        got = status[gid]
        want = recount.get(gid, [0] * 6)
        assert [
            got["total"],
            *(got[s] for s in ("on_time", "late", "missing", "returned", "pending")),
        ] == want
    own = status[world.groups["own"].pk]
    assert (own["on_time"], own["returned"], own["missing"]) == (1, 1, 1)
    assert status[world.groups["child"].pk]["late"] == 1
    assert status[world.groups["sibling"].pk]["missing"] == 1
    assert status[world.groups["unrelated"].pk]["total"] == 0


def test_filing_status_by_period_counts_rows_due_in_it(world, mixed):
    from zhongxinzu.compliance.engine import Period

    q1 = filing_status([world.groups["own"].pk], period=Period.quarter(this_year(), 1))
    assert q1[world.groups["own"].pk]["total"] == 2  # the annual row and March's session
    annual = filing_status([world.groups["own"].pk], year=this_year(), kind="annual")
    assert annual[world.groups["own"].pk] == {
        "total": 1,
        "on_time": 1,
        "late": 0,
        "missing": 0,
        "returned": 0,
        "pending": 0,
    }


def _count_links(html: str) -> dict[str, int]:
    return {s: int(n) for s, n in re.findall(r'id="count-(\w+)"[^>]*>[^<]*?(\d+)</a>', html)}


def test_each_count_on_the_task_page_equals_the_rows_it_links_to(client, world, top, mixed):
    task, _ = mixed
    world.login(client, "top")
    url = reverse("filings:task_detail", args=[task.pk])
    counts = _count_links(client.get(url).content.decode())
    assert set(counts) == set(STATES)
    assert sum(counts.values()) == 3
    for state, n in counts.items():
        html = client.get(f"{url}?state={state}").content.decode()
        body = html.split("<tbody>")[1].split("</tbody>")[0]
        assert body.count("<tr>") == n if n else "没有符合条件的报送" in body


def test_task_export_has_the_rows_and_the_counts(client, world, top, mixed):
    import io

    from openpyxl import load_workbook

    task, _ = mixed
    world.login(client, "top")
    response = client.get(reverse("filings:task_export", args=[task.pk]) + "?state=missing")
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in r] for r in ws.iter_rows()]
    assert "报送情况" in values[0][0]
    assert values[1][:3] == ["序号", "单位", "中心组"]
    assert [r[2] for r in values[2:] if isinstance(r[0], int)] == [world.groups["sibling"].name]
    assert ws.page_setup.orientation in ("landscape", "portrait")


def _more_groups(world, n):
    parent = Unit.objects.get(pk=world.units["parent"].pk)
    for i in range(n):
        u = Unit.objects.add_child(
            parent, {"code": f"C{i}", "name": f"新单位{i}党委", "kind": "党委"}
        )
        parent = Unit.objects.get(pk=parent.pk)
        StudyGroup.objects.create(unit=u, name=f"新单位{i}党委理论学习中心组")


def test_task_page_query_count_does_not_grow(client, world, top, mixed):
    task, _ = mixed
    world.login(client, "top")
    url = reverse("filings:task_detail", args=[task.pk])
    small = sql_of(client, url)
    _more_groups(world, 3)
    services.submissions_sync(tasks=[task])
    assert Submission.objects.filter(task=task).count() == 6
    assert_same_count(small, sql_of(client, url))


def test_group_page_and_task_list_query_counts_do_not_grow(client, world, top, mixed, held_session):
    world.login(client, "secretary")
    group_url = reverse("filings:group_filings", args=[world.groups["own"].pk])
    small_group = sql_of(client, group_url)
    world.login(client, "top")
    small_list = sql_of(client, reverse("filings:task_list"))
    for day in (5, 6, 7):
        held_session(on=dt.date(this_year(), 5, day))
    services.submissions_sync(group_ids=[world.groups["own"].pk])
    services.task_create(
        actor=top,
        owner_unit=world.units["parent"],
        year=this_year() - 1,
        kind=FilingTask.Kind.ANNUAL,
        title="上年度材料",
        due_on=dt.date(this_year() - 1, 1, 31),
    )
    assert_same_count(small_list, sql_of(client, reverse("filings:task_list")))
    world.login(client, "secretary")
    assert_same_count(small_group, sql_of(client, group_url))
