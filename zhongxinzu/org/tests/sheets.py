"""Build .xlsx and hostile zip files in memory for the import and upload tests."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from zhongxinzu.org.imports import ROSTER_COLUMNS, UNIT_COLUMNS

START = dt.date(2025, 1, 1)


def xlsx_bytes(headers, rows) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("导入数据")
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def roster_row(
    name="张三",
    *,
    code="A",
    gender="男",
    post="副局长",
    category="",
    rank=3,
    phone="13911112222",
    role="成员",
    start=START,
    end=None,
):
    return [code, name, gender, post, category, rank, phone, role, start, end]


def roster_file(rows) -> bytes:
    return xlsx_bytes(ROSTER_COLUMNS, rows)


def unit_row(code, name, kind="党委", parent="A", order=None):
    return [code, name, kind, parent, order]


def units_file(rows) -> bytes:
    return xlsx_bytes(UNIT_COLUMNS, rows)


def upload(data: bytes, name: str = "名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def rezip(
    data: bytes,
    *,
    replace: dict | None = None,
    add: dict | None = None,
    compression=zipfile.ZIP_DEFLATED,
) -> bytes:
    """Copy the zip `data`, replacing or adding entries (name -> bytes)."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", compression) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, content in add.items():
            dst.writestr(name, content)
    return out.getvalue()


def _zip(entries: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in entries.items():
            z.writestr(name, content)
    return out.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""


def corpus() -> dict[str, tuple[str, bytes]]:
    """Hostile uploads: name -> (file name, bytes). Every one must be refused."""
    good = roster_file([roster_row()])
    bomb = rezip(good, add={"xl/media/padding.bin": b"\0" * (8 * 1024 * 1024)})
    traversal = rezip(good, add={"../evil.xml": b"<x/>"})
    return {
        "zip_bomb": ("名册.xlsx", bomb),
        "billion_laughs": (
            "名册.xlsx",
            rezip(good, replace={"xl/worksheets/sheet1.xml": BILLION_LAUGHS}),
        ),
        "macro_name": ("名册.xlsm", good),
        "macro_part": ("名册.xlsx", rezip(good, add={"xl/vbaProject.bin": b"VBA" * 100})),
        "elf": ("名册.xlsx", b"\x7fELF\x02\x01\x01" + b"\0" * 200),
        "exe": ("名册.xlsx", b"MZ\x90\x00\x03" + b"\0" * 200),
        "traversal": ("名册.xlsx", traversal),
        "absolute": ("名册.xlsx", rezip(good, add={"/etc/evil.xml": b"<x/>"})),
        "empty": ("名册.xlsx", b""),
        "not_xlsx": ("名册.csv", "单位编码,姓名\nA,张三\n".encode()),
        "docx_renamed": (
            "名册.xlsx",
            _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<document/>"}),
        ),
    }
