"""学情通报 as a .docx in the GB/T 9704 layout: the red 文件 header with its 发文字号, the
title, 主送, the four sections (一、 headings; （一） lines of the text as second-level
headings), the signature and date, then the attachments — the units under each problem and
the figures of every unit, so each figure of the text can be found in a table — and the
版记 (抄送 / 印发)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from zhongxinzu.documents.gbt9704 import OfficialDocument, _indent_chars, cn_numeral


@dataclass
class Appendix:
    caption: str
    headers: list[str]
    rows: list[list]
    widths_mm: Sequence[float] | None = None


@dataclass
class BulletinText:
    title: str
    issuer: str
    doc_number: str
    addressee: str
    sections: list[tuple[str, str]]  # (heading without its number, text)
    signed_on: dt.date
    appendices: list[Appendix] = field(default_factory=list)
    cc: str = ""
    printer: str = ""


def bulletin_docx(b: BulletinText) -> bytes:
    doc = OfficialDocument(
        title=b.title,
        issuer=b.issuer,
        doc_number=b.doc_number or None,
        kind="notice",
        addressee=b.addressee or None,
    )
    for heading, text in b.sections:
        doc.heading(1, heading, numbered=True)
        if text.strip():
            doc.rich_text(text)
        else:
            doc.paragraph("无。")
    if b.appendices:
        doc.blank()
        names = [a.caption for a in b.appendices]
        first = f"附件：1.{names[0]}"
        doc.paragraph(first)
        for i, name in enumerate(names[1:], start=2):
            p = doc.paragraph(f"{i}.{name}", indent=False)
            _indent_chars(p, first_line=5)  # under the "1." after 附件：
    doc.signature(b.issuer, b.signed_on)
    for i, a in enumerate(b.appendices, start=1):
        doc.page_break()
        doc.paragraph(f"附件{i}", indent=False)
        doc.table(a.headers, a.rows, widths_mm=a.widths_mm, caption=a.caption)
    if b.cc or b.printer:
        doc.colophon(cc=b.cc or None, printer=b.printer or b.issuer, printed_on=b.signed_on)
    return doc.to_bytes()


def section_heading(i: int, heading: str) -> str:
    return f"{cn_numeral(i)}、{heading}"
