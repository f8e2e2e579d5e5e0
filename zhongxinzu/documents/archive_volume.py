"""The year archive volume (学习档案专卷) of a group: its catalogue (卷内目录, after GB/T 9705 /
DA/T 22: 顺序号、文号、责任者、题名、日期、页数、备注) as .docx and .xlsx, the .zip of the whole
volume (catalogue first, then every document in order, originals under their own names) and
one combined .docx for printing (docxcompose appends the documents, each on a new page).

Page counts are estimated, not measured: each document is read back and its lines are
counted on the GB/T 9704 grid (22 lines × 28 characters of 3号; titles at 20 characters of
2号; table rows by their cells' widths at 4号 / 五号; a page break starts a page). Converting
every document with LibreOffice would measure them, at seconds per document; the catalogue's
column says "页数（估算）" so nobody takes the figure for a count. Originals (uploaded files)
have no estimate. Checked against LibreOffice on the demo group's volume (plan, annual
report, a session record, a 纪要, the sign-in book, a speech outline and the 72-row
catalogue): the estimate gave the page count LibreOffice laid out for all seven.

Pure: VolumeItems in, bytes out."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from docx import Document
from docx.oxml.ns import qn
from docxcompose.composer import Composer

from zhongxinzu.documents.gbt9704 import (
    CHARS_PER_LINE,
    SIZE_3,
    TITLE_CHARS_PER_LINE,
    OfficialDocument,
    text_width,
)
from zhongxinzu.lib.xlsx import Sheet, workbook_bytes

LINES_PER_PAGE = 22
CATALOGUE_HEADERS = ["顺序号", "文号", "责任者", "题名", "日期", "页数（估算）", "备注"]
CATALOGUE_WIDTHS_MM = [12, 26, 26, 52, 18, 12, 20]
CATALOGUE_NAME = "00_卷内目录"
MARK_LINES = 6  # the red mark 35 mm below the text block's top, the mark and its rule
# A table's line at 4号 / 五号 and a row's padding, in 28.95 pt grid lines (single spacing,
# 2 pt above and below each cell paragraph).
TABLE_LINE, TABLE_LINE_5, ROW_PADDING = 0.85, 0.6, 0.25
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class VolumeItem:
    """One entry of the catalogue: a generated document (`docx`, also printed in the combined
    document) and/or files kept as they are (`files`: name suffix → bytes: a spreadsheet, an
    uploaded original)."""

    title: str
    responsible: str  # 责任者
    date: dt.date | None
    doc_number: str = ""  # 文号
    note: str = ""  # 备注
    docx: bytes | None = None
    files: list[tuple[str, bytes]] = field(default_factory=list)
    kind: str = ""  # plan, report, record, minutes, register, output, original
    record: dict = field(default_factory=dict)  # the record it comes from ({"type", "id"})
    pages: int | None = None
    names: list[str] = field(default_factory=list)  # its entries in the .zip


@dataclass
class Volume:
    zip_bytes: bytes
    print_docx: bytes
    catalogue: list[dict]


def da_date(day: dt.date | None) -> str:
    """DA/T 22 writes a catalogue date as eight digits: 20260105."""
    return f"{day:%Y%m%d}" if day else ""


_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def safe_name(text: str, limit: int = 60) -> str:
    return _UNSAFE.sub("_", text).strip("_.")[:limit] or "文件"


# --- page estimate ---------------------------------------------------------------------------


def _run_size(el, default: float) -> float:
    for sz in el.iter(qn("w:sz")):
        try:
            return int(sz.get(qn("w:val"))) / 2
        except (TypeError, ValueError):
            continue
    return default


def _text(el) -> str:
    return "".join(t.text or "" for t in el.iter(qn("w:t")))


def estimate_pages(data: bytes) -> int:
    """Pages of a generated .docx on the GB/T 9704 grid (see the module docstring)."""
    body = Document(io.BytesIO(data)).element.body
    lines, pages = 0.0, 1
    for el in body.iterchildren():
        if el.tag == qn("w:p"):
            if any(br.get(qn("w:type")) == "page" for br in el.iter(qn("w:br"))):
                pages += math.ceil(lines / LINES_PER_PAGE) if lines else 0
                lines = 0.0
                continue
            if el.find(f"{qn('w:pPr')}/{qn('w:framePr')}") is not None:
                continue  # the 版记, framed at the foot of the last page
            size = _run_size(el, SIZE_3.pt)
            text = _text(el)
            if size > 26:  # the red mark
                lines += MARK_LINES
                continue
            per_line = TITLE_CHARS_PER_LINE if size > 16 else CHARS_PER_LINE
            parts = text.split("\n") if text else [""]
            lines += sum(max(1, math.ceil(text_width(part) / per_line)) for part in parts)
        elif el.tag == qn("w:tbl"):
            widths = [int(c.get(qn("w:w"), "0")) for c in el.iter(qn("w:gridCol"))]
            for tr in el.iterchildren(qn("w:tr")):
                row = 1
                for i, tc in enumerate(tr.iterchildren(qn("w:tc"))):
                    size = _run_size(tc, 14)
                    width_pt = (widths[i] if i < len(widths) else 1440) / 20
                    per_line = max(1, int(width_pt / size) - 1)
                    row = max(row, math.ceil(text_width(_text(tc)) / per_line) or 1)
                big = _run_size(tr, 14) >= 14
                lines += row * (TABLE_LINE if big else TABLE_LINE_5) + ROW_PADDING
    pages += math.ceil(lines / LINES_PER_PAGE) - 1 if lines else 0
    return max(1, pages)


# --- the catalogue ---------------------------------------------------------------------------


def catalogue_rows(items: Sequence[VolumeItem]) -> list[dict]:
    return [
        {
            "no": i,
            "doc_number": it.doc_number,
            "responsible": it.responsible,
            "title": it.title,
            "date": it.date.isoformat() if it.date else "",
            "pages": it.pages,
            "note": it.note,
            "kind": it.kind,
            "record": it.record,
            "files": it.names,
        }
        for i, it in enumerate(items, start=1)
    ]


def _cells(row: dict) -> list:
    day = dt.date.fromisoformat(row["date"]) if row["date"] else None
    return [
        row["no"],
        row["doc_number"],
        row["responsible"],
        row["title"],
        da_date(day),
        "" if row["pages"] is None else row["pages"],
        row["note"],
    ]


def catalogue_docx(title: str, responsible: str, rows: list[dict]) -> bytes:
    doc = OfficialDocument(title=title, issuer=responsible, mark="", kind="report")
    doc.table(CATALOGUE_HEADERS, [_cells(r) for r in rows], widths_mm=CATALOGUE_WIDTHS_MM)
    doc.paragraph(
        f"本卷共{len(rows)}件。页数按公文版式（每页22行、每行28字）估算，"
        "上传原件不估算页数，以原件为准；日期按DA/T 22写作8位数字。",
        indent=True,
    )
    return doc.to_bytes()


def catalogue_xlsx(title: str, rows: list[dict]) -> bytes:
    return workbook_bytes(
        Sheet(
            title="卷内目录",
            caption=title,
            headers=CATALOGUE_HEADERS,
            rows=[_cells(r) for r in rows],
            widths=[8, 18, 20, 48, 12, 10, 24],
            notes=["页数为按公文版式（每页22行、每行28字）的估算；上传原件不估算页数。"],
        )
    )


# --- the volume ------------------------------------------------------------------------------


def build_volume(
    *,
    title: str,
    responsible: str,
    items: list[VolumeItem],
    progress: Callable[[int, int, str], None] | None = None,
) -> Volume:
    """The .zip (catalogue first) and the combined .docx of `items`, in their order."""
    step = progress or (lambda done, total, stage: None)
    total = len(items) + 2
    for i, it in enumerate(items, start=1):
        if it.docx is not None:
            it.pages = estimate_pages(it.docx)
        stem = f"{i:02d}_{safe_name(it.title)}"
        it.names = []
        if it.docx is not None:
            it.names.append(f"{stem}.docx")
        for suffix, _ in it.files:
            it.names.append(f"{stem}{suffix}" if suffix.startswith(".") else f"{i:02d}_{suffix}")
    rows = catalogue_rows(items)
    cat_docx = catalogue_docx(f"{title}\n卷内目录", responsible, rows)
    cat_xlsx = catalogue_xlsx(f"{title} 卷内目录", rows)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{CATALOGUE_NAME}.docx", cat_docx)
        z.writestr(f"{CATALOGUE_NAME}.xlsx", cat_xlsx)
        for i, it in enumerate(items, start=1):
            contents = ([it.docx] if it.docx is not None else []) + [d for _, d in it.files]
            for name, data in zip(it.names, contents, strict=True):
                z.writestr(name, data)
            step(i, total, f"正在打包第{i}件：{it.title[:40]}")
    step(len(items) + 1, total, "正在合成打印用合订本")
    composer = Composer(Document(io.BytesIO(cat_docx)))
    for it in items:
        if it.docx is None:
            continue
        composer.doc.add_page_break()
        composer.append(Document(io.BytesIO(it.docx)))
    out = io.BytesIO()
    composer.save(out)
    return Volume(zip_bytes=buffer.getvalue(), print_docx=out.getvalue(), catalogue=rows)
