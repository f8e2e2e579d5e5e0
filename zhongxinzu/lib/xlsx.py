"""Spreadsheets in and out: bytes only, no files on disk.

Writing: `workbook_bytes(Sheet(...), ...)` / `write_xlsx(...)` — an optional merged title
row (`caption`) above a bold, frozen header row, thin borders on the table, column widths
from the content, and a page setup that prints well: A4, landscape when the table has more
than 7 columns, one page wide, the header row repeated on every page. Numbers stay numbers;
`percent()` / `score()` give a value its number format. Every text cell that Excel would
read as a formula (= + - @, tab, CR) is written as a text cell with the quote-prefix style
(CSV/formula injection): it shows exactly as typed and is never evaluated.
Reading: `read_rows(data, headers=[...])` yields (Excel row number, {header: value}), finding
the header row among the first rows (so a sheet with a title row above it reads too);
`cell_text` / `cell_int` / `cell_date` turn what users type into values. Check uploaded
bytes with zhongxinzu.lib.uploads first.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain, islice
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.worksheet import Worksheet

from zhongxinzu.lib.downloads import attachment_response

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HEADER_MISMATCH = "表头不符合模板，请下载最新模板"
UNREADABLE = "无法读取该Excel文件，请确认文件是用Excel或WPS保存的.xlsx格式"
_WIDTH_SAMPLE = 500
WIDE_COLUMNS = 7  # more columns than this print in landscape
HEADER_WRAP = 12  # a longer header wraps rather than widening its column
HEADER_SEARCH_ROWS = 5  # read_rows looks for the header row among this many first rows
PERCENT_FORMAT = "0.0%"
SCORE_FORMAT = "0.00"
_BAD_TITLE_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]] = ()
    widths: Sequence[int] | None = None  # characters; computed from the content if None
    wrap: bool = False  # wrap long text (for instruction sheets)
    notes: list[str] = field(default_factory=list)  # lines below the table (legends)
    # A merged title row above the header. Leave it out of sheets meant to be filled in and
    # imported again, whose templates promise the header in row 1.
    caption: str | None = None


@dataclass(frozen=True)
class Formatted:
    """A number written with an Excel number format."""

    value: float | int | Decimal
    number_format: str


def percent(part: float | int, whole: float | int) -> Formatted | str:
    """part / whole as a number shown like 95.0%; "—" when there is nothing to divide by."""
    return Formatted(part / whole, PERCENT_FORMAT) if whole else "—"


def score(value: Any) -> Any:
    """A score shown with two decimals; anything that is not a number is kept as it is."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Formatted(value, SCORE_FORMAT)
    return value


def is_formula_like(value: Any) -> bool:
    """Text that Excel would evaluate (or offer to) if it were typed into a cell."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def display_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, Formatted):
        if value.number_format == PERCENT_FORMAT:
            return 6
        value = f"{value.value:.2f}" if value.number_format == SCORE_FORMAT else value.value
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
    for spec in sheets:
        ws = wb.create_sheet(sheet_title(spec.title))
        styles = _Styles(ws)
        rows = iter(spec.rows)
        head = [list(r) for r in islice(rows, _WIDTH_SAMPLE)]
        widths = list(spec.widths or _widths(spec.headers, head))
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        columns = max(len(spec.headers), 1)
        header_row = 2 if spec.caption else 1
        _page_setup(ws, spec, columns=columns, header_row=header_row)
        if spec.caption:
            ws.row_dimensions[1].height = 30
            ws.append([styles.cell(spec.caption, "caption")])
            if columns > 1:
                ws.merged_cells.add(f"A1:{get_column_letter(columns)}1")
        ws.row_dimensions[header_row].height = _header_height(spec.headers, widths)
        ws.append([styles.cell(text, "header") for text in spec.headers])
        kind = "wrap" if spec.wrap else "body"
        for row in chain(head, rows):
            ws.append([styles.cell(v, kind) for v in row])
        if spec.notes:
            ws.append([])
            for line in spec.notes:
                ws.append([styles.cell(line, "note")])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _page_setup(ws, spec: Sheet, *, columns: int, header_row: int) -> None:
    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if columns > WIDE_COLUMNS else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    if not spec.caption:  # the title on paper when the sheet has no title row
        ws.oddHeader.center.text = spec.title.replace("&", "&&")
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


_THIN = Side(style="thin", color="000000")
_LOOKS = {
    "caption": {
        "font": Font(bold=True, size=14),
        "alignment": Alignment(horizontal="center", vertical="center"),
    },
    "header": {
        "font": Font(bold=True),
        "fill": PatternFill("solid", fgColor="F2F2F2"),
        "border": Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN),
        "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
    },
    "body": {"border": Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)},
    "wrap": {
        "border": Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN),
        "alignment": Alignment(wrap_text=True, vertical="top"),
    },
    "note": {},
}


class _Styles:
    """Write-only cells of one sheet. A style is built once per (look, number format,
    quote prefix) and copied onto each cell: assigning Font/Border objects cell by cell
    costs three times as much on a large export."""

    def __init__(self, ws):
        self.ws = ws
        self.cache: dict[tuple, Any] = {}

    def cell(self, value: Any, look: str) -> WriteOnlyCell:
        number_format = "General"
        if isinstance(value, Formatted):
            value, number_format = value.value, value.number_format
        elif isinstance(value, dt.datetime):
            number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(value, dt.date):
            number_format = "yyyy-mm-dd"
        quoted = is_formula_like(value)
        cell = WriteOnlyCell(self.ws, value)
        if quoted:
            cell.data_type = "s"  # openpyxl would store "=…" as a formula
        key = (look, number_format, quoted)
        if key not in self.cache:
            proto = WriteOnlyCell(self.ws)
            for name, style in _LOOKS[look].items():
                setattr(proto, name, style)
            proto.number_format = number_format
            proto.quotePrefix = quoted
            self.cache[key] = proto._style
        cell._style = copy(self.cache[key])
        return cell


def write_xlsx(*, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet of `rows` under `headers`."""
    return workbook_bytes(Sheet(title=title, headers=headers, rows=rows))


