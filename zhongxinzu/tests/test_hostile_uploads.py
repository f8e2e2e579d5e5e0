"""Hostile uploads on every attachment endpoint (issue 8, 5d): the EICAR test signature in a
PDF and inside a .docx, a UTF-16 billion-laughs workbook, a refused upload's answer, and
the file of a rolled-back upload."""

from __future__ import annotations

import datetime as dt
import io
import stat
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import Workbook

from zhongxinzu.lib.uploads import EICAR, validate_upload_bytes
from zhongxinzu.meetings.models import Attendance, MakeUp, SessionAttachment
from zhongxinzu.outputs.models import Output
from zhongxinzu.plans import services as plan_services
from zhongxinzu.plans.models import PromptAttachment
from zhongxinzu.plans.tests.helpers import make_prompt, make_session
from zhongxinzu.supervision import problems
from zhongxinzu.supervision.models import RectificationReport

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EICAR_PDF = b"%PDF-1.4\n" + EICAR + b"\n%%EOF\n"


def docx_with(member: str, payload: bytes) -> bytes:
    """A genuine .docx with one extra (deflated) part: the signature is not in the raw bytes."""
    buffer = io.BytesIO()
    Document().save(buffer)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr(member, payload)
    return out.getvalue()


def xlsx_with_part(name: str, payload: bytes) -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            if info.filename != name:
                dst.writestr(info, src.read(info))
        dst.writestr(name, payload)
    return out.getvalue()


LAUGHS = (
    '<?xml version="1.0" encoding="UTF-16"?>\n'
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>\n'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<si><t>&lol2;</t></si></sst>"
)
EICAR_DOCX = docx_with("word/media/readme.bin", EICAR)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


# --- every endpoint: (role, url, form data, stored-rows query) ---------------------------


def _prompt(world):
    prompt = make_prompt(world, "own", status="draft")
    return reverse("plans:attachment_add", args=[prompt.pk]), {}, PromptAttachment.objects


def _session_attachment(world):
    session = make_session(world.groups["own"], days_from_now=-1)
    return reverse("meetings:attachment_upload", args=[session.pk]), {}, SessionAttachment.objects


def _makeup(world):
    session = make_session(world.groups["own"], days_from_now=-1)
    attendance = Attendance.objects.create(
        session=session, person_id=world.users["member"].person_id, status="absent", reason="病"
    )
    makeup = MakeUp.objects.create(
        attendance=attendance, due_date=timezone.localdate() + dt.timedelta(days=30)
    )
    url = reverse("meetings:makeup_detail", args=[makeup.pk])
    return url, {"text": "补学笔记"}, MakeUp.objects.exclude(evidence_file="")


def _output(world):
    data = {"group": world.groups["own"].pk, "kind": "reflection", "title": "心得", "body": ""}
    return reverse("outputs:output_create"), data, Output.objects


def _evidence(world):
    today = timezone.localdate()
    problem = problems.problem_create(
        actor=world.users["supervisor"],
        group=world.groups["own"],
        source="supervision",
        category="学习制度",
        description="研讨发言念稿",
        found_on=today,
        measures="脱稿交流",
        deadline=today + dt.timedelta(days=30),
    )
    url = reverse("supervision:rectification_report", args=[problem.pk])
    data = {"text": "已整改", "version": problem.rectification.version}
    return url, data, RectificationReport.objects


ENDPOINTS = {
    "prompt attachment": ("supervisor", "file", _prompt),
    "session attachment": ("secretary", "file", _session_attachment),
    "make-up evidence": ("member", "file", _makeup),
    "output file": ("member", "file", _output),
    "rectification evidence": ("secretary", "evidence_file", _evidence),
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    "name,payload", [("通知.pdf", EICAR_PDF), ("通知.docx", EICAR_DOCX)], ids=["pdf", "docx"]
)
def test_eicar_is_refused_with_the_form_on_every_attachment_endpoint(
    world, media, endpoint, name, payload, django_capture_on_commit_callbacks
):
    role, field, build = ENDPOINTS[endpoint]
    url, data, stored = build(world)
    client = world.login(Client(), role)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**data, field: SimpleUploadedFile(name, payload)})
    assert response.status_code == 422  # the form again, not a redirect
    assert "病毒" in response.content.decode()
    assert not stored.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_clean_file_is_still_stored_on_every_endpoint(
    world, media, endpoint, django_capture_on_commit_callbacks
):
    role, field, build = ENDPOINTS[endpoint]
    url, data, stored = build(world)
    client = world.login(Client(), role)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**data, field: SimpleUploadedFile("通知.pdf", PDF)})
    assert response.status_code == 302
    assert stored.exists()
    assert [p.read_bytes() for p in stored_files(media)] == [PDF]


