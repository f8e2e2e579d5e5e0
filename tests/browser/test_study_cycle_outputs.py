"""Outputs and year plans in a real browser: a member hands in a reflection from a phone,
the leader approves a speech draft, and a year plan goes from the secretary's draft through
the leader's approval to the supervisor's filing overview."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.conftest import PHONE, no_horizontal_overflow
from zhongxinzu.meetings.models import StudySession
from zhongxinzu.outputs import services as output_services
from zhongxinzu.outputs.models import Output
from zhongxinzu.plans.models import Prompt, YearPlan

pytestmark = pytest.mark.browser


def _logout(page):
    page.locator("nav").get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def test_member_submits_a_reflection_from_a_phone(phone_page, login, url, world, shots):
    page = phone_page
    login(page, "member")
    page.goto(url("outputs:output_list"))
    page.get_by_role("link", name="提交学习成果").click()
    assert page.locator("h1").inner_text() == "提交学习成果"
    page.locator("select[name=kind]").select_option("reflection")
    page.locator("input[name=title]").fill("学习党的二十届四中全会精神心得体会")
    page.locator("textarea[name=body]").fill("通过集中学习，进一步深化了认识。")
    scroll_width, viewport = no_horizontal_overflow(page)
    assert viewport == PHONE["width"] and scroll_width <= viewport
    shots(page, "reflection-form")
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "学习党的二十届四中全会精神心得体会"
    assert "已提交" in page.locator("#output-status").inner_text()
    shots(page, "reflection-submitted")
    output = Output.objects.get()
    assert (output.kind, output.author) == ("reflection", world.users["member"].person)

    # it is among "my outputs" on the list, which still fits the phone
    page.goto(url("outputs:output_list", query="mine=1"))
    assert page.locator("#outputs").get_by_text("学习党的二十届四中全会精神心得体会").count() == 1
    scroll_width, viewport = no_horizontal_overflow(page)
    assert scroll_width <= viewport
    shots(page, "my-outputs")


def test_leader_approves_a_speech_draft_before_the_session(page, login, url, world, shots):
    starts = timezone.now() + dt.timedelta(days=2)
    session = StudySession.objects.create(
        group=world.groups["own"],
        kind="discussion",
        title="专题研讨",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        place="第一会议室",
    )
    draft = output_services.output_create(
        actor=world.users["member"],
        group=world.groups["own"],
        kind="speech",
        title="关于推进教育强市建设的研讨发言",
        body="一、认识\n二、差距\n三、举措",
        session=session,
    )
    login(page, "leader")
    page.locator("nav").get_by_role("link", name="学习成果").click()
    page.get_by_role("link", name="待我审阅的发言材料").click()
    shots(page, "waiting-for-review")
    page.locator("#outputs").get_by_role("link", name=draft.title).click()
    assert "待会前审阅" in page.locator("#output-status").inner_text()
    form = page.locator("#review-form")
    form.locator("select[name=decision]").select_option("approve")
    form.locator("textarea[name=comment]").fill("观点鲜明，同意发言")
    shots(page, "review-form")
    form.get_by_role("button", name="提交审阅意见").click()
    page.wait_for_load_state()
    assert "已审阅通过" in page.locator(".messages").inner_text()
    assert "会前已审阅" in page.locator("#output-status").inner_text()
    shots(page, "approved")
    draft.refresh_from_db()
    assert draft.status == Output.Status.APPROVED and draft.reviewed_by == world.users["leader"]


def test_year_plan_from_prompt_to_filing_overview(page, login, world, shots):
    year = timezone.localdate().year
    Prompt.objects.create(
        issuer_unit=world.units["parent"],
        year=year,
        quarter=1,
        title="第一季度学习提示",
        themes="学习党的二十届四中全会精神\n深入学习习近平文化思想",
        status="issued",
        issued_at=timezone.now(),
        created_by=world.users["supervisor"],
    )
    login(page, "secretary")
    page.locator("nav").get_by_role("link", name="学习计划").click()
    page.get_by_role("link", name="编制年度计划").click()
    page.locator("input[name=year]").fill(str(year))
    page.get_by_role("button", name="创建").click()
    page.wait_for_load_state()
    topics = page.locator("#topics tbody tr")
    assert topics.count() == 2 and "学习党的二十届四中全会精神" in topics.first.inner_text()
    shots(page, "plan-from-prompts")

    page.get_by_role("link", name="添加专题").click()
    page.locator("input[name=title]").fill("开展专题调研")
    page.locator("select[name=month]").select_option("6")
    page.locator("select[name=form]").select_option("实地调研学习")
    page.locator("select[name=lead]").select_option(label="leader人")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert page.locator("#topics tbody tr").count() == 3
    page.get_by_role("button", name="提交组长审批").click()
    page.wait_for_load_state()
    assert "待组长审批" in page.locator("#plan-status").inner_text()
    shots(page, "submitted")
    _logout(page)

    login(page, "leader")
    page.locator("nav").get_by_role("link", name="学习计划").click()
    page.locator("#plans").get_by_role("link").first.click()
    page.get_by_role("button", name="审批通过").click()
    page.wait_for_load_state()
    assert "已审批" in page.locator("#plan-status").inner_text()
    shots(page, "approved")
    _logout(page)

    login(page, "secretary")
    page.locator("nav").get_by_role("link", name="学习计划").click()
    page.locator("#plans").get_by_role("link").first.click()
    page.get_by_role("button", name="向上级报备").click()
    page.wait_for_load_state()
    assert "已报备" in page.locator("#plan-status").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载Word（公文格式）").click()
    assert download.value.suggested_filename.endswith(".docx")
    shots(page, "filed")
    _logout(page)

    login(page, "supervisor")
    page.locator("nav").get_by_role("link", name="学习计划").click()
    assert "年度学习计划报备情况" in page.locator("h1").inner_text()
    rows = page.locator("#filings tbody tr")
    own = rows.filter(has_text=world.groups["own"].name)
    assert "报备" in own.locator("td[data-label=报备情况]").inner_text()
    assert rows.filter(has_text=world.groups["child"].name).count() == 1
    shots(page, "filing-overview")
    plan = YearPlan.objects.get()
    assert plan.status == YearPlan.Status.FILED and plan.topics.count() == 3
