"""Checks every uploaded file passes before anything parses it (SECURITY.md, "Uploads").

`validate_office_upload(f)` is the one call for a view: extension, size cap, magic bytes
and, for Office files, an inspection of the zip container (entry count, unpacked size,
compression ratio, path traversal, macros, XML entity declarations) before openpyxl or
python-docx ever sees it. openpyxl itself parses through defusedxml (installed), so an
entity bomb that slipped past the scan would still be refused by the parser.

Every accepted byte stream (the file itself and, for Office files, every zip member) is
searched for the EICAR test signature in every mode, and handed to ClamAV when
`CLAMAV_ENABLED` (the deployment's default; deploy/README): a file the scanner flags, or
cannot scan, is refused.
"""

from __future__ import annotations

import io
import shlex
import subprocess
import zipfile
from collections.abc import Iterable
from xml.sax import SAXException

from defusedxml import DefusedXmlException
from defusedxml.expatreader import create_parser
from django.conf import settings
from django.core.exceptions import ValidationError

OFFICE_TYPES = {"xlsx", "docx"}
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "xlsx": (b"PK\x03\x04",),
    "docx": (b"PK\x03\x04",),
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
}
# The part every genuine file of the type has; catches a .docx renamed to .xlsx.
MAIN_PART = {"xlsx": "xl/workbook.xml", "docx": "word/document.xml"}
MACRO_EXTENSIONS = {"xlsm", "xltm", "xlam", "xlsb", "docm", "dotm", "pptm", "potm", "ppsm"}
TYPE_LABELS = {
    "xlsx": "Excel（.xlsx）",
    "docx": "Word（.docx）",
    "pdf": "PDF",
    "png": "PNG图片",
    "jpg": "JPG图片",
    "jpeg": "JPG图片",
}