def _widths(headers: Sequence[str], rows: list[list[Any]]) -> list[int]:
    """Each column as wide as its longest value, within 8–50 characters. A long header
    counts for at most HEADER_WRAP characters and wraps over lines (the header style wraps):
    a score column under "计划制订·学习计划按期报备（5分）" is not 36 characters wide, which
    would shrink the whole sheet, fitted to one page wide, to unreadable type."""
    widths = []
    for i, header in enumerate(headers):
        head = min(display_width(header), HEADER_WRAP)
        longest = max([head] + [display_width(r[i]) for r in rows if i < len(r)])
        widths.append(min(max(longest + 2, 8), 50))
    return widths


def _header_height(headers: Sequence[str], widths: Sequence[int]) -> float:
    """The header row tall enough for its longest wrapped header (Calc and Excel do not grow
    a row for wrapped text on opening a file, so a 4-line header would be cut to one)."""
    lines = max(
        (-(-display_width(h) // max(w - 2, 1)) for h, w in zip(headers, widths, strict=False)),
        default=1,
    )
    return 15.0 * max(lines, 1) + 3


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
    sheet below its header row: the first of the top HEADER_SEARCH_ROWS rows that holds every
    name in `headers` (any order; extra columns are ignored), so a title row above the header
    is fine. Raises ValidationError for an unreadable file or no such header row.

    A protective quote that older exports wrote before formula-like text ("'=1+1") is
    removed again, so those files still read back as they were exported."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # any parser failure (bad zip, bad XML, defusedxml refusal) is bad input
        raise ValidationError(UNREADABLE, code="unreadable") from None
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # do not trust the stored dimension; read what is there
        rows = ws.iter_rows(values_only=True)
        missing: list[str] = list(headers)
        found: list[str] = []
        header_at = 0
        for header_at, row in enumerate(islice(rows, HEADER_SEARCH_ROWS), start=1):
            found = [_header_text(v) for v in row]
            absent = [h for h in headers if h not in found]
            if not absent:
                missing = []
                break
            if header_at == 1:
                missing = absent  # the message names what row 1 lacks
        if missing:
            raise ValidationError(
                f"{HEADER_MISMATCH}（缺少列：{'、'.join(missing)}）", code="headers"
            )
        index = {h: found.index(h) for h in headers}
        for number, row in enumerate(rows, start=header_at + 1):
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
    import itself then says what is wrong). A lone value above a wider row is a title row
    (as `Sheet.caption` writes), not the header."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        return 0
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()
        filled = [
            n
            for n in (
                sum(1 for v in row if v not in (None, "")) for row in ws.iter_rows(values_only=True)
            )
            if n
        ]
        titled = len(filled) > 1 and filled[0] == 1 and filled[1] > 1
        return max(len(filled) - (2 if titled else 1), 0)
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
