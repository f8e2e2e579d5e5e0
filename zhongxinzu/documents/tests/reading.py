"""Test helpers for the list exports: read an exported workbook back and the table of the
page it exports, so a test can compare the two row by row."""

from __future__ import annotations

import io

import lxml.html
from openpyxl import load_workbook


def workbook_of(data: bytes):
    return load_workbook(io.BytesIO(data))


def sheet_of(data: bytes, index: int = 0) -> tuple[str | None, list[str], list[list]]:
    """(title row text, header row, table rows) of an exported sheet with a title row; the
    table ends at the first empty row (the notes below it are `notes_of`)."""
    rows = _rows(data, index)
    caption, headers, body = rows[0][0], rows[1], rows[2:]
    end = next((i for i, r in enumerate(body) if all(v is None for v in r)), len(body))
    return caption, list(headers), body[:end]


def notes_of(data: bytes, index: int = 0) -> list[str]:
    """The lines below the table (Sheet.notes)."""
    body = _rows(data, index)[2:]
    end = next((i for i, r in enumerate(body) if all(v is None for v in r)), len(body))
    return [r[0] for r in body[end + 1 :] if r and r[0] is not None]


def _rows(data: bytes, index: int) -> list[list]:
    ws = workbook_of(data).worksheets[index]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def column(headers: list[str], rows: list[list], name: str) -> list:
    i = headers.index(name)
    return [r[i] for r in rows]


def page_column(content: bytes, table_id: str, label: str) -> list[str]:
    """The text of every `td[data-label=label]` of the page's table `table_id`, in page order
    (the empty-list row has no such cell)."""
    doc = lxml.html.fromstring(content.decode())
    cells = doc.xpath(f'//table[@id="{table_id}"]/tbody/tr/td[@data-label="{label}"]')
    return [" ".join(c.text_content().split()) for c in cells]


def export_link(content: bytes) -> str | None:
    """The href of the page's "导出Excel" link."""
    doc = lxml.html.fromstring(content.decode())
    links = doc.xpath('//a[normalize-space(text())="导出Excel"]/@href')
    return links[0] if links else None
