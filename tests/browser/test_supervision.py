"""Supervision in a real browser: the supervisor proposes and publishes a visit plan; an
observer fills a score sheet on a phone; the secretary reports a rectification with evidence
and the supervisor closes it (销号); the assessment ranking shows the 约谈名单."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser import supervision_data as data
from zhongxinzu.assessment.tests.helpers import add_groups
from zhongxinzu.compliance.models import Notification
from zhongxinzu.jobs.testing import run_worker
from zhongxinzu.org import services as org
from zhongxinzu.supervision import planning
from zhongxinzu.supervision.models import (
    ObservationVisit,
    Rectification,
    ScoreSheet,
    VisitPlan,
)

pytestmark = pytest.mark.browser

# A one-page PDF, as small as a real one gets: what a secretary scans and uploads.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture(autouse=True)
def _default_score_template(transactional_db) -> None:
    data.restore_default_score_template()


def _accept_confirm(page) -> None:
    """The next data-confirm prompt is answered OK (Playwright dismisses dialogs otherwise)."""
    page.once("dialog", lambda dialog: dialog.accept())


def test_supervisor_proposes_and_publishes_a_visit_plan(page, login, world, shots):
    supervisor = world.users["supervisor"]
    a2 = org.unit_create(
        actor=supervisor, parent=world.units["own"], name="市第二中学党委", code="A2", kind="党委"
    )
    # The team's second expert works at A2, so no team may visit A2.
    data.observation_team(
        world,
        year=timezone.localdate().year,
        also=[{"name": "张专家", "home_unit": a2, "employer": "市第二中学"}],
    )
    host = data.host_secretary(world, world.units["child"])

    login(page, "supervisor")
    page.locator("nav").get_by_role("link", name="旁听计划").click()
    page.get_by_role("link", name="生成旁听计划").click()
    form = page.locator("form.card")
    assert form.locator("select[name=owner_unit] option:checked").inner_text() == "市教育局党委"
    form.locator("input[name=title]").fill("市教育局党委第四季度列席旁听计划")
    shots(page, "plan-form")
    form.get_by_role("button", name="生成草稿").click()
    assert "已生成旁听计划草稿" in page.locator(".messages").inner_text()
    assert page.locator("h1").inner_text() == "市教育局党委第四季度列席旁听计划"
    assert "草稿" in page.locator("#plan-status").inner_text()
    row = page.locator("#plan-visits tbody tr", has_text=world.groups["child"].name)
    assert "第一旁听组" in row.inner_text()
    assert page.locator("#plan-visits tbody tr").count() == 1
    uncovered = page.locator("#uncovered").inner_text()
    assert f"{a2.group.name}：{planning.REASON_CONFLICT}" in uncovered
    shots(page, "plan-draft")

    _accept_confirm(page)
    page.get_by_role("button", name="发布并通知").click()
    assert "旁听计划已发布，已向被旁听中心组和旁听人员发送2条提醒" in (
        page.locator(".messages").inner_text()
    )
    assert "已发布" in page.locator("#plan-status").inner_text()
    assert page.get_by_role("button", name="发布并通知").count() == 0
    shots(page, "plan-published")

    plan = VisitPlan.objects.get()
    assert plan.status == VisitPlan.Status.PUBLISHED and plan.published_at is not None
    visit = ObservationVisit.objects.get()
    assert (visit.plan, visit.group, visit.team.name) == (plan, world.groups["child"], "第一旁听组")
    assert visit.materials_due < visit.planned_on < visit.summary_due
    notes = {n.key: n for n in Notification.objects.filter(kind="observation")}
    assert set(notes) == {f"visit_host:{visit.pk}", f"visit_observer:{visit.pk}"}
    assert notes[f"visit_host:{visit.pk}"].user == host
    assert "请于" in notes[f"visit_host:{visit.pk}"].message
    assert notes[f"visit_observer:{visit.pk}"].user == world.users["observer"]


def test_observer_fills_the_score_sheet_on_a_phone(phone_page, login, world, shots):
    peer = data.account(world, "observer2", "王专家", role="observer")
    visit = data.published_visit(world, also=[{"name": "王专家", "username": "observer2"}])
    data.submit_sheet(peer, visit, data.PEER_SCORES)

    page = login(phone_page, "observer")  # lands on 我的旁听任务
    assert page.locator("h1").inner_text() == "我的旁听任务"
    card = page.locator("#my-visits .card", has_text=visit.group.name)
    card.get_by_role("link", name="进入").click()
    assert page.locator("h1").inner_text() == f"列席旁听：{visit.group.name}"
    page.get_by_role("link", name="填写旁听评分表").click()
    shots(page, "sheet-empty")

    sheet = page.locator("#score-sheet")
    items = sheet.locator(".score-item")
    assert items.count() == len(data.LEAD_SCORES)
    for n, value in enumerate(data.LEAD_SCORES):
        item = items.nth(n)
        item.locator("input.score-input").fill(value)
        item.locator("input[type=text]").fill(f"第{n + 1}项说明")
    sheet.locator("textarea[name=remarks]").fill("学习准备充分，研讨联系实际较好。")
    assert page.locator("#score-total").inner_text() == "90.5"  # the live total
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= 375 + 1, f"the score sheet scrolls sideways ({scroll_width}px)"
    shots(page, "sheet-filled")

    sheet.get_by_role("button", name="提交（提交后不能修改）").click()
    assert "评分表已提交" in page.locator(".messages").inner_text()
    locked = page.locator("#sheet-locked").inner_text()
    assert "总分 90.5" in locked and "等次 好" in locked
    assert page.locator("#score-sheet input.score-input:disabled").count() == 8
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375 + 1
    shots(page, "sheet-submitted")

    page.locator(".breadcrumb").get_by_role("link", name="旁听记录表").click()
    assert page.locator("#team-average").inner_text() == "86.0"  # (90.5 + 81.5) / 2
    assert page.locator("#team-grade").inner_text() == "较好"
    shots(page, "record-sheet")

    sheet = ScoreSheet.objects.get(visit=visit, observer__user=world.users["observer"])
    assert (sheet.total, sheet.grade) == (Decimal("90.5"), "好")
    assert sheet.submitted_at is not None and sheet.remarks == "学习准备充分，研讨联系实际较好。"
    entries = list(sheet.entries.order_by("item__order"))
    assert [str(e.score) for e in entries] == [f"{Decimal(v):.1f}" for v in data.LEAD_SCORES]
    assert [e.remark for e in entries] == [f"第{n}项说明" for n in range(1, 9)]


def test_secretary_reports_with_evidence_and_supervisor_closes(
    page, login, world, shots, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    problem = data.raised_problem(world)
    evidence = tmp_path / "脱稿研讨记录.pdf"
    evidence.write_bytes(PDF)

    # The secretary reports progress with the scanned record.
    login(page, "secretary")
    page.locator("nav").get_by_role("link", name="问题整改").click()
    row = page.locator("#problems tbody tr", has_text=problem.group.name)
    assert "整改中" in row.inner_text()
    row.get_by_role("link", name=problem.description).click()
    assert page.locator("#rect-status").inner_text() == "整改中"
    page.locator("textarea[name=text]").fill("已组织两次脱稿研讨，发言人均提前准备提纲")
    page.locator("input[name=evidence_file]").set_input_files(str(evidence))
    shots(page, "report-form")
    page.get_by_role("button", name="报送整改进展").click()
    assert "整改进展已报送，等待督导单位销号" in page.locator(".messages").inner_text()
    assert page.locator("#rect-status").inner_text() == "待销号"
    assert "已组织两次脱稿研讨" in page.locator("#reports").inner_text()
    with page.expect_download() as info:
        page.locator("#reports").get_by_role("link", name="佐证材料").click()
    assert info.value.path().read_bytes() == PDF
    shots(page, "reported")

    report = Rectification.objects.get().reports.get()
    assert report.text == "已组织两次脱稿研讨，发言人均提前准备提纲"
    assert report.reported_by == world.users["secretary"]
    assert (tmp_path / "media" / report.evidence_file.name).read_bytes() == PDF

    # The supervisor closes it.
    page.context.clear_cookies()
    login(page, "supervisor")
    page.locator("nav").get_by_role("link", name="问题整改").click()
    page.locator("select[name=status]").select_option("reported")
    page.get_by_role("button", name="查询").click()
    page.locator("#problems").get_by_role("link", name=problem.description).click()
    shots(page, "to-close")
    page.get_by_role("button", name="销号").click()
    assert "已销号" in page.locator(".messages").inner_text()
    assert page.locator("#rect-status").inner_text() == "已销号"
    shots(page, "closed")
    rect = Rectification.objects.get()
    assert rect.status == Rectification.Status.CLOSED
    assert rect.closed_by == world.users["supervisor"] and rect.closed_at is not None

    # The secretary sees it closed and can no longer report.
    page.context.clear_cookies()
    login(page, "secretary")
    page.locator("nav").get_by_role("link", name="问题整改").click()
    row = page.locator("#problems tbody tr", has_text=problem.group.name)
    assert "已销号" in row.inner_text()
    row.get_by_role("link", name=problem.description).click()
    assert page.locator("#rect-status").inner_text() == "已销号"
    assert page.get_by_role("button", name="报送整改进展").count() == 0
    shots(page, "secretary-sees-closed")


def test_ranking_lists_the_group_at_the_bottom_two_years_running(page, login, world, shots):
    year = timezone.localdate().year
    own, child = world.groups["own"], world.groups["child"]
    g1, g2, g3, g4 = add_groups(world.units["own"], 4)
    # Bottom three (the default 末3位) last year: g3, g4, child; this year: g1, g2, child.
    data.assessment_year(
        world, year - 1, {own: 90, g1: 84, g2: 78, g3: 72, g4: 66, child: 0}, publish=True
    )
    current = data.assessment_year(
        world, year, {g3: 90, g4: 84, own: 78, g1: 72, g2: 66, child: 0}, publish=False
    )

    login(page, "supervisor")
    page.locator("nav").get_by_role("link", name="考核评价").click()
    page.locator("#schemes").get_by_role("link", name=current.name).click()
    page.get_by_role("button", name="计算考核结果").click()
    assert "正在后台计算" in page.locator(".messages").inner_text()
    run_worker()  # the job worker of make run, in this process
    expect(page.locator("#job-result")).to_contain_text("已计算6个中心组的考核结果")
    page.locator("#job-result-link").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith(f"{year}年度考核排名")
    last = page.locator("#ranking tbody tr").last
    assert child.name in last.inner_text() and "不合格" in last.inner_text()

    talk = page.locator("#talk-list")
    assert f"{year - 1}、{year}两个年度均排名末3位" in talk.inner_text()
    assert talk.locator("li").count() == 1
    assert talk.locator("li").inner_text() == f"{child.name}（{child.unit.name}）"
    shots(page, "ranking-talk-list")
    results = {r.group_id: r.rank for r in current.results.all()}
    assert results[child.pk] == 6 and sorted(results.values()) == [1, 2, 3, 4, 5, 6]
