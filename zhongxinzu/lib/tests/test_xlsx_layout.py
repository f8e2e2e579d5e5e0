"""Every .xlsx the platform writes prints and reads well: page setup, title row, borders,
number formats, formula-like text as quote-prefixed text, and reading back."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from zhongxinzu.lib import xlsx

WIDE = [f"列{i}" for i in range(1, 10)]


def _book(*sheets: xlsx.Sheet):
    return openpyxl.load_workbook(io.BytesIO(xlsx.workbook_bytes(*sheets)))


def assert_prints_well(ws, *, header_row: int, columns: int) -> None:
    """The print rules every sheet follows (also used by the builders' tests)."""
    setup = ws.page_setup
    assert setup.orientation == ("landscape" if columns > xlsx.WIDE_COLUMNS else "portrait")
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    assert ws.freeze_panes == f"A{header_row + 1}"
    for row in ws.iter_rows(min_row=header_row, max_row=ws.max_row, max_col=columns):
        if all(c.value is None for c in row):
            break  # the notes below the table have no borders
        for c in row:
            assert c.border.left.style == c.border.bottom.style == "thin", c.coordinate


def test_wide_sheet_prints_landscape_one_page_wide_with_the_header_on_every_page():
    ws = _book(xlsx.Sheet(title="宽表", headers=WIDE, rows=[list(range(9))] * 3)).active
    assert_prints_well(ws, header_row=1, columns=9)
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4


def test_narrow_sheet_prints_portrait():
    ws = _book(xlsx.Sheet(title="窄表", headers=["a", "b"], rows=[[1, 2]])).active
    assert_prints_well(ws, header_row=1, columns=2)


def test_caption_is_a_merged_bold_row_above_the_header():
    ws = _book(
        xlsx.Sheet(title="t", caption="2025年度考勤登记表", headers=WIDE, rows=[[1] * 9])
    ).active
    assert ws["A1"].value == "2025年度考勤登记表" and ws["A1"].font.b
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:I1"]
    assert [c.value for c in ws[2]] == WIDE and ws["A2"].font.b
    assert_prints_well(ws, header_row=2, columns=9)
    assert ws["A1"].border.left.style is None  # the title is not part of the table


def test_notes_stay_below_the_table_without_borders():
    ws = _book(xlsx.Sheet(title="t", headers=["a"], rows=[[1]], notes=["图例"])).active
    assert ws["A4"].value == "图例" and ws["A4"].border.left.style is None


def test_numbers_keep_their_type_and_get_a_number_format():
    ws = _book(
        xlsx.Sheet(
            title="t",
            headers=["次数", "出勤率", "得分", "无数据"],
            rows=[[3, xlsx.percent(2, 3), xlsx.score(87.5), xlsx.percent(0, 0)]],
        )
    ).active
    count, rate, points, empty = ws[2]
    assert count.value == 3 and count.data_type == "n"
    assert rate.value == pytest.approx(2 / 3) and rate.number_format == "0.0%"
    assert points.value == 87.5 and points.number_format == "0.00"
    assert empty.value == "—"
    assert xlsx.score("") == "" and xlsx.score(None) is None


@pytest.mark.parametrize("value", ["=1+1", "+1", "-8.0 巡察反馈问题", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_text_is_quote_prefixed_text_without_an_apostrophe(value):
    data = xlsx.write_xlsx(title="t", headers=["值"], rows=[[value], [5], [-5]])
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws["A2"].value == value and ws["A2"].data_type == "s" and ws["A2"].quotePrefix
    assert (ws["A3"].value, ws["A4"].value) == (5, -5)
    assert not ws["A3"].quotePrefix
    assert [r["值"] for _, r in xlsx.read_rows(data, headers=["值"])] == [value, 5, -5]


def test_formula_like_header_is_quote_prefixed_too():
    ws = _book(xlsx.Sheet(title="t", headers=["=x"], rows=[])).active
    assert ws["A1"].value == "=x" and ws["A1"].data_type == "s" and ws["A1"].quotePrefix


def test_read_rows_finds_the_header_below_a_title_row():
    data = xlsx.workbook_bytes(
        xlsx.Sheet(title="t", caption="单位列表", headers=["编码", "名称"], rows=[["A", "甲"]])
    )
    assert list(xlsx.read_rows(data, headers=["名称", "编码"])) == [
        (3, {"名称": "甲", "编码": "A"})
    ]
    assert xlsx.count_rows(data) == 1


def test_read_rows_names_what_row_one_lacks():
    data = xlsx.write_xlsx(title="t", headers=["编码"], rows=[["A"]])
    with pytest.raises(ValidationError, match="缺少列：名称"):
        list(xlsx.read_rows(data, headers=["编码", "名称"]))


def test_read_rows_still_unquotes_files_exported_before_quote_prefix():
    wb = openpyxl.Workbook()
    wb.active.append(["名称"])
    wb.active.append(["'=1+1"])
    wb.active.append(["'普通"])
    buffer = io.BytesIO()
    wb.save(buffer)
    rows = xlsx.read_rows(buffer.getvalue(), headers=["名称"])
    assert [r["名称"] for _, r in rows] == ["=1+1", "'普通"]


def test_count_rows_without_a_title_row():
    data = xlsx.write_xlsx(title="t", headers=["a", "b"], rows=[[1, 2], [3, None], [None, None]])
    assert xlsx.count_rows(data) == 2


def test_count_rows_of_a_single_column_sheet():
    data = xlsx.write_xlsx(title="t", headers=["a"], rows=[[1], [2], [3]])
    assert xlsx.count_rows(data) == 3
    assert xlsx.count_rows(b"not a workbook") == 0
