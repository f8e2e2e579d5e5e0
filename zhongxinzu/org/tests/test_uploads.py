"""The upload corpus: each hostile file is refused with a Chinese message, nothing written."""

import io
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.lib import uploads, xlsx
from zhongxinzu.org.models import Membership, Person, Unit
from zhongxinzu.org.tests.sheets import (
    BILLION_LAUGHS,
    corpus,
    rezip,
    roster_file,
    roster_row,
    upload,
)

CORPUS = corpus()
EXPECTED = {
    "zip_bomb": "压缩比异常",
    "billion_laughs": "XML实体声明",
    "macro_name": "含宏",
    "macro_part": "包含宏代码",
    "elf": "文件内容与扩展名不符",
    "exe": "文件内容与扩展名不符",
    "traversal": "内部路径异常",
    "absolute": "内部路径异常",
    "empty": "上传的文件为空",
    "not_xlsx": "文件类型不正确",
    "docx_renamed": "文件内容与扩展名不符",
}


def _counts():
    return Unit.objects.count(), Person.objects.count(), Membership.objects.count()


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


def test_a_genuine_xlsx_passes():
    data = roster_file([roster_row()])
    assert uploads.validate_office_upload(upload(data)) == data


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_corpus_file_is_refused_by_the_validator(case):
    name, data = CORPUS[case]
    with pytest.raises(ValidationError) as exc:
        uploads.validate_office_upload(upload(data, name))
    assert EXPECTED[case] in exc.value.messages[0]


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_corpus_file_is_refused_by_the_roster_import_page(world, case):
    name, data = CORPUS[case]
    before = _counts()
    client = world.login(Client(), "secretary")
    response = client.post(reverse("org:import_roster"), {"file": upload(data, name)})
    assert response.status_code == 422
    text = response.content.decode()
    assert EXPECTED[case] in text
    assert "未导入任何数据" in text
    assert _counts() == before
    entry = AuditEntry.objects.filter(action="import").latest("id")
    assert entry.outcome == "failure"


def test_oversize_file_is_refused_before_reading(world):
    data = roster_file([roster_row()])
    with override_settings(UPLOAD_MAX_BYTES=len(data) - 1):
        with pytest.raises(ValidationError, match="文件过大"):
            uploads.validate_office_upload(upload(data))
        before = _counts()
        client = world.login(Client(), "secretary")
        response = client.post(reverse("org:import_roster"), {"file": upload(data)})
    assert response.status_code == 422
    assert "文件过大" in response.content.decode()
    assert _counts() == before
    assert AuditEntry.objects.filter(action="import", outcome="failure").exists()


def test_billion_laughs_is_refused_by_the_parser_too():
    """Defence in depth: even past the zip scan, openpyxl parses through defusedxml."""
    data = rezip(roster_file([roster_row()]), replace={"xl/worksheets/sheet1.xml": BILLION_LAUGHS})
    with pytest.raises(ValidationError, match="无法读取"):
        list(xlsx.read_rows(data, headers=["单位编码"]))


def test_ratio_is_checked_overall_as_well_as_per_entry(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_RATIO", 2)
    with pytest.raises(ValidationError, match="压缩比"):
        uploads.validate_upload_bytes(roster_file([roster_row()] * 50), filename="a.xlsx")


def test_too_many_entries_is_refused():
    data = rezip(
        roster_file([roster_row()]),
        add={f"xl/media/{i}.txt": b"x" for i in range(uploads.MAX_ENTRIES)},
    )
    with pytest.raises(ValidationError, match="内部文件过多"):
        uploads.validate_upload_bytes(data, filename="a.xlsx")


def test_unpacked_size_cap(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(ValidationError, match="解压后过大"):
        uploads.validate_upload_bytes(roster_file([roster_row()]), filename="a.xlsx")


def test_zip_without_content_types_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ValidationError, match="已损坏"):
        uploads.validate_upload_bytes(out.getvalue(), filename="a.xlsx")


def test_truncated_zip_is_refused():
    data = roster_file([roster_row()])
    with pytest.raises(ValidationError, match="已损坏"):
        uploads.validate_upload_bytes(data[: len(data) // 2], filename="a.xlsx")


@pytest.mark.parametrize(
    "ext, data",
    [
        ("pdf", b"%PDF-1.7\n..."),
        ("png", b"\x89PNG\r\n\x1a\n" + b"\0" * 20),
        ("jpg", b"\xff\xd8\xff\xe0" + b"\0" * 20),
    ],
)
def test_other_types_are_checked_by_magic_bytes(ext, data):
    uploads.validate_upload_bytes(data, filename=f"f.{ext}", allowed={ext})
    with pytest.raises(ValidationError, match="扩展名不符"):
        uploads.validate_upload_bytes(b"MZ" + data, filename=f"f.{ext}", allowed={ext})
    with pytest.raises(ValidationError, match="文件类型不正确"):
        uploads.validate_upload_bytes(data, filename=f"f.{ext}")  # default: xlsx only
