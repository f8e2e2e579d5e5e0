"""The org pages in a real browser: scope as a member sees it, the supervisor's tree, and the
pages at a phone's width."""

import pytest

from tests.browser.conftest import PHONE, no_horizontal_overflow

pytestmark = pytest.mark.browser


def test_member_sees_own_roster_and_cannot_reach_another_unit(page, login, url, world, shots):
    login(page, "member")
    # A member lands on 我的学习, and the roster of their own group is in official order.
    assert page.locator("h1").inner_text().startswith("我的学习")
    page.goto(url("org:group_detail", world.groups["own"].pk))
    assert page.locator("h1").inner_text() == world.groups["own"].name
    roster = page.locator("#roster tbody")
    for name in ("leader人", "成员own", "member人", "secretary人"):
        assert roster.get_by_text(name, exact=True).count() == 1
    assert roster.get_by_text("成员sibling").count() == 0
    shots(page, "own-roster")

    # Typing a sibling unit's address gives the Chinese 404 page, not its data.
    for target in (
        url("org:unit_detail", world.units["sibling"].pk),
        url("org:group_detail", world.groups["sibling"].pk),
        url("org:person_detail", world.people["sibling"].pk),
    ):
        response = page.goto(target)
        assert response.status == 404, target
        assert "页面不存在" in page.locator("h1").inner_text()
        assert world.units["sibling"].name not in page.content()
    shots(page, "sibling-404")


def test_supervisor_browses_the_unit_tree_to_a_child_unit(page, login, world, shots):
    login(page, "supervisor")
    own, child = world.units["own"], world.units["child"]
    # A supervisor lands on the compliance overview of their subtree.
    assert page.locator("h1").inner_text().startswith(f"规则落实总览：{own.name}")

    page.locator("nav").get_by_role("link", name="组织机构").click()
    assert page.locator("h1").inner_text() == "组织机构"
    table = page.locator("table")
    assert table.get_by_role("link", name=own.name).count() == 1
    assert table.get_by_role("link", name=world.units["sibling"].name).count() == 0
    shots(page, "unit-list")

    table.get_by_role("link", name=child.name).click()
    assert page.locator("h1").inner_text().startswith(child.name)
    assert page.locator(".breadcrumb").get_by_role("link", name=own.name).count() == 1
    shots(page, "child-unit")

    # And back up through the breadcrumb, then down through the "下级单位" tree.
    page.locator(".breadcrumb").get_by_role("link", name=own.name).click()
    page.locator("ul.tree").get_by_role("link", name=child.name).click()
    assert page.locator("h1").inner_text().startswith(child.name)
    shots(page, "child-unit-via-tree")


def _assert_fits_phone(page, label):
    scroll_width, viewport = no_horizontal_overflow(page)
    assert viewport == PHONE["width"], label
    assert scroll_width <= PHONE["width"], f"{label}: document is {scroll_width}px wide"


def _assert_rows_stack(page, table_selector):
    table = page.locator(table_selector).first
    assert table.locator("thead").is_hidden()
    first_row = table.locator("tbody tr").first
    assert first_row.evaluate("tr => getComputedStyle(tr).display") == "block"
    cell = first_row.locator("td").first
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label not in ("none", "normal", '""')


def test_pages_fit_a_phone_screen(phone_page, login, url, world, shots):
    page = phone_page
    page.goto(url("accounts:login"))
    _assert_fits_phone(page, "login")
    shots(page, "login")

    login(page, "secretary")  # lands on the group's compliance page
    _assert_fits_phone(page, "compliance")
    page.goto(url("org:group_detail", world.groups["own"].pk))
    _assert_fits_phone(page, "roster")
    _assert_rows_stack(page, "#roster")

    # The menu is folded behind the 菜单 toggle (a CSS checkbox, no script) and opens on tap.
    nav_link = page.locator("nav").get_by_role("link", name="组织机构")
    assert nav_link.is_hidden()
    page.locator("label.nav-toggle-label").click()
    assert nav_link.is_visible()
    _assert_fits_phone(page, "open menu")
    shots(page, "menu-open")
    nav_link.click()

    assert page.locator("h1").inner_text() == "组织机构"
    _assert_fits_phone(page, "unit list")
    _assert_rows_stack(page, "table.responsive")
    shots(page, "unit-list")

    page.goto(url("org:person_detail", world.people["own"].pk))
    assert page.locator("h1").inner_text().startswith(world.people["own"].name)
    _assert_fits_phone(page, "person")
    _assert_rows_stack(page, "table.responsive")
    shots(page, "person")

    page.goto(url("org:person_list"))
    _assert_fits_phone(page, "people")
    shots(page, "people")

    # Sign out through the folded menu; the supervisor's indented unit tree fits as well.
    page.locator("label.nav-toggle-label").click()
    page.locator("nav").get_by_role("button", name="退出").click()
    assert "/accounts/login/" in page.url
    login(page, "supervisor")
    page.goto(url("org:unit_list"))
    assert page.locator("table").get_by_role("link", name=world.units["child"].name).count() == 1
    _assert_fits_phone(page, "supervisor unit list")
    _assert_rows_stack(page, "table.responsive")
    shots(page, "supervisor-unit-list")
