"""The year archive volume: the .zip's entries and their order, the catalogue against the
documents, the combined .docx, the 纪要 numbering, versions, and the build as a job."""

from __future__ import annotations

import io
import zipfile

import openpyxl
from django.urls import reverse
from docx import Document

from zhongxinzu.archive import services
from zhongxinzu.archive.models import ArchiveVolume
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.documents.archive_volume import CATALOGUE_HEADERS, estimate_pages
from zhongxinzu.jobs.models import Job
from zhongxinzu.jobs.testing import run_worker


def _build(world, year_records, capture):
    with capture(execute=True):
        return services.volume_build(
            actor=world.users["secretary"], group=year_records.group, year=year_records.year
        )


def _zip(volume) -> zipfile.ZipFile:
    with volume.file.open("rb") as f:
        return zipfile.ZipFile(io.BytesIO(f.read()))


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_zip_has_the_catalogue_first_then_the_documents_in_order(
    world, year_records, django_capture_on_commit_callbacks
):
    volume = _build(world, year_records, django_capture_on_commit_callbacks)
    names = _zip(volume).namelist()
    assert names[:2] == ["00_卷内目录.docx", "00_卷内目录.xlsx"]
    kinds = [row["kind"] for row in volume.catalogue]
    # plan, annual report, per session its record (and 纪要 when minutes were written),
    # the register, the outputs, then the originals
    assert kinds == [
        "plan",
        "report",
        "record",
        "record",
        "minutes",
        "record",
        "register",
        "output",
        "output",
        "original",
        "original",
    ]
    titles = [row["title"] for row in volume.catalogue]
    assert titles[0] == year_records.plan.title
    assert titles[1].endswith("年度学习情况汇报")
    assert titles[2] == "学习记录：学习党的二十届四中全会精神"
    assert titles[4] == "专题研讨：推动高质量发展会议纪要"
    assert titles[7] == "关于推动高质量发展的研讨发言"  # speech outlines before research
    assert titles[8] == "关于基层教育发展的调研报告"
    # the zip's entries after the catalogue are the catalogue's files, in its order
    listed = [name for row in volume.catalogue for name in row["files"]]
    assert names[2:] == listed
    assert [n[:2] for n in listed] == sorted(n[:2] for n in listed)
    assert "07_考勤登记表" in "".join(listed) or any(n.endswith(".xlsx") for n in listed[6:8])
    z = _zip(volume)
    originals = [n for n in listed if n.endswith(".pdf")]
    assert len(originals) == 2 and all(z.read(n).startswith(b"%PDF") for n in originals)


def test_catalogue_rows_equal_the_documents(
    world, year_records, django_capture_on_commit_callbacks
):
    volume = _build(world, year_records, django_capture_on_commit_callbacks)
    z = _zip(volume)
    doc = Document(io.BytesIO(z.read("00_卷内目录.docx")))
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == CATALOGUE_HEADERS
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert len(rows) == len(volume.catalogue) == 11
    for cells, row in zip(rows, volume.catalogue, strict=True):
        assert cells[0] == str(row["no"]) and cells[3] == row["title"]
        assert cells[2] == row["responsible"] and cells[6] == row["note"]
        assert all(name in z.namelist() for name in row["files"])
        if row["kind"] == "original":
            assert row["pages"] is None and cells[5] == ""
        else:
            docx_name = next(n for n in row["files"] if n.endswith(".docx"))
            assert row["pages"] == estimate_pages(z.read(docx_name)) >= 1
            assert cells[5] == str(row["pages"])
    minutes = next(r for r in volume.catalogue if r["kind"] == "minutes")
    assert minutes["doc_number"] == f"{year_records.year}年第1期"
    plan = volume.catalogue[0]
    assert rows[0][4] == ""  # the plan has no filing date recorded in this fixture
    assert plan["record"] == {"type": "plan", "id": year_records.plan.pk}
    sheet = openpyxl.load_workbook(io.BytesIO(z.read("00_卷内目录.xlsx"))).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = values.index(next(r for r in values if r[0] == "顺序号"))
    body = [r for r in values[header + 1 :] if isinstance(r[0], int)]
    assert [r[3] for r in body] == [row["title"] for row in volume.catalogue]


