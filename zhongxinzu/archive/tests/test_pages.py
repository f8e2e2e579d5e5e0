"""The catalogue's page estimate against LibreOffice: every generated document of a volume
is converted in one soffice run and its PDF pages counted. A missing soffice fails the test
(make test installs LibreOffice); it is never skipped."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from pdfminer.pdfpage import PDFPage

from zhongxinzu.archive import services


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.fail("LibreOffice (soffice) is not installed", pytrace=False)
    return found


def test_estimated_pages_match_libreoffice(
    world, year_records, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        volume = services.volume_build(actor=None, group=year_records.group, year=year_records.year)
    with volume.file.open("rb") as f:
        z = zipfile.ZipFile(io.BytesIO(f.read()))
    src = tmp_path / "docx"
    src.mkdir()
    expected = {}
    for row in volume.catalogue:
        for name in row["files"]:
            if name.endswith(".docx"):
                (src / name).write_bytes(z.read(name))
                expected[Path(name).stem] = row["pages"]
    profile = tmp_path / "profile"
    subprocess.run(
        [
            _soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "pdf"),
            *sorted(str(p) for p in src.iterdir()),
        ],
        check=True,
        capture_output=True,
        timeout=300,
        env={**os.environ, "HOME": str(profile), "SAL_USE_VCLPLUGIN": "svp"},
    )
    measured = {}
    for pdf in (tmp_path / "pdf").iterdir():
        with pdf.open("rb") as f:
            measured[pdf.stem] = sum(1 for _ in PDFPage.get_pages(f))
    assert measured == expected