MAX_ENTRIES = 1000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100
_SCAN_CHUNK = 64 * 1024
# The anti-virus test file (eicar.org): every scanner reports it, and so do we.
# Kept in two halves so that no scanner flags this source file itself.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def extension_of(filename: str) -> str:
    name = (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _allowed_label(allowed: Iterable[str]) -> str:
    return "、".join(dict.fromkeys(TYPE_LABELS.get(a, a) for a in sorted(allowed)))


def _max_bytes() -> int:
    return settings.UPLOAD_MAX_BYTES


def _too_large() -> ValidationError:
    mb = _max_bytes() / (1024 * 1024)
    return ValidationError(f"文件过大，不能超过{mb:g}MB", code="too_large")


def read_upload(f) -> bytes:
    """Read an uploaded file into memory, refusing it *before* reading if it is too big."""
    size = getattr(f, "size", None)
    if size is not None and size > _max_bytes():
        raise _too_large()
    f.seek(0)
    data = f.read(_max_bytes() + 1)
    if len(data) > _max_bytes():
        raise _too_large()
    return data


def validate_office_upload(f, *, allowed: Iterable[str] = frozenset({"xlsx"})) -> bytes:
    """Check an uploaded file (Django UploadedFile) and return its bytes.

    Raises ValidationError with a Chinese message for a wrong type, an empty or oversize
    file, bytes that do not match the extension, or a suspicious Office container.
    Despite the name it also handles pdf/png/jpg when those are `allowed`.
    """
    name = getattr(f, "name", "") or ""
    _check_extension(name, allowed)
    data = read_upload(f)
    validate_upload_bytes(data, filename=name, allowed=allowed)
    return data


def validate_upload_bytes(
    data: bytes, *, filename: str, allowed: Iterable[str] = frozenset({"xlsx"})
) -> None:
    """The same checks on bytes already in memory (for services and the API)."""
    ext = _check_extension(filename, allowed)
    if not data:
        raise ValidationError("上传的文件为空", code="empty")
    if len(data) > _max_bytes():
        raise _too_large()
    if not data.startswith(SIGNATURES[ext]):
        raise ValidationError(
            f"文件内容与扩展名不符，请上传真正的{TYPE_LABELS.get(ext, ext)}文件", code="magic"
        )
    _refuse_eicar(data)
    if ext in OFFICE_TYPES:
        inspect_office_zip(data, ext=ext)
    scan_with_clamav(data)


def _virus() -> ValidationError:
    return ValidationError("文件未通过病毒扫描，疑似含有病毒或恶意代码，已拒绝", code="virus")


def _refuse_eicar(data: bytes) -> None:
    if EICAR in data:
        raise _virus()


def scan_with_clamav(data: bytes) -> None:
    """Hand the bytes to ClamAV (clamdscan/clamscan reading stdin) when configured. Exit 0 is
    clean, 1 is a finding; anything else (daemon down, timeout) refuses the file: an
    upload that could not be scanned is not stored."""
    if not settings.CLAMAV_ENABLED:
        return
    try:
        result = subprocess.run(  # noqa: S603 (command from settings, no shell)
            shlex.split(settings.CLAMAV_COMMAND),
            input=data,
            capture_output=True,
            timeout=settings.CLAMAV_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        result = None
    if result is not None and result.returncode == 0:
        return
    if result is not None and result.returncode == 1:
        raise _virus()
    raise ValidationError("病毒扫描服务暂不可用，文件未保存，请稍后再试", code="scanner")


def _check_extension(filename: str, allowed: Iterable[str]) -> str:
    allowed = {a.lower() for a in allowed}
    ext = extension_of(filename)
    if ext in MACRO_EXTENSIONS:
        raise ValidationError(
            "不接受含宏的文件（如.xlsm、.docm），请另存为不含宏的格式后上传", code="macro"
        )
    if ext not in allowed or ext not in SIGNATURES:
        raise ValidationError(f"文件类型不正确，只能上传{_allowed_label(allowed)}文件", code="type")
    return ext


def inspect_office_zip(data: bytes, *, ext: str) -> None:
    """Look inside an OOXML zip without trusting it: sizes come from the directory, which
    zipfile then enforces while decompressing (it stops at the declared size)."""
    bad_file = ValidationError(
        "文件已损坏或不是有效的Office文件，请用Excel或WPS重新保存后上传", code="corrupt"
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise bad_file from None
    if len(entries) > MAX_ENTRIES:
        raise ValidationError("文件结构异常（内部文件过多），已拒绝", code="entries")
    names = set()
    total = packed = 0
    for info in entries:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
            raise ValidationError("文件内部路径异常，已拒绝", code="path")
        if parts[-1].lower() == "vbaproject.bin":
            raise ValidationError(
                "文件包含宏代码，出于安全考虑不予接收，请删除宏后另存为.xlsx或.docx", code="macro"
            )
        if info.flag_bits & 0x1:
            raise ValidationError("不接受加密的文件，请取消密码保护后上传", code="encrypted")
        if info.file_size and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ValidationError("文件压缩比异常（疑似压缩炸弹），已拒绝", code="ratio")
        total += info.file_size
        packed += info.compress_size
        names.add(name)
    if total > MAX_UNPACKED_BYTES:
        raise ValidationError("文件解压后过大，已拒绝", code="unpacked")
    if total > MAX_RATIO * max(packed, 1):
        raise ValidationError("文件压缩比异常（疑似压缩炸弹），已拒绝", code="ratio")
    if "[Content_Types].xml" not in names:
        raise bad_file
    if MAIN_PART[ext] not in names:
        raise ValidationError(
            f"文件内容与扩展名不符，请上传真正的{TYPE_LABELS[ext]}文件", code="magic"
        )
    try:
        for info in entries:
            is_xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
            _scan_member(archive, info, xml=is_xml)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        raise bad_file from None


def _scan_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, xml: bool) -> None:
    """Stream one zip member: the EICAR signature anywhere (with an overlap across chunks),
    and for XML parts a real parse through defusedxml's expat reader, which decodes
    whatever encoding the part declares (UTF-16, UTF-32, a BOM or an encoding="..."
    declaration) and refuses any DTD or entity declaration (billion laughs, XXE). OOXML
    never needs either."""
    parser = create_parser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    tail = b""
    with archive.open(info) as stream:
        try:
            while chunk := stream.read(_SCAN_CHUNK):
                if EICAR in tail + chunk:
                    raise _virus()
                tail = chunk[-len(EICAR) :]
                if xml:
                    parser.feed(chunk)
            if xml:
                parser.close()
        except DefusedXmlException:
            raise ValidationError(
                "文件包含不允许的XML实体声明，已拒绝", code="xml_entity"
            ) from None
        except SAXException:
            raise ValidationError(
                "文件已损坏或不是有效的Office文件，请用Excel或WPS重新保存后上传", code="corrupt"
            ) from None
