"""The printable pages in Chromium's print layout (GB/T 9704-2012): 学习记录 and 会议纪要 on
A4 portrait with 3号仿宋 on the 22 × 28 grid and the 纪要 red mark 35 mm down; the attendance
register on A4 landscape with every session column on the page.

Layout is measured with print media emulated and the viewport set to the text block's width
(what the page box gives the content when printing); page.pdf() then prints for real."""

from __future__ import annotations

import re
import zlib

import pytest

from zhongxinzu.compliance.tests import factories as f

pytestmark = pytest.mark.browser

PX_PER_MM = 96 / 25.4
PX_PER_PT = 96 / 72
PORTRAIT_BLOCK = {"width": round(156 * PX_PER_MM), "height": round(225 * PX_PER_MM)}
LANDSCAPE_BLOCK = {"width": round((297 - 30) * PX_PER_MM), "height": round((210 - 40) * PX_PER_MM)}
A4_PT = (595.28, 841.89)


def _pdf_pages(data: bytes) -> list[tuple[float, float]]:
    """(width, height) in pt of every page of a PDF Chromium wrote."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    return [(float(w), float(h)) for w, h in boxes]


def _pdf_page_numbers(data: bytes) -> list[tuple[float, float]]:
    """(x, baseline) in mm from the page's top left of each page's number: the 14 pt text
    (only page numbers are set at 4号 on these pages), one entry a page that has one. Skia
    draws the margin boxes in the page's own coordinates, CSS px scaled by 0.75 to pt, y
    downwards: `BT /Fn 18.66 Tf 1 0 0 -1 x y Tm … ET`, one run per font change."""
    found = []
    for stream in _page_streams(data):
        runs = [
            tuple(float(v) * 0.75 / 72 * 25.4 for v in m.groups())
            for m in re.finditer(rb"BT\s*/F\d+ 18\.66 Tf\s*1 0 0 -1 ([\d.]+) ([\d.]+) Tm", stream)
        ]
        if runs:
            found.append(min(runs))
    return found


def _print_view(page, target: str, block: dict) -> None:
    page.set_viewport_size(block)
    page.goto(target)
    page.emulate_media(media="print")


def _style(page, selector: str, *props: str) -> list[str]:
    return page.locator(selector).first.evaluate(
        "(el, props) => props.map(p => getComputedStyle(el).getPropertyValue(p))", list(props)
    )


def _assert_official_body(page, selector: str) -> None:
    size, pitch, family = _style(page, selector, "font-size", "line-height", "font-family")
    assert float(size[:-2]) == pytest.approx(16 * PX_PER_PT, abs=0.05)  # 3号 = 16 pt
    assert float(pitch[:-2]) == pytest.approx(28.95 * PX_PER_PT, abs=0.05)  # ≈ 38.6 px
    names = [name.strip(' "') for name in family.split(",")]
    assert names[:4] == ["仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong"]
    assert "Noto Serif CJK SC" in names  # what a Linux desktop has offline


def _chars_per_line(page) -> list[int]:
    """Set 84 ideographs in an unindented body paragraph; how many land on each line."""
    return page.evaluate(
        """() => {
        const p = document.createElement('p');
        p.className = 'body-text';
        p.style.textIndent = '0';
        p.textContent = '中'.repeat(84);
        document.querySelector('.print-doc').append(p);
        const tops = [];
        const range = document.createRange();
        for (let i = 0; i < 84; i++) {
            range.setStart(p.firstChild, i);
            range.setEnd(p.firstChild, i + 1);
            tops.push(Math.round(range.getBoundingClientRect().top));
        }
        p.remove();
        const counts = new Map();
        tops.forEach(t => counts.set(t, (counts.get(t) || 0) + 1));
        return [...counts.values()];
    }"""
    )


def _page_number_rules(page) -> dict[str, str]:
    """Margin-box rules Chromium parsed inside @page rules: {"bottom-right": content, …}."""
    return page.evaluate(
        """() => {
        const found = {};
        for (const sheet of document.styleSheets) {
            const walk = rules => { for (const r of rules) {
                if (r.constructor.name === 'CSSMarginRule') found[r.name] = r.style.content;
                if (r.cssRules) walk(r.cssRules);
            } };
            walk(sheet.cssRules);
        }
        return found;
    }"""
    )


@pytest.fixture
def year(world):
    return f.build_year(world, 2025)


def test_minutes_print_in_the_official_layout(page, login, url, world, year, shots):
    from zhongxinzu.meetings.models import StudySession

    session = StudySession.objects.filter(group=year.good).order_by("starts_at").first()
    login(page, "supervisor")
    _print_view(page, url("meetings:session_print_minutes", session.pk), PORTRAIT_BLOCK)
    shots(page, "minutes-print")
    assert page.locator("header.topbar").is_hidden() and page.locator(".actions").is_hidden()

    _assert_official_body(page, "#session-minutes .body-text")
    assert _chars_per_line(page) == [28, 28, 28]
    first = page.locator("#session-minutes .body-text").first
    assert first.evaluate("p => parseFloat(getComputedStyle(p).textIndent)") == pytest.approx(
        2 * 156 / 28 * PX_PER_MM, abs=0.1
    )

    # The red mark, centred, its first line's em box 35 mm below the text block's top.
    doc = page.locator("#session-minutes").bounding_box()
    assert doc["y"] == 0 and doc["width"] == PORTRAIT_BLOCK["width"]
    mark = page.locator("#session-minutes .red-mark")
    color, align, size, leading = _style(
        page, "#session-minutes .red-mark", "color", "text-align", "font-size", "line-height"
    )
    assert color == "rgb(238, 0, 0)" and align == "center"
    half_leading = (float(leading[:-2]) - float(size[:-2])) / 2
    em_top = mark.bounding_box()["y"] + half_leading - doc["y"]
    assert em_top == pytest.approx(35 * PX_PER_MM, abs=0.5)
    rule = page.locator("#session-minutes hr.red-rule").bounding_box()
    assert rule["width"] == pytest.approx(doc["width"], abs=1)

    # 出席： two characters in; wrapped names line up after the colon (five characters in)
    char = 156 / 28 * PX_PER_MM
    label = page.locator("#session-minutes .attendance-block .label").first.bounding_box()
    assert label["x"] == pytest.approx(2 * char, abs=0.5)
    lines = page.locator("#session-minutes .attendance-block p").first.evaluate(
        """p => { const r = document.createRange(); r.selectNodeContents(p);
                  return [...r.getClientRects()].map(b => [b.top, b.left]); }"""
    )
    first_top = min(top for top, _ in lines)
    wrapped = [left for top, left in lines if top > first_top + char]
    assert wrapped, "ten names should wrap"
    assert min(wrapped) == pytest.approx(5 * char, abs=0.5)

    # Printed for real: A4 portrait, one page; a page number under the text block.
    pdf = page.pdf(prefer_css_page_size=True)
    assert _pdf_pages(pdf) == [pytest.approx(A4_PT, abs=0.5)]
    rules = _page_number_rules(page)
    assert rules["bottom-right"] == rules["bottom-left"] == '"— " counter(page) " —"'
    numbers = _pdf_page_numbers(pdf)
    assert numbers, "no page number printed"
    x, baseline = numbers[0]
    # page 1 is odd: on the right; its em box (baseline − 0.88 em in CJK fonts) 7 mm below
    # the text block, whose bottom is 297 − 35 = 262 mm from the top
    assert x > 28 + 156 / 2
    assert baseline - 0.88 * 14 * 25.4 / 72 == pytest.approx(262 + 7, abs=0.75)


def test_record_print_in_the_official_layout(page, login, url, world, year, shots):
    from zhongxinzu.meetings.models import StudySession

    session = StudySession.objects.filter(group=year.good).order_by("starts_at").first()
    login(page, "supervisor")
    _print_view(page, url("meetings:session_print_record", session.pk), PORTRAIT_BLOCK)
    shots(page, "record-print")
    _assert_official_body(page, "#session-record")
    _assert_official_body(page, "#session-record .record-table td")
    assert _chars_per_line(page) == [28, 28, 28]
    width = PORTRAIT_BLOCK["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for box in page.locator("#session-record .record-table td").evaluate_all(
        "cells => cells.map(c => [c.getBoundingClientRect().right, c.scrollWidth - c.clientWidth])"
    ):
        assert box[0] <= width + 0.5 and box[1] <= 0
    pdf = page.pdf(prefer_css_page_size=True)
    pages = _pdf_pages(pdf)
    assert 1 <= len(pages) <= 2 and all(p == pytest.approx(A4_PT, abs=0.5) for p in pages)


def test_register_prints_every_session_on_a_landscape_page(page, login, url, world, year, shots):
    login(page, "supervisor")
    _print_view(page, url("compliance:register", year.good.pk, query="year=2025"), LANDSCAPE_BLOCK)
    shots(page, "register-print")
    table = page.locator("#register")
    headers = table.locator("thead th")
    assert headers.count() == 3 + 12 + 6  # every session of the year has its column

    assert _style(page, ".table-wrap", "overflow-x")[0] == "visible"
    wrap_scroll, wrap_client = page.locator(".table-wrap").evaluate(
        "w => [w.scrollWidth, w.clientWidth]"
    )
    assert wrap_scroll <= wrap_client
    assert _style(page, "#register thead", "display")[0] == "table-header-group"
    width = LANDSCAPE_BLOCK["width"]
    scroll, client = table.evaluate("t => [t.scrollWidth, t.clientWidth]")
    assert scroll <= client <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for right in headers.evaluate_all("ths => ths.map(th => th.getBoundingClientRect().right)"):
        assert right <= width + 0.5
    for cell in table.locator("th, td").evaluate_all(
        "cs => cs.map(c => c.scrollWidth - c.clientWidth)"
    ):
        assert cell <= 0  # nothing spills out of its cell either

    pdf = page.pdf(prefer_css_page_size=True)
    assert _pdf_pages(pdf) == [pytest.approx(A4_PT[::-1], abs=0.5)]  # one landscape page


def _page_streams(data: bytes) -> list[bytes]:
    """The decompressed content streams that draw text, one a page, in page order."""
    streams = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            text = zlib.decompress(raw)
        except zlib.error:
            continue
        if b" Tf" in text:
            streams.append(text)
    return streams


def _top_row(stream: bytes, size: bytes) -> list[bytes]:
    """The glyphs of the topmost row of text set at `size` (a regex of the px size) on a page:
    the runs at the smallest y, left to right, positions stripped (so rows on different
    pages compare equal)."""
    runs = [
        (float(y), float(x), re.sub(rb"[-\d.]+ 0 Td", b"", body))
        for x, y, body in re.findall(
            rb"BT\s*/F\d+ " + size + rb" Tf\s*1 0 0 -1 ([\d.]+) ([\d.]+) Tm(.*?)ET", stream, re.S
        )
    ]
    top = min(y for y, _, _ in runs)
    return [body for y, _, body in sorted(runs) if y == top]


def test_register_of_a_big_group_repeats_its_header_on_every_page(page, login, url, world, shots):
    big, people = f.make_group(world.units["own"], code="BIG", members=40)
    for month in range(1, 13):  # 24 sessions: the small type of a dense register
        for day in (8, 22):
            f.roll(f.session(big, f.at(2025, month, day, 9, 0)), f.everyone(people))
    login(page, "supervisor")
    _print_view(page, url("compliance:register", big.pk, query="year=2025"), LANDSCAPE_BLOCK)
    shots(page, "dense-register-print")
    headers = page.locator("#register thead th")
    assert headers.count() == 3 + 24 + 6
    dense = float(_style(page, "#register", "font-size")[0][:-2])
    assert dense == pytest.approx(8 * PX_PER_PT, abs=0.05)
    for right in headers.evaluate_all("ths => ths.map(th => th.getBoundingClientRect().right)"):
        assert right <= LANDSCAPE_BLOCK["width"] + 0.5
    for cell in page.locator("#register th, #register td").evaluate_all(
        "cs => cs.map(c => c.scrollWidth - c.clientWidth)"
    ):
        assert cell <= 0
    rows = page.locator("#register tbody tr").count()
    height = page.locator("#register").bounding_box()["height"]
    assert height > LANDSCAPE_BLOCK["height"]  # more than a page of rows

    pdf = page.pdf(prefer_css_page_size=True)
    pages = _pdf_pages(pdf)
    assert len(pages) >= 2 and all(p == pytest.approx(A4_PT[::-1], abs=0.5) for p in pages)
    streams = _page_streams(pdf)
    assert len(streams) == len(pages)
    # the h1 is larger type: page 1's top row of 8 pt (10.67 px) type is the header
    header = _top_row(streams[0], rb"10\.6\d*")
    assert len(header) >= 24  # at least the first line of every session date
    for later in streams[1:]:
        assert _top_row(later, rb"10\.6\d*") == header, "header row not repeated"
    assert rows > 40

    # page numbers: odd pages on the right, even on the left
    numbers = _pdf_page_numbers(pdf)
    assert len(numbers) == len(pages)
    for i, (x, _) in enumerate(numbers, start=1):
        assert (x > 297 / 2) if i % 2 else (x < 297 / 2)
