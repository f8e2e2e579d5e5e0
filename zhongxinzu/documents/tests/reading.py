"""Test helpers for the list exports: read an exported workbook back and the table of the
page it exports, so a test can compare the two row by row."""

from __future__ import annotations

import io

import lxml.html
from openpyxl import load_workbook


def workbook_of(data: bytes):
    return load_workbook(io.BytesIO(data))


def sheet_of(data: bytes, index: int = 0) -> tuple[str | None, list[str], list[list]]:
    """(title row text, header row, body rows) of an exported sheet with a title row."""
    ws = workbook_of(data).worksheets[index]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    caption, headers, body = rows[0][0], rows[1], rows[2:]
    while body and all(v is None for v in body[-1]):
        body.pop()
    return caption, list(headers), body


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
