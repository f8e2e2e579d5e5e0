"""规则落实 in a real browser: the supervisor's overview shows the irregular group red and
drills down to its missing sessions; the secretary edits and downloads the annual report."""

import docx
import pytest

from zhongxinzu.compliance.tests import factories as f
from zhongxinzu.org.models import Membership

pytestmark = pytest.mark.browser


def test_supervisor_overview_drills_down_to_the_missing_sessions(page, login, url, world, shots):
    year = f.build_year(world, 2025)
    login(page, "supervisor")
    page.locator("nav").get_by_role("link", name="规则落实").click()
    page.locator("select[name=year]").select_option("2025")
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    shots(page, "overview")
    grid = page.locator("#grid")
    bad_row = grid.locator("tr", has=page.get_by_role("link", name=year.bad.unit.name))
    good_row = grid.locator("tr", has=page.get_by_role("link", name=year.good.unit.name))
    assert bad_row.locator("a.tag.red").count() >= 10
    assert good_row.locator("a.tag.red").count() == 0

    # the first cell of the row is the session count: drill down to the months without one
    bad_row.locator("a.tag").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("集体学习次数")
    proof = page.locator("#proof")
    assert proof.get_by_text("本月无已举行的学习").count() == 3
    assert "缺3次" in page.locator(".card").inner_text()
    shots(page, "missing-sessions")

    # the group's page: every rule with its badge, the members under the rate
    page.locator(".breadcrumb").get_by_role("link", name=year.bad.name).click()
    page.wait_for_load_state()
    assert page.locator("#check-sessions .tag.red").count() == 1
    assert page.locator("#members").get_by_text(year.bp["members"][0].name).count() == 1
    shots(page, "group-page")

    # only groups that missed the session count
    page.goto(url("compliance:overview", query="year=2025&check=sessions&status=missed"))
    assert grid.get_by_role("link", name=year.bad.unit.name).count() == 1
    assert grid.get_by_role("link", name=year.good.unit.name).count() == 0
    shots(page, "filtered")


def test_secretary_edits_the_report_and_downloads_it(page, login, url, world, shots):
    year = f.build_year(world, 2025)
    Membership.objects.create(
        group=year.good,
        person=world.users["secretary"].person,
        role="secretary",
        role_rank=Membership.rank_of("secretary"),
        start_date=year.gp["leader"].memberships.first().start_date,
    )
    login(page, "secretary")
    page.goto(url("compliance:report_edit", year.good.pk, query="year=2025"))
    assert "全年组织中心组集体学习12次" in page.locator("#figures").inner_text()
    page.locator("textarea[name=problems]").fill("（一）学习形式还比较单调。")
    page.get_by_role("button", name="保存文稿").click()
    page.wait_for_load_state()
    assert "汇报文稿已保存" in page.locator(".messages").inner_text()
    shots(page, "report-saved")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载Word文档（公文格式）").click()
    document = docx.Document(str(info.value.path()))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "（一）学习形式还比较单调。" in body and "集体学习12次" in body


def test_supervisor_overrides_a_rule_for_a_child_unit(page, login, world, shots):
    login(page, "supervisor")
    page.locator("nav").get_by_role("link", name="学习规则").click()
    page.get_by_role("link", name=world.units["child"].name).click()
    page.get_by_role("link", name="为本单位设置规则取值").click()
    page.locator("select[name=rule]").select_option("attendance_rate")
    page.locator("input[name=value]").fill("85")
    page.locator("input[name=note]").fill("市里实施细则")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    row = page.locator("#rules tr", has=page.get_by_text("每次及全年出勤率"))
    assert "85%" in row.inner_text() and world.units["child"].name in row.inner_text()
    assert page.locator("#overrides").get_by_text("市里实施细则").count() == 1
    shots(page, "rule-set")
