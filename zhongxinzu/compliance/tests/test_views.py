import difflib
import io

import docx
import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.compliance import selectors
from zhongxinzu.compliance.models import AnnualReportText, Notification
from zhongxinzu.compliance.services import snapshot_refresh
from zhongxinzu.compliance.tests import factories as f
from zhongxinzu.lib.tests.test_xlsx_layout import assert_prints_well
from zhongxinzu.org.models import Membership


@pytest.fixture
def year(world):
    return f.build_year(world, 2025)


@pytest.fixture
def as_role(world):
    return lambda role: world.login(Client(), role)


def make_secretary(world, group, person):
    """Give the world's secretary account the secretary role in `group` too."""
    Membership.objects.create(
        group=group,
        person=world.users["secretary"].person,
        role="secretary",
        role_rank=Membership.rank_of("secretary"),
        start_date=person.memberships.first().start_date,
    )


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_overview_shows_the_irregular_group_red_and_drills_down_to_missing_sessions(year, as_role):
    client = as_role("supervisor")
    html = html_of(client.get(reverse("compliance:overview"), {"year": 2025}))
    grid = html[html.index('id="grid"') :]
    bad_row = grid[grid.index(year.bad.unit.name) :]
    bad_row = bad_row[: bad_row.index("</tr>")]
    records = reverse("compliance:records", args=[year.bad.pk, "sessions"])
    assert f'class="tag red" href="{records}?year=2025"' in bad_row
    good_row = grid[grid.index(year.good.unit.name) :]
    good_row = good_row[: good_row.index("</tr>")]
    assert "tag red" not in good_row and "tag amber" not in good_row
    html = html_of(client.get(records, {"year": 2025}))
    assert html.count("本月无已举行的学习") == 3 and "10月" in html and "12月" in html
    assert "缺3次" in html


def test_overview_filters_by_rule_and_status(year, as_role):
    client = as_role("supervisor")
    html = html_of(
        client.get(
            reverse("compliance:overview"),
            {"year": 2025, "check": "sessions", "status": "missed"},
        )
    )
    grid = html[html.index('id="grid"') :]
    assert year.bad.unit.name in grid and year.good.unit.name not in grid


def test_overview_outside_the_subtree_is_hidden(world, as_role):
    response = as_role("supervisor").get(
        reverse("compliance:overview"), {"unit": world.units["parent"].pk}
    )
    assert response.status_code == 404


def test_group_page_lists_every_rule_with_badges_and_sources(year, world, as_role):
    make_secretary(world, year.bad, year.bp["leader"])
    html = html_of(
        as_role("secretary").get(
            reverse("compliance:group_detail", args=[year.bad.pk]), {"year": 2025}
        )
    )
    row = html[html.index('id="check-sessions"') :]
    row = row[: row.index("</tr>")]
    assert "9次" in row and "≥12次" in row and "tag red" in row and "全国/通用默认" in row
    assert year.bp["members"][0].name in html  # staff see every member
    assert reverse("compliance:records", args=[year.bad.pk, "participation"]) in html


def test_member_sees_group_verdicts_and_only_their_own_row(world, as_role):
    group = world.groups["own"]
    html = html_of(as_role("member").get(reverse("compliance:group_detail", args=[group.pk])))
    assert "我的情况" in html and "member人" in html
    assert "成员own" not in html  # another member of the group
    records = reverse("compliance:records", args=[group.pk, "sessions"])
    assert records not in html
    assert as_role("member").get(records).status_code == 403


def test_unknown_rule_is_404(world, as_role):
    url = reverse("compliance:records", args=[world.groups["own"].pk, "nonsense"])
    assert as_role("secretary").get(url).status_code == 404


def test_participation_drill_down_names_the_member_under_the_rate(year, world, as_role):
    make_secretary(world, year.bad, year.bp["leader"])
    url = reverse("compliance:records", args=[year.bad.pk, "participation"])
    html = html_of(as_role("secretary").get(url, {"year": 2025}))
    proof = html[html.index('id="proof"') :]
    first = proof[proof.index("<tbody>") :]
    first = first[: first.index("</tr>")]
    assert year.bp["members"][0].name in first and "44.4%" in first and "不符合" in first