def test_utf16_billion_laughs_workbook_is_refused():
    data = xlsx_with_part("xl/sharedStrings.xml", LAUGHS.encode("utf-16"))
    assert b"<!DOCTYPE" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/sharedStrings.xml")
    with pytest.raises(ValidationError) as refused:
        validate_upload_bytes(data, filename="名册.xlsx", allowed={"xlsx"})
    assert refused.value.code == "xml_entity"


def test_utf16_billion_laughs_import_answers_the_form_with_422(world):
    data = xlsx_with_part("xl/sharedStrings.xml", LAUGHS.encode("utf-16"))
    response = world.login(Client(), "secretary").post(
        reverse("org:import_roster"), {"file": SimpleUploadedFile("名册.xlsx", data)}
    )
    assert response.status_code == 422
    assert "XML实体" in response.content.decode()


def test_genuine_office_files_still_pass():
    buffer = io.BytesIO()
    Workbook().save(buffer)
    validate_upload_bytes(buffer.getvalue(), filename="名册.xlsx", allowed={"xlsx"})
    validate_upload_bytes(
        docx_with("word/media/a.txt", b"hello"), filename="a.docx", allowed={"docx"}
    )


def test_a_rolled_back_upload_leaves_no_file(world, media):
    prompt = make_prompt(world, "own", status="draft")
    with pytest.raises(RuntimeError), transaction.atomic():
        plan_services.prompt_attachment_add(
            actor=world.users["supervisor"],
            prompt=prompt,
            upload=SimpleUploadedFile("通知.pdf", PDF),
        )
        raise RuntimeError("a later step of the same transaction fails")
    assert not PromptAttachment.objects.exists()
    assert stored_files(media) == []


def test_a_committed_upload_is_on_disk(world, media, django_capture_on_commit_callbacks):
    prompt = make_prompt(world, "own", status="draft")
    with django_capture_on_commit_callbacks(execute=True):
        attachment = plan_services.prompt_attachment_add(
            actor=world.users["supervisor"],
            prompt=prompt,
            upload=SimpleUploadedFile("通知.pdf", PDF),
        )
    assert attachment.file.read() == PDF


# --- ClamAV (an external program; here a stand-in with clamdscan's exit codes) ----------


def scanner(tmp_path, body: str) -> str:
    script = tmp_path / "fake-clamdscan"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_clamav_finding_is_refused(settings, tmp_path):
    settings.CLAMAV_ENABLED = True
    settings.CLAMAV_COMMAND = scanner(tmp_path, "grep -q MALWARE && exit 1; exit 0")
    validate_upload_bytes(PDF, filename="a.pdf", allowed={"pdf"})
    with pytest.raises(ValidationError) as refused:
        validate_upload_bytes(PDF + b"MALWARE", filename="a.pdf", allowed={"pdf"})
    assert refused.value.code == "virus"


def test_an_unreachable_scanner_refuses_the_file(settings, tmp_path):
    settings.CLAMAV_ENABLED = True
    settings.CLAMAV_COMMAND = scanner(tmp_path, "cat >/dev/null; exit 2")
    with pytest.raises(ValidationError) as refused:
        validate_upload_bytes(PDF, filename="a.pdf", allowed={"pdf"})
    assert refused.value.code == "scanner"
    settings.CLAMAV_COMMAND = str(tmp_path / "no-such-scanner")
    with pytest.raises(ValidationError):
        validate_upload_bytes(PDF, filename="a.pdf", allowed={"pdf"})


def test_eicar_is_refused_with_the_scanner_off(settings):
    settings.CLAMAV_ENABLED = False
    with pytest.raises(ValidationError) as refused:
        validate_upload_bytes(EICAR_PDF, filename="a.pdf", allowed={"pdf"})
    assert refused.value.code == "virus"
