"""The study cycle in a real browser: the secretary plans, takes the roll and records a
session; a member signs in on a phone through the QR URL; the leader approves a leave."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import PASSWORD
from tests.browser.conftest import no_horizontal_overflow

pytestmark = pytest.mark.browser


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _session(world, *, starts_at, title="学习贯彻四中全会精神"):
    from zhongxinzu.meetings.models import StudySession

    return StudySession.objects.create(
        group=world.groups["own"],
        kind="study",
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=3),
        place="三楼会议室",
    )


def test_secretary_plans_takes_the_roll_and_records(page, login, world, shots):
    from zhongxinzu.meetings.models import MakeUp, StudySession

    login(page, "secretary")
    page.locator("nav").get_by_role("link", name="集体学习").click()
    page.get_by_role("link", name="安排学习").click()
    shots(page, "plan-form")

    start = timezone.now() - dt.timedelta(hours=1)
    form = page.locator("#session-form")
    form.locator("select[name=kind]").select_option("study")
    form.locator("input[name=title]").fill("学习贯彻四中全会精神")
    form.locator("input[name=starts_at]").fill(_local(start))
    form.locator("input[name=ends_at]").fill(_local(start + dt.timedelta(hours=3)))
    form.locator("input[name=place]").fill("三楼会议室")
    form.locator("select[name=lead_reader]").select_option(label="leader人（党委书记）")
    form.locator("textarea[name=agenda]").fill("传达上级文件\n交流研讨")
    form.locator("select[name=sp-0-person]").select_option(label="member人（副局长）")
    form.locator("input[name=sp-0-subtopic]").fill("以学促干")
    form.locator("button[type=submit]").click()
    assert page.locator("h1").inner_text().startswith("学习贯彻四中全会精神")
    assert "未设置“第一议题”" in page.locator(".messages").inner_text()  # a warning only
    shots(page, "planned")

    page.get_by_role("link", name="点名考勤").click()
    page.get_by_role("button", name="未选择的全部设为出席").click()  # the small script
    absent = page.locator("tr.roll-row", has_text="成员own")
    absent.locator("input[value=absent]").check()
    absent.locator("input[type=text]").fill("因病住院")
    shots(page, "roll-call")
    page.get_by_role("button", name="保存考勤").click()
    assert "应到3人，实到2人" in page.locator("#people-counts").inner_text()

    page.get_by_role("link", name="完成记录").click()
    page.locator("textarea[name=content]").fill("学习了全会公报和重要讲话")
    page.locator("textarea[name=effect]").fill("统一了思想，明确了举措")
    page.locator("textarea[name=minutes]").fill("会议指出，要深入学习。")
    page.get_by_role("button", name="完成记录").click()
    assert page.locator("#session-status").inner_text() == "已记录"
    shots(page, "recorded")
    session = StudySession.objects.get()
    assert session.status == "recorded"
    assert MakeUp.objects.get().attendance.person == world.people["own"]

    page.get_by_role("link", name="打印会议纪要").click()
    minutes = page.locator("#session-minutes")
    assert "出席：" in minutes.inner_text() and "因病住院" in minutes.inner_text()
    shots(page, "minutes")
    page.emulate_media(media="print")
    assert page.locator("header.topbar").is_hidden()
    shots(page, "minutes-print")


def test_member_signs_in_on_a_phone_through_the_qr_url(
    browser, page, phone_page, login, url, world, shots, live_server
):
    from zhongxinzu.meetings.models import Attendance
    from zhongxinzu.meetings.services import sign_in_token

    session = _session(world, starts_at=timezone.now() - dt.timedelta(minutes=5))

    # The secretary puts the code on the screen in the room.
    login(page, "secretary")
    page.goto(url("meetings:sign_in_qr", session.pk))
    image = page.locator("#qr-image")
    assert image.get_attribute("src").startswith("data:image/svg+xml;base64,")
    assert image.evaluate("img => img.naturalWidth") > 0
    shots(page, "qr-screen")

    # The member scans it: the phone opens the URL, logs in and confirms.
    phone = phone_page
    token = sign_in_token(session_id=session.pk)
    phone.goto(f"{live_server.url}/meetings/sign-in/{token}/")
    assert "/accounts/login/" in phone.url
    form = phone.locator("form", has=phone.locator("input[name=password]"))
    form.locator("input[name=username]").fill("member")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    phone.wait_for_load_state()
    assert "/meetings/sign-in/" in phone.url
    shots(phone, "confirm")
    phone.get_by_role("button", name="确认签到").click()
    assert "签到成功：出席" in phone.locator("#sign-in-done").inner_text()
    scroll_width, viewport = no_horizontal_overflow(phone)
    assert scroll_width <= viewport
    shots(phone, "signed-in")
    row = Attendance.objects.get(session=session)
    assert (row.person, row.method) == (world.users["member"].person, "qr")

    # A screenshot of the code passed on later does not work.
    stale = sign_in_token(session_id=session.pk, at=timezone.now() - dt.timedelta(minutes=2))
    phone.goto(f"{live_server.url}/meetings/sign-in/{stale}/")
    assert "二维码已失效" in phone.locator("#sign-in-error").inner_text()
    shots(phone, "stale-code")


def test_leader_approves_a_leave_request(page, login, url, world, shots):
    from zhongxinzu.meetings.models import Attendance, LeaveRequest

    session = _session(world, starts_at=timezone.now() + dt.timedelta(days=3))
    login(page, "member")
    page.goto(url("meetings:session_detail", session.pk))
    page.get_by_role("link", name="请假").click()
    page.locator("textarea[name=reason]").fill("赴省里参加培训")
    page.get_by_role("button", name="提交").click()
    assert "等待组长审批" in page.locator(".messages").inner_text()
    shots(page, "leave-asked")
    page.context.clear_cookies()

    login(page, "leader")
    page.locator("nav").get_by_role("link", name="集体学习").click()
    page.get_by_role("link", name="请假", exact=True).click()
    row = page.locator("#leave-requests tr", has_text="赴省里参加培训")
    shots(page, "leave-list")
    row.get_by_role("link", name="审批").click()
    page.get_by_label("批准", exact=True).check()
    page.locator("input[name=note]").fill("同意，请按时补学")
    page.get_by_role("button", name="提交审批").click()
    assert "已批准" in page.locator(".messages").inner_text()
    shots(page, "leave-approved")
    assert LeaveRequest.objects.get().status == "approved"
    assert Attendance.objects.get(session=session).status == "leave"