def test_combined_docx_opens_and_holds_every_generated_document(
    world, year_records, django_capture_on_commit_callbacks
):
    volume = _build(world, year_records, django_capture_on_commit_callbacks)
    with volume.print_file.open("rb") as f:
        data = f.read()
    text = _docx_text(data)
    assert "卷内目录" in text
    z = _zip(volume)
    for row in volume.catalogue:
        for name in row["files"]:
            if name.endswith(".docx"):
                first = Document(io.BytesIO(z.read(name))).core_properties.title
                assert first.replace("\n", "") in text.replace("\n", "")
    assert "会议要求各单位抓好落实" in text  # the minutes' text
    assert "要深刻认识高质量发展的重要意义" in text  # the speech outline's text


def test_minutes_carry_the_red_mark_their_number_and_labelled_lines(
    world, year_records, django_capture_on_commit_callbacks
):
    volume = _build(world, year_records, django_capture_on_commit_callbacks)
    z = _zip(volume)
    name = next(r for r in volume.catalogue if r["kind"] == "minutes")["files"][0]
    doc = Document(io.BytesIO(z.read(name)))
    paragraphs = [p for p in doc.paragraphs if p.text.strip()]
    mark = paragraphs[0]
    assert mark.text == f"{year_records.group.name}纪要"
    assert str(mark.runs[0].font.color.rgb) == "FF0000"
    assert paragraphs[1].text == f"{year_records.year}年第1期"
    present = next(p for p in paragraphs if p.text.startswith("出席："))
    assert present.runs[0].font.name == "黑体" and present.runs[1].font.name == "仿宋_GB2312"
    absent = next(p for p in paragraphs if p.text.startswith("缺席："))
    assert absent.text == "缺席：member人（出差）"
    record = next(r for r in volume.catalogue if r["kind"] == "record")["files"][0]
    text = _docx_text(z.read(record))
    assert "主持：" in text and "出席：" in text and "传达学习重要讲话精神" in text


def test_rebuilding_makes_a_new_version_and_keeps_the_old(
    world, year_records, django_capture_on_commit_callbacks
):
    first = _build(world, year_records, django_capture_on_commit_callbacks)
    second = _build(world, year_records, django_capture_on_commit_callbacks)
    assert (first.version, second.version) == (1, 2)
    assert ArchiveVolume.objects.filter(group=year_records.group).count() == 2
    assert AuditEntry.objects.filter(
        action="document", object_type__icontains="archive", object_id=str(second.pk)
    ).exists()


def test_secretary_starts_the_job_and_the_worker_builds_the_volume(
    world, client, year_records, django_capture_on_commit_callbacks
):
    world.login(client, "secretary")
    url = reverse("archive:build", args=[year_records.group.pk])
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, {"year": year_records.year})
    job = Job.objects.get(kind="archive.build")
    assert r.status_code == 302 and r["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.target_id, job.year, job.unit_id) == (
        year_records.group.pk,
        year_records.year,
        year_records.group.unit_id,
    )
    with django_capture_on_commit_callbacks(execute=True):
        run_worker()
    job.refresh_from_db()
    assert job.status == "done", job.error
    volume = ArchiveVolume.objects.get(job=job)
    assert volume.built_by == world.users["secretary"] and volume.documents == 11
    assert job.result_url.startswith(reverse("archive:group", args=[year_records.group.pk]))
    page = client.get(job.result_url).content.decode()
    assert reverse("archive:download", args=[volume.pk]) in page
    r = client.get(reverse("archive:download", args=[volume.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content))).namelist()[0] == (
        "00_卷内目录.docx"
    )
    assert AuditEntry.objects.filter(action="download", object_id=str(volume.pk)).exists()


def test_a_second_build_while_one_is_queued_is_refused(world, client, year_records):
    world.login(client, "secretary")
    url = reverse("archive:build", args=[year_records.group.pk])
    client.post(url, {"year": year_records.year})
    r = client.post(url, {"year": year_records.year}, follow=True)
    assert "正在排队或进行中" in r.content.decode()
    assert Job.objects.filter(kind="archive.build").count() == 1


def test_a_year_in_the_future_is_refused(world, client):
    world.login(client, "secretary")
    group = world.groups["own"]
    r = client.post(reverse("archive:build", args=[group.pk]), {"year": 2999}, follow=True)
    assert "年度须在2000年至今年之间" in r.content.decode()
    assert not Job.objects.exists()


def test_a_group_without_records_still_gets_its_report_and_register(
    world, django_capture_on_commit_callbacks
):
    group = world.groups["sibling"]
    with django_capture_on_commit_callbacks(execute=True):
        volume = services.volume_build(actor=None, group=group, year=2025)
    assert [r["kind"] for r in volume.catalogue] == ["report", "register"]
    assert _zip(volume).namelist()[:2] == ["00_卷内目录.docx", "00_卷内目录.xlsx"]