# --- documents --------------------------------------------------------------------------


def test_secretary_edits_the_narrative_and_downloads_the_report(year, world, as_role):
    make_secretary(world, year.good, year.gp["leader"])
    client = as_role("secretary")
    url = reverse("compliance:report_edit", args=[year.good.pk])
    html = html_of(client.get(url, {"year": 2025}))
    assert "全年组织中心组集体学习12次" in html
    response = client.post(
        f"{url}?year=2025",
        {
            "intro": "开头。",
            "practices": "（一）做法。具体内容。",
            "problems": "（一）问题。",
            "next_steps": "（一）打算。",
        },  # fmt: skip
    )
    assert response.status_code == 302
    text = AnnualReportText.objects.get(group=year.good, year=2025)
    assert text.problems == "（一）问题。"
    # a stale version is refused
    response = client.post(
        f"{url}?year=2025",
        {"problems": "覆盖", "next_steps": "覆盖", "version": text.version - 1},
    )
    assert "已被他人修改" in response.content.decode()
    response = client.get(reverse("compliance:report_docx", args=[year.good.pk]), {"year": 2025})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.content))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "全年组织中心组集体学习12次" in body and "（一）问题。" in body
    assert AuditEntry.objects.filter(action="document", detail__document="annual_report").exists()


def test_leader_reads_the_report_page_but_cannot_change_it(world, as_role):
    url = reverse("compliance:report_edit", args=[world.groups["own"].pk])
    client = as_role("leader")
    assert "下载Word文档" in html_of(client.get(url))
    response = client.post(url, {"problems": "x", "next_steps": "y"})
    assert response.status_code == 403
    assert not AnnualReportText.objects.exists()


def test_attendance_register_page_and_xlsx(year, world, as_role):
    make_secretary(world, year.bad, year.bp["leader"])
    client = as_role("secretary")
    html = html_of(client.get(reverse("compliance:register", args=[year.bad.pk]), {"year": 2025}))
    assert "考勤登记表" in html and "1月10日" in html and "44.4%" in html
    response = client.get(reverse("compliance:register_xlsx", args=[year.bad.pk]), {"year": 2025})
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    ws = wb["考勤登记表"]
    assert ws["A1"].value == f"{year.bad.name}2025年度考勤登记表"
    header = [c.value for c in ws[2]]
    assert header[:4] == ["序号", "姓名", "组内角色", "1月10日"] and header[-1] == "参学率"
    absentee = next(r for r in ws.iter_rows() if r[1].value == year.bp["members"][0].name)
    assert absentee[3].value == "缺" and absentee[4].value == "出"
    assert absentee[-1].value == pytest.approx(4 / 9) and absentee[-1].number_format == "0.0%"
    assert isinstance(absentee[-2].value, int)  # 应参加 is a count
    assert_prints_well(ws, header_row=2, columns=len(header))
    assert AuditEntry.objects.filter(action="export", detail__document="attendance_register")


# --- inbox ------------------------------------------------------------------------------


