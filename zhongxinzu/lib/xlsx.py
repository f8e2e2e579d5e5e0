"""Spreadsheets in and out: bytes only, no files on disk.

Writing: `workbook_bytes(Sheet(...), ...)` / `write_xlsx(...)` — bold, frozen header row,
column widths from the content, and every text cell that Excel would read as a formula
(= + - @, tab, CR) prefixed with a single quote (CSV/formula injection).
Reading: `read_rows(data, headers=[...])` yields (Excel row number, {header: value});
`cell_text` / `cell_int` / `cell_date` turn what users type into values. Check uploaded
bytes with zhongxinzu.lib.uploads first.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from zhongxinzu.lib.downloads import attachment_response

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HEADER_MISMATCH = "表头不符合模板，请下载最新模板"
UNREADABLE = "无法读取该Excel文件，请确认文件是用Excel或WPS保存的.xlsx格式"
_WIDTH_SAMPLE = 500
_BAD_TITLE_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]] = ()
    widths: Sequence[int] | None = None  # characters; computed from the content if None
    wrap: bool = False  # wrap long text (for instruction sheets)
    notes: list[str] = field(default_factory=list)  # lines below the table


def safe_cell(value: Any) -> Any:
    """A value that Excel will show as typed, never evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def display_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 19
    if isinstance(value, dt.date):
        return 10
    text = str(value)
    longest = max(text.split("\n"), key=len) if "\n" in text else text
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in longest)


def sheet_title(title: str) -> str:
    return _BAD_TITLE_CHARS.sub("_", title).strip("'")[:31] or "Sheet1"


def workbook_bytes(*sheets: Sheet) -> bytes:
    """Write `sheets` (the first is the active one) to .xlsx bytes in write-only mode, so a
    60,000-row export does not hold a cell object per value in memory."""
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="F2F2F2")
    wrap = Alignment(wrap_text=True, vertical="top")
    for spec in sheets:
        ws = wb.create_sheet(sheet_title(spec.title))
        rows = iter(spec.rows)
        head = [list(r) for r in islice(rows, _WIDTH_SAMPLE)]
        widths = list(spec.widths or _widths(spec.headers, head))
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        header = []
        for text in spec.headers:
            cell = WriteOnlyCell(ws, safe_cell(text))
            cell.font, cell.fill = bold, fill
            header.append(cell)
        ws.append(header)
        for row in chain(head, rows):
            ws.append([_cell(ws, v, wrap if spec.wrap else None) for v in row])
        if spec.notes:
            ws.append([])
            for line in spec.notes:
                ws.append([_cell(ws, line, None)])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_xlsx(*, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet of `rows` under `headers`."""
    return workbook_bytes(Sheet(title=title, headers=headers, rows=rows))


def _cell(ws, value: Any, alignment: Alignment | None):
    if isinstance(value, dt.datetime | dt.date) or alignment is not None:
        cell = WriteOnlyCell(ws, safe_cell(value))
        if isinstance(value, dt.datetime):
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
        if alignment is not None:
            cell.alignment = alignment
        return cell
    return safe_cell(value)


def _widths(headers: Sequence[str], rows: list[list[Any]]) -> list[int]:
    widths = []
    for i, header in enumerate(headers):
        longest = max([display_width(header)] + [display_width(r[i]) for r in rows if i < len(r)])
        widths.append(min(max(longest + 2, 8), 50))
    return widths


def xlsx_response(request, filename: str, data: bytes, **audit) -> HttpResponse:
    """An .xlsx download, rate-limited and audited (lib.downloads); `audit` may name the
    record (`obj=`) and extra `detail=`."""
    return attachment_response(
        request, filename, data, content_type=XLSX_CONTENT_TYPE, suffix=".xlsx", **audit
    )


# --- reading ---------------------------------------------------------------------------


def _header_text(value: Any) -> str:
    return re.sub(r"\s+", "", str(value)).rstrip("*＊") if value is not None else ""


def read_rows(data: bytes, *, headers: Sequence[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (Excel row number, {header: cell value}) for each non-empty row of the first
    sheet. The first row must hold every name in `headers` (any order; extra columns are
    ignored). Raises ValidationError for an unreadable file or a wrong header row.

    Text cells written by `safe_cell` lose their protective quote again, so an exported
    sheet reads back as it was."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # any parser failure (bad zip, bad XML, defusedxml refusal) is bad input
        raise ValidationError(UNREADABLE, code="unreadable") from None
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # do not trust the stored dimension; read what is there
        rows = ws.iter_rows(values_only=True)
        first = next(rows, None)
        found = [_header_text(v) for v in (first or ())]
        missing = [h for h in headers if h not in found]
        if missing:
            raise ValidationError(
                f"{HEADER_MISMATCH}（缺少列：{'、'.join(missing)}）", code="headers"
            )
        index = {h: found.index(h) for h in headers}
        for number, row in enumerate(rows, start=2):
            if not row or all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            yield number, {h: _unquote(row[i]) if i < len(row) else None for h, i in index.items()}
    except ValidationError:
        raise
    except Exception:
        raise ValidationError(UNREADABLE, code="unreadable") from None
    finally:
        wb.close()


def count_rows(data: bytes) -> int:
    """Non-empty rows below the header of the first sheet; 0 for an unreadable file (the
    import itself then says what is wrong)."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        return 0
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()
        rows = ws.iter_rows(min_row=2, values_only=True)
        return sum(1 for row in rows if any(v not in (None, "") for v in row))
    except Exception:
        return 0
    finally:
        wb.close()


def _unquote(value: Any) -> Any:
    if (
        isinstance(value, str)
        and len(value) > 1
        and value[0] == "'"
        and value[1:].startswith(FORMULA_PREFIXES)
    ):
        return value[1:]
    return value


# --- cell values ------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as stripped text: 1001.0 (a code typed as a number) reads "1001"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(value).strip()


def cell_int(value: Any, *, low: int = 0, high: int = 99999) -> int | None:
    """The integer in `value`; None if empty. Raises ValueError if not a whole number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError
        value = int(value)
    number = int(str(value).strip())
    if not low <= number <= high:
        raise ValueError
    return number


def cell_date(value: Any) -> dt.date | None:
    """A date from an Excel date cell, a bare Excel serial number, or YYYY-MM-DD text (also
    YYYY/M/D, YYYY.M.D)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A date cell that lost its format shows Excel's serial number (45658 = 2025-01-01).
        if not 1 <= value <= 2958465:
            raise ValueError
        return from_excel(value).date()
    text = str(value).strip().split(" ")[0]  # "2025-01-01 00:00:00" from a text export
    if not text:
        return None
    parts = text.replace("/", "-").replace(".", "-").split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        raise ValueError
    return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
