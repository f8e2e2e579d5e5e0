"""Upward filing in a real browser: the secretary submits the annual materials with one click
on a phone; the supervisor who set the task sees it on time, opens it and returns it with a
reason; the secretary sees the reason and the button to submit again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import PASSWORD
from tests.browser.conftest import no_horizontal_overflow

pytestmark = pytest.mark.browser


@pytest.fixture
def filing(world):
    from zhongxinzu.accounts.models import Role, RoleGrant, User
    from zhongxinzu.filings import services
    from zhongxinzu.plans.models import YearPlan

    top = User.objects.create_user(
        "top", password=PASSWORD, first_name="市委督导", password_changed_at=timezone.now()
    )
    RoleGrant.objects.create(user=top, role=Role.SUPERVISOR, unit=world.units["parent"])
    year = timezone.localdate().year
    YearPlan.objects.create(
        group=world.groups["own"],
        year=year,
        title=f"{year}年度理论学习中心组学习计划",
        status=YearPlan.Status.APPROVED,
    )
    return services.task_create(
        actor=top,
        owner_unit=world.units["parent"],
        year=year,
        kind="annual",
        title=f"{year}年度学习有关材料报送",
        due_on=timezone.localdate() + dt.timedelta(days=10),
    )


def test_secretary_files_and_the_supervisor_returns_it(
    page, phone_page, login, url, world, filing, shots
):
    from zhongxinzu.filings.models import Submission

    login(phone_page, "secretary")
    phone_page.goto(url("filings:my_filings"))
    row = phone_page.locator("#filings tbody tr", has_text=filing.title)
    shots(phone_page, "group-page-phone")
    row.get_by_role("button", name="一键报送").click()
    phone_page.wait_for_load_state()
    assert "已报送" in phone_page.locator(".messages").inner_text()
    assert "按时报送" in phone_page.locator("#filings tbody tr", has_text=filing.title).inner_text()
    width, viewport = no_horizontal_overflow(phone_page)
    assert width <= viewport
    shots(phone_page, "submitted-phone")

    login(page, "top")
    page.locator("nav").get_by_role("link", name="材料报送").click()
    page.get_by_role("link", name=filing.title).click()
    assert "按时报送 1" in page.locator("#count-on_time").inner_text()
    page.locator("#count-on_time").click()
    rows = page.locator("#rows tbody tr")
    assert rows.count() == 1 and world.groups["own"].name in rows.first.inner_text()
    shots(page, "on-time")
    rows.first.get_by_role("link", name="查看").click()
    assert page.locator("#versions tbody tr").count() == 1
    page.locator("#review textarea[name=reason]").fill(
        "成员名单未列党群部门负责人，请补充后重新报送"
    )
    page.get_by_role("button", name="退回").click()
    page.wait_for_load_state()
    assert "退回待重报" in page.locator("#state").inner_text()
    shots(page, "returned")
    assert Submission.objects.get(task=filing, group=world.groups["own"]).status == "returned"

    phone_page.goto(url("filings:my_filings"))
    text = phone_page.locator("#filings tbody tr", has_text=filing.title).inner_text()
    assert "成员名单未列党群部门负责人" in text and "重新报送" in text
    shots(phone_page, "returned-phone")
