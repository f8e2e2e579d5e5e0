"""Exports of the supervision pages: the expert pool, the visit list, a visit plan, the
problem list (.xlsx, the page's rows, scope, filters and order), and the 旁听记录表 and the
score statistics as .docx and .xlsx with signature and date lines."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.urls import reverse
from docx import Document

from zhongxinzu.documents.tests.reading import (
    column,
    export_link,
    notes_of,
    page_column,
    sheet_of,
    workbook_of,
)
from zhongxinzu.meetings.models import Attendance, StudySession
from zhongxinzu.org.tests.test_query_counts import assert_same_count, sql_of
from zhongxinzu.supervision import scoring
from zhongxinzu.supervision.models import Expert, ObservationVisit, VisitPlan
from zhongxinzu.supervision.tests.test_problems import raise_problem
from zhongxinzu.supervision.tests.test_scoring import (
    DEFAULT_POINTS,
    default_template,
    full_scores,
    login,
    make_team,
    make_visit,
    second_observer,
)

pytestmark = pytest.mark.django_db
SIGN = "签名：____________　　日期：____年__月__日"


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


# --- expert pool --------------------------------------------------------------------------


def test_expert_export_has_the_pages_rows_and_filters(world):
    for name, active in (("王理论", True), ("李党史", True), ("赵出库", False)):
        Expert.objects.create(
            owner_unit=world.units["own"], name=name, field=name, is_active=active
        )
    Expert.objects.create(owner_unit=world.units["sibling"], name="外单位专家")
    client = login(world, "supervisor")
    page = get(client, reverse("supervision:expert_list"))
    caption, headers, rows = sheet_of(get(client, export_link(page.content)).content)
    assert caption == "专家库（在库专家）"
    assert column(headers, rows, "姓名") == page_column(page.content, "experts", "姓名")
    assert sorted(column(headers, rows, "姓名")) == sorted(["王理论", "李党史"])
    _, headers, rows = sheet_of(
        get(client, reverse("supervision:expert_list_xlsx"), all="1").content
    )
    assert "赵出库" in column(headers, rows, "姓名") and "外单位专家" not in column(
        headers, rows, "姓名"
    )
    _, headers, rows = sheet_of(
        get(client, reverse("supervision:expert_list_xlsx"), q="党史").content
    )
    assert column(headers, rows, "姓名") == ["李党史"]


# --- visits and plans -------------------------------------------------------------------


def _plan(world, rel="own"):
    return VisitPlan.objects.create(
        owner_unit=world.units[rel],
        title="2026年度旁听计划",
        year=2026,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        status="published",
        created_by=world.users["supervisor"],
    )


def _visits(world, team, plan, rels=("own", "child", "sibling"), month=6):
    return [
        ObservationVisit.objects.create(
            plan=plan if rel != "sibling" else None,
            group=world.groups[rel],
            team=team,
            planned_on=dt.date(2026, month, 10 + i),
            materials_due=dt.date(2026, month, 3 + i),
            summary_due=dt.date(2026, month, 25),
        )
        for i, rel in enumerate(rels)
    ]


def test_visit_export_has_the_pages_rows_and_filters(world, settings):
    team, _ = make_team(world, world.users["observer"])
    plan = _plan(world)
    _visits(world, team, plan)
    _visits(world, team, plan, rels=("own",), month=3)
    ObservationVisit.objects.filter(planned_on__month=3).update(stage="after")
    client = login(world, "supervisor")
    page = get(client, reverse("supervision:visit_list"))
    caption, headers, rows = sheet_of(get(client, export_link(page.content)).content)
    assert caption == "列席旁听（全部年度）"
    assert column(headers, rows, "被旁听中心组") == [
        t.removesuffix(" 草稿") for t in page_column(page.content, "visits", "被旁听中心组")
    ]
    assert world.groups["sibling"].name not in column(headers, rows, "被旁听中心组")
    assert len(rows) == 3
    assert column(headers, rows, "材料报送期限")[0] == dt.datetime(2026, 3, 3)
    assert set(column(headers, rows, "材料报送")) == {"已逾期"}  # nothing sent, all past
    _, headers, rows = sheet_of(
        get(client, reverse("supervision:visit_list_xlsx"), stage="after", year="2026").content
    )
    assert column(headers, rows, "日期") == [dt.datetime(2026, 3, 10)]
    settings.PAGE_SIZE = 1
    _, _, rows = sheet_of(get(client, reverse("supervision:visit_list_xlsx"), page="2").content)
    assert len(rows) == 3


def test_plan_export_has_the_plans_visits_and_team_loads(world):
    team, _ = make_team(world, world.users["observer"])
    plan = _plan(world)
    visits = _visits(world, team, plan, rels=("own", "child"))
    client = login(world, "supervisor")
    page = get(client, reverse("supervision:plan_detail", args=[plan.pk]))
    response = get(client, export_link(page.content))
    caption, headers, rows = sheet_of(response.content)
    assert caption == f"{world.units['own'].name}2026年度中心组学习旁听计划（已发布）"
    assert column(headers, rows, "被旁听中心组") == page_column(
        page.content, "plan-visits", "被旁听中心组"
    )
    assert column(headers, rows, "日期") == [
        dt.datetime.combine(v.planned_on, dt.time()) for v in visits
    ]
    _, headers, rows = sheet_of(response.content, 1)
    assert rows == [[team.name, 2]]
    url = reverse("supervision:plan_detail_xlsx", args=[plan.pk])
    other, _ = make_team(world, second_observer(world), name="第二旁听组")
    ObservationVisit.objects.filter(pk=visits[1].pk).update(team=other)
    _, headers, rows = sheet_of(get(client, url, team=str(team.pk)).content)
    assert column(headers, rows, "被旁听中心组") == [world.groups["own"].name]


@pytest.mark.parametrize("name", ["supervision:visit_list_xlsx", "supervision:plan_detail_xlsx"])
def test_visit_exports_queries_do_not_grow(world, name):
    team, _ = make_team(world, world.users["observer"])
    plan = _plan(world)
    client = login(world, "supervisor")
    url = reverse(name, args=[plan.pk] if "plan" in name else [])
    _visits(world, team, plan, rels=("own",))
    small = sql_of(client, url)
    _visits(world, team, plan, rels=("own", "child"), month=7)
    _visits(world, team, plan, rels=("own", "child"), month=8)
    assert_same_count(small, sql_of(client, url))


# --- problems ------------------------------------------------------------------------------


def test_problem_export_has_the_pages_rows_and_filters(world):
    raise_problem(world, "own", description="研讨发言念稿")
    raise_problem(world, "child", description="学习计划照搬照抄")
    late = raise_problem(
        world,
        "own",
        description="会议记录不全",
        found_on=dt.date(2026, 1, 5),
        deadline=dt.date(2026, 2, 1),
    )
    client = login(world, "supervisor")
    page = get(client, reverse("supervision:problem_list"))
    caption, headers, rows = sheet_of(get(client, export_link(page.content)).content)
    assert caption == "问题清单"
    assert len(rows) == 3
    assert [d[:6] for d in column(headers, rows, "问题")] == [
        t[:6] for t in page_column(page.content, "problems", "问题")
    ]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*) FROM supervision_problem p"
            " JOIN supervision_rectification r ON r.problem_id = p.id"
            " WHERE p.group_id IN (%s, %s) AND r.deadline < %s AND r.status <> 'closed'",
            [world.groups["own"].pk, world.groups["child"].pk, dt.date.today()],
        )
        (overdue,) = cur.fetchone()
    assert column(headers, rows, "是否逾期").count("逾期") == overdue == 1
    _, headers, rows = sheet_of(
        get(client, reverse("supervision:problem_list_xlsx"), overdue="on").content
    )
    assert column(headers, rows, "问题") == [late.description]
    query = {"group": str(world.groups["child"].pk)}
    _, headers, rows = sheet_of(
        get(client, reverse("supervision:problem_list_xlsx"), **query).content
    )
    assert column(headers, rows, "问题") == ["学习计划照搬照抄"]
    _, headers, rows = sheet_of(
        get(login(world, "secretary"), reverse("supervision:problem_list_xlsx")).content
    )
    assert set(column(headers, rows, "中心组")) == {world.groups["own"].name}


def test_problem_export_queries_do_not_grow(world):
    client = login(world, "supervisor")
    url = reverse("supervision:problem_list_xlsx")
    raise_problem(world, "own")
    small = sql_of(client, url)
    for rel in ("own", "child", "child"):
        raise_problem(world, rel)
    assert_same_count(small, sql_of(client, url))


# --- score statistics and the record sheet ---------------------------------------------------


@pytest.fixture
def scored(world):
    """Two observers score a visit of the own group (100 and 90) and one of the child group
    (85 and 85); a 2025 visit is scored too."""
    other = second_observer(world)
    team, experts = make_team(world, world.users["observer"], other)
    template = default_template()
    starts = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    session = StudySession.objects.create(
        group=world.groups["own"],
        kind="study",
        title="学习贯彻全会精神",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        status="recorded",
    )
    Attendance.objects.create(session=session, person=world.people["own"], status="present")
    Attendance.objects.create(
        session=session, person=world.users["leader"].person, status="leave", reason="出差"
    )
    v1 = make_visit(world, team, rel="own", session=session, on=dt.date(2026, 3, 1))
    v2 = make_visit(world, team, rel="child", on=dt.date(2026, 4, 1))
    v3 = make_visit(world, team, rel="own", on=dt.date(2025, 4, 1))
    for visit, minus in ((v1, (0, 10)), (v2, (15, 15)), (v3, (0, 0))):
        for user, m in zip((world.users["observer"], other), minus, strict=True):
            values = list(DEFAULT_POINTS)
            values[3] -= m
            scoring.score_sheet_save(
                actor=user,
                visit=visit,
                scores=full_scores(template, values),
                remarks={},
                overall="联系实际较好" if m == 0 else "",
                submit=True,
            )
    return v1, experts


def test_score_stats_xlsx_has_the_pages_rows_and_signature_lines(world, scored):
    client = login(world, "supervisor")
    query = {"start": "2026-01-01", "end": "2026-12-31", "threshold": "90"}
    page = get(client, reverse("supervision:score_stats"), **query)
    link = export_link(page.content)
    response = get(client, link)
    caption, headers, rows = sheet_of(response.content)
    assert caption == "旁听评分统计（按中心组，2026年1月1日至2026年12月31日）"
    assert column(headers, rows, "中心组") == page_column(page.content, "stats-groups", "名称")
    assert column(headers, rows, "平均分") == [95, 85]
    assert column(headers, rows, "均不低于90分") == ["是", "否（1次未达）"]
    ws = workbook_of(response.content).worksheets[0]
    assert ws.cell(3, 3).number_format == "0.00"
    notes = notes_of(response.content)
    assert notes[0] == "已评分旁听2次，平均分90.0；等次分布：好1次，较好1次，一般0次，差0次"
    assert f"统计人　{SIGN}" in notes and f"审核人　{SIGN}" in notes
    _, headers, rows = sheet_of(response.content, 1)
    assert rows[0][:2] == ["第一旁听组", 2]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT COUNT(DISTINCT s.visit_id) FROM supervision_scoresheet s"
            " JOIN supervision_observationvisit v ON v.id = s.visit_id"
            " WHERE s.submitted_at IS NOT NULL AND v.planned_on BETWEEN %s AND %s",
            [dt.date(2026, 1, 1), dt.date(2026, 12, 31)],
        )
        (visits,) = cur.fetchone()
    assert sum(column(headers, rows, "旁听次数")) == visits == 2


def test_score_stats_docx_is_an_official_table_with_signature_lines(world, scored):
    client = login(world, "supervisor")
    page = get(client, reverse("supervision:score_stats"), start="2026-01-01")
    assert reverse("supervision:score_stats_docx") + "?start=2026-01-01" in page.content.decode()
    response = get(client, reverse("supervision:score_stats_docx"), start="2026-01-01")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.word")
    text = docx_text(response.content)
    assert "中心组学习旁听评分统计表" in text
    assert "统计期间：2026年1月1日以来" in text
    assert world.groups["child"].name in text and "85.0" in text
    assert f"统计人　{SIGN}" in text and f"审核人　{SIGN}" in text
    doc = Document(io.BytesIO(response.content))
    assert [c.text for c in doc.tables[0].rows[0].cells][:3] == ["中心组", "旁听次数", "平均分"]
    assert len(doc.tables[0].rows) == 3  # header, own, child


def test_record_sheet_docx_and_xlsx_carry_the_page_and_signatures(world, scored):
    visit, experts = scored
    client = login(world, "supervisor")
    page = get(client, reverse("supervision:score_record", args=[visit.pk])).content.decode()
    assert reverse("supervision:score_record_docx", args=[visit.pk]) in page
    data = get(client, reverse("supervision:score_record_xlsx", args=[visit.pk])).content
    caption, headers, rows = sheet_of(data)
    assert caption == "中心组学习旁听记录表"
    fields = dict(rows)
    assert fields["学习主题"] == "学习贯彻全会精神"
    expected = fields["应到/实到"]
    assert expected.startswith("应到") and expected.endswith("实到1人")
    for label in ("学习主题", "应到/实到", "缺席人员及原因"):
        assert f"<th>{label}</th><td>{fields[label]}</td>" in page
    assert fields["缺席人员及原因"] == f"{world.users['leader'].person.name}（请假：出差）"
    assert fields["旁听人员"] == "第一旁听组：专家0（组长）、专家1"
    signs = [n for n in notes_of(data) if SIGN in n]
    assert signs == [f"旁听人员 专家0　{SIGN}", f"旁听人员 专家1　{SIGN}", f"记录人　{SIGN}"]
    _, headers, rows = sheet_of(data, 1)
    assert headers == ["评分项目", "分值", "专家0", "专家1", "平均"]
    assert column(headers, rows, "分值")[:-2] == DEFAULT_POINTS
    total = rows[-2]
    assert total[:4] == ["总分", 100, 100, 90] and total[4] == 95
    assert "专家0总体意见：联系实际较好" in notes_of(data, 1)
    response = get(client, reverse("supervision:score_record_docx", args=[visit.pk]))
    text = docx_text(response.content)
    assert "中心组学习旁听记录表" in text and expected in text
    assert f"旁听人员 专家0　{SIGN}" in text and f"记录人　{SIGN}" in text
    assert "95.0" in text


def test_scoring_list_export_has_the_pages_rows(world, scored):
    client = login(world, "supervisor")
    page = get(client, reverse("supervision:score_visit_list"))
    _, headers, rows = sheet_of(get(client, export_link(page.content)).content)
    assert column(headers, rows, "中心组") == page_column(page.content, "score-visits", "中心组")
    assert column(headers, rows, "平均分") == [85, 95, 100]  # newest first: child, own, 2025
    assert column(headers, rows, "已提交评分") == [2, 2, 2]
    _, _, rows = sheet_of(
        get(login(world, "observer"), reverse("supervision:score_visit_list_xlsx")).content
    )
    assert len(rows) == 3
