"""驾驶舱 in a real browser at phone width: the ECharts charts render under the CSP, and
clicking a bar of the chart (at its canvas coordinates, found through ECharts' own API)
opens the records behind it."""

import pytest

from zhongxinzu.dashboard.tests import data

pytestmark = pytest.mark.browser


def _box(page, selector: str) -> dict:
    return page.locator(selector).bounding_box()


def test_charts_render_on_a_phone_and_a_bar_drills_down(phone_page, login, url, world, shots):
    page = phone_page
    year = data.build(world)["year"]
    login(page, "supervisor")
    page.locator("label.nav-toggle-label").click()
    page.locator("nav").get_by_role("link", name="驾驶舱").click()
    page.wait_for_load_state()
    page.locator("select[name=year]").select_option(str(year))
    page.get_by_role("button", name="查看").click()
    page.wait_for_load_state()
    page.wait_for_selector('[data-chart="sessions"][data-ready="1"]')
    shots(page, "dashboard")

    # every chart drew an SVG of real size inside the 375 px viewport
    for chart_id in ("sessions", "compliance", "first_items", "attendance", "outputs", "problems"):
        holder = f'[data-chart="{chart_id}"]'
        assert page.locator(f'{holder}[data-ready="1"]').count() == 1, chart_id
        svg = _box(page, f"{holder} svg")
        assert svg and svg["width"] > 200 and svg["height"] > 100, (chart_id, svg)
        assert svg["x"] >= 0 and svg["x"] + svg["width"] <= 376, (chart_id, svg)
    assert page.evaluate("document.documentElement.scrollWidth") <= 376

    # March's bar of the sessions chart: its pixel position from ECharts, clicked as a user
    point = page.evaluate(
        """() => {
          const el = document.querySelector('[data-chart="sessions"]');
          const chart = echarts.getInstanceByDom(el);
          const [x, y] = chart.convertToPixel({seriesIndex: 0}, [2, 1]);
          return {x, y};
        }"""
    )
    holder = _box(page, '[data-chart="sessions"]')
    page.mouse.click(holder["x"] + point["x"], holder["y"] + point["y"])
    page.wait_for_url("**/meetings/**")
    assert f"month={year}-03" in page.url
    shots(page, "march-sessions")
    rows = page.locator("table tbody tr")
    assert rows.count() == 2  # A's session of 1 March and A1's of 6 March


def test_group_dashboard_table_links_drill_down_too(page, login, url, world, shots):
    year = data.build(world)["year"]
    login(page, "secretary")
    page.goto(url("dashboard:group", world.groups["own"].pk, query=f"year={year}"))
    page.wait_for_selector('[data-chart="problems"][data-ready="1"]')
    shots(page, "group-dashboard")
    page.locator("#chart-problems details summary").click()  # the table under the chart
    page.locator('#chart-problems a[data-drill="problems"]').first.click()
    page.wait_for_load_state()
    assert "/supervision/problems/" in page.url
    shots(page, "problems")


def test_dashboard_prints_whole_charts_with_their_tables(page, login, url, world, shots):
    year = data.build(world)["year"]
    login(page, "supervisor")
    page.goto(url("dashboard:unit", query=f"year={year}"))
    page.wait_for_selector('[data-chart="assessment"][data-ready="1"]')
    # A4 portrait's printable width at 96 dpi (210 mm less Chromium's default margins)
    page.set_viewport_size({"width": 718, "height": 1000})
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.wait_for_timeout(300)
    shots(page, "print")
    charts = page.locator(".dash-chart")
    assert charts.count() == 7
    for i in range(charts.count()):
        chart = charts.nth(i)
        assert chart.evaluate("c => getComputedStyle(c).breakInside") == "avoid"
        assert chart.locator("details").evaluate("d => d.open"), "the table prints under it"
        svg = chart.locator("svg").bounding_box()
        assert svg["x"] >= 0 and svg["x"] + svg["width"] <= 718, svg
    # one chart with its table fits a page (297 mm less margins ≈ 1050 px): never cut
    heights = charts.evaluate_all("cs => cs.map(c => c.getBoundingClientRect().height)")
    assert max(heights) < 1000, heights
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 3