def test_inbox_lists_marks_read_and_counts_in_the_nav(world, as_role):
    user = world.users["member"]
    for i in range(3):
        Notification.objects.create(
            user=user, key=f"k{i}", kind="makeup", message=f"提醒{i}", link="/compliance/"
        )
    Notification.objects.create(user=world.users["leader"], key="x", kind="plan", message="别人")
    client = as_role("member")
    html = html_of(client.get(reverse("compliance:inbox")))
    assert "提醒(3)" in html and "提醒2" in html and "别人" not in html
    first = Notification.objects.get(user=user, key="k0")
    response = client.post(reverse("compliance:notification_read", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == "/compliance/"
    assert "提醒(2)" in html_of(client.get(reverse("compliance:inbox")))
    other = Notification.objects.get(key="x")
    assert client.post(reverse("compliance:notification_read", args=[other.pk])).status_code == 404
    client.post(reverse("compliance:inbox"))
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert Notification.objects.get(key="x").read_at is None


def test_notification_link_to_another_site_is_not_followed(world, as_role):
    n = Notification.objects.create(
        user=world.users["member"], key="evil", kind="x", message="m", link="https://evil.example/"
    )
    response = as_role("member").post(reverse("compliance:notification_read", args=[n.pk]))
    assert response["Location"] == reverse("compliance:inbox")


# --- query counts -----------------------------------------------------------------------


def sql_of(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def assert_same_count(small, large):
    if len(small) != len(large):
        diff = "\n".join(difflib.unified_diff(small, large, "small", "large", lineterm=""))
        pytest.fail(f"{len(small)} queries with little data, {len(large)} with more:\n{diff}")


def grow(world, n=3):
    """More groups under the supervisor, each with sessions and attendance."""
    for _ in range(n):
        group, people = f.make_group(world.units["child"], members=3)
        for month in (2, 5):
            s = f.session(f.fresh(group), f.at(2025, month, 3, 9, 0))
            f.roll(s, f.everyone(people, by_person={people["members"][0]: "absent"}))


@pytest.mark.parametrize("live", [True, False], ids=["live", "snapshot"])
def test_overview_query_count_does_not_grow_with_groups(year, world, as_role, monkeypatch, live):
    if not live:
        monkeypatch.setattr(selectors, "LIVE_LIMIT", 0)
    client = as_role("supervisor")
    url = reverse("compliance:overview")
    snapshot_refresh(year=2025)
    small = sql_of(client, url, {"year": 2025})
    grow(world)
    snapshot_refresh(year=2025)
    large = sql_of(client, url, {"year": 2025})
    assert_same_count(small, large)
    filtered = sql_of(client, url, {"year": 2025, "status": "missed", "check": "sessions"})
    assert len(filtered) == len(large)


def test_snapshot_mode_totals_and_filters_come_from_the_snapshot(year, as_role, monkeypatch):
    monkeypatch.setattr(selectors, "LIVE_LIMIT", 0)
    client = as_role("supervisor")
    url = reverse("compliance:overview")
    html = html_of(client.get(url, {"year": 2025}))
    assert "尚未统计" in html
    snapshot_refresh(year=2025)
    html = html_of(client.get(url, {"year": 2025, "check": "roster", "status": "missed"}))
    grid = html[html.index('id="grid"') :]
    assert year.bad.unit.name in grid and year.good.unit.name not in grid
    assert "最早一个统计于" in html


def test_group_page_query_count_does_not_grow_with_records(world, as_role):
    group, people = f.make_group(world.units["own"])
    group = f.fresh(group)
    make_secretary(world, group, people["leader"])
    client = as_role("secretary")
    url = reverse("compliance:group_detail", args=[group.pk])
    f.roll(f.session(group, f.at(2025, 1, 3, 9, 0)), f.everyone(people))
    small = sql_of(client, url, {"year": 2025})
    for month in range(2, 8):
        s = f.session(group, f.at(2025, month, 3, 9, 0))
        f.roll(s, f.everyone(people, by_person={people["members"][1]: "leave"}))
        f.output(group, people["members"][month % 3], year=2025)
    assert_same_count(small, sql_of(client, url, {"year": 2025}))


def test_snapshot_totals_equal_the_live_totals(year, world, monkeypatch):
    import datetime as dt

    from zhongxinzu.compliance.engine import Period

    grow(world)
    args = dict(root=world.units["own"], period=Period.year(2025), as_of=dt.date(2026, 1, 10))
    live = selectors.overview(**args)
    snapshot_refresh(year=2025, as_of=args["as_of"])
    monkeypatch.setattr(selectors, "LIVE_LIMIT", 0)
    cached = selectors.overview(**args)
    assert not cached.live and cached.not_computed == 0
    assert cached.worst == live.worst and sum(live.worst.values()) == live.total
    assert cached.by_check == live.by_check
