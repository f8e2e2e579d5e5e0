"""学情通报 as a .docx in the GB/T 9704 layout: the red 文件 header with its 发文字号, the
title, 主送, the four sections (一、 headings; （一） lines of the text as second-level
headings), the signature and date, then the attachments — the units under each problem and
the figures of every unit, so each figure of the text can be found in a table — and the
版记 (抄送 / 印发)."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from zhongxinzu.documents.gbt9704 import (
    OfficialDocument,
    _indent_chars,
    chinese_dates,
    cn_numeral,
)


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
        _long_table(doc, a)
    if b.cc or b.printer:
        doc.colophon(cc=b.cc or None, printer=b.printer or b.issuer, printed_on=b.signed_on)
    return doc.to_bytes()


def _long_table(doc: OfficialDocument, a: Appendix) -> None:
    """The builder's table for the header and first row; the other rows are copies of that
    row's XML with their own text. python-docx looks cells up by scanning the whole table,
    so a table of a province's 5,000 units built cell by cell takes minutes; copying the
    laid-out row keeps every property the builder set (widths, cantSplit, fonts)."""
    table = doc.table(a.headers, a.rows[:1], widths_mm=a.widths_mm, caption=a.caption)
    if len(a.rows) <= 1:
        return
    tbl = table._tbl
    template = tbl.tr_lst[-1]
    for values in a.rows[1:]:
        tr = copy.deepcopy(template)
        for tc, value in zip(tr.findall(qn("w:tc")), values, strict=True):
            texts = tc.findall(".//" + qn("w:t"))
            text = "" if value is None else chinese_dates(str(value))
            if texts:
                texts[0].text = text
                for extra in texts[1:]:
                    extra.text = ""
            else:
                run = tc.find(".//" + qn("w:r"))
                t = OxmlElement("w:t")
                t.text = text
                run.append(t)
            for t in tc.findall(".//" + qn("w:t")):
                t.set(qn("xml:space"), "preserve")
        tbl.append(tr)


def section_heading(i: int, heading: str) -> str:
    return f"{cn_numeral(i)}、{heading}"
