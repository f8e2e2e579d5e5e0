"""Writes of the archive: start a volume build (a background job) and build one volume.

    job = volume_build_start(actor=user, group=group, year=2026)   # archive.build, queued
    volume = volume_build(actor=user, group=group, year=2026)      # what the job runs

The volume's contents, in the catalogue's order: the year plan, the annual report
(学习情况汇报), for every held session its record (学习记录) and, where minutes were
written, its 纪要 (numbered 2026年第N期 in the order of the sessions), the attendance register
(考勤登记表 .xlsx, with a printable 签到簿 .docx), the speech outlines (研讨发言材料), research
reports and articles, then the uploaded originals (session attachments, output files)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone

from zhongxinzu.archive.models import ArchiveVolume
from zhongxinzu.audit.services import audit_record
from zhongxinzu.compliance.engine import DONE, Period
from zhongxinzu.documents.archive_volume import VolumeItem, build_volume, safe_name
from zhongxinzu.documents.gbt9704 import OfficialDocument, chinese_date
from zhongxinzu.documents.session_record import (
    SessionRecordData,
    minutes_title,
    record_title,
    session_minutes_docx,
    session_record_docx,
)
from zhongxinzu.lib.storage import random_upload_path
from zhongxinzu.meetings.models import AgendaItem, Attendance, Speaker, StudySession
from zhongxinzu.org.models import StudyGroup
from zhongxinzu.outputs.models import Output
from zhongxinzu.plans.models import YearPlan

OUTPUT_KINDS = [Output.Kind.SPEECH_DRAFT, Output.Kind.RESEARCH_REPORT, Output.Kind.ARTICLE]
FIRST_YEAR = 2000


def volume_title(group: StudyGroup, year: int) -> str:
    return f"{group.name}{year}年度学习档案专卷"


def check_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": "请填写年度"}) from None
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise ValidationError({"year": "年度须在2000年至今年之间"})
    return year


def volume_build_start(*, actor, group: StudyGroup, year) -> object:
    """Queue the build of `group`'s `year` volume (one at a time per group and year)."""
    from zhongxinzu.jobs.services import job_start

    year = check_year(year)
    return job_start(
        actor=actor, kind="archive.build", unit=group.unit, year=year, target_id=group.pk
    )


def _local(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value else None


def _plan_item(group: StudyGroup, year: int) -> VolumeItem | None:
    from zhongxinzu.documents.plan_docx import plan_docx

    plan = YearPlan.objects.filter(group=group, year=year).select_related("group").first()
    if plan is None:
        return None
    topics = list(plan.topics.select_related("lead").order_by("order", "id"))
    return VolumeItem(
        title=plan.title,
        responsible=group.name,
        date=_local(plan.filed_at or plan.approved_at),
        note=plan.get_status_display(),
        docx=plan_docx(plan, topics),
        kind="plan",
        record={"type": "plan", "id": plan.pk},
    )


def _report_item(group: StudyGroup, year: int) -> VolumeItem:
    from zhongxinzu.compliance.selectors import annual_report_document
    from zhongxinzu.documents.annual_report import report_title

    today = timezone.localdate()
    signed = min(today, dt.date(year + 1, 1, 31)) if year < today.year else today
    _, data = annual_report_document(group, year, signed_on=signed)
    return VolumeItem(
        title=report_title(group.name, year),
        responsible=group.name,
        date=signed,
        docx=data,
        kind="report",
        note="年度总结",
    )


def _sessions(group: StudyGroup, year: int) -> list[StudySession]:
    start, end = Period.year(year).bounds()
    return list(
        StudySession.objects.filter(
            group=group, status__in=DONE, starts_at__gte=start, starts_at__lt=end
        )
        .select_related("chair", "lead_reader")
        .prefetch_related(
            Prefetch("agenda", AgendaItem.objects.order_by("order", "pk")),
            Prefetch("speakers", Speaker.objects.select_related("person").order_by("order", "pk")),
            Prefetch(
                "attendance",
                Attendance.objects.select_related("person").order_by(
                    "person__rank_order", "person_id"
                ),
            ),
            "attachments",
        )
        .order_by("starts_at", "pk")
    )


def record_data(group: StudyGroup, s: StudySession) -> SessionRecordData:
    data = SessionRecordData(
        group=group.name,
        title=s.title,
        kind=s.get_kind_display(),
        starts=timezone.localtime(s.starts_at),
        ends=timezone.localtime(s.ends_at),
        place=s.place,
        chair=s.chair.name if s.chair_id else "",
        lead_reader=s.lead_reader.name if s.lead_reader_id else "",
        agenda=[(a.title, a.first_item_id is not None) for a in s.agenda.all()],
        speakers=[(sp.person.name, sp.subtopic) for sp in s.speakers.all()],
        content=s.content,
        effect=s.effect,
        materials=s.materials,
        minutes=s.minutes,
    )
    for a in s.attendance.all():
        name = a.person.name
        if a.is_attendee:
            data.sitting_in.append(name)
        elif a.status == Attendance.Status.PRESENT:
            data.present.append(name)
        elif a.status == Attendance.Status.LATE:
            data.late.append(name)
        elif a.status == Attendance.Status.LEAVE:
            data.leave.append((name, a.reason))
        else:
            data.absent.append((name, a.reason))
    return data


def _sign_in_book(group: StudyGroup, year: int, records: list[SessionRecordData]) -> bytes:
    """The 签到簿 for printing: one row per held session with who came and who did not."""
    doc = OfficialDocument(title=f"{group.name}{year}年度签到簿", issuer=group.name, mark="")
    rows = [
        [
            i,
            chinese_date(r.starts.date()),
            r.title,
            "、".join(r.present + r.late) or "—",
            "、".join(n for n, _ in r.leave) or "—",
            "、".join(n for n, _ in r.absent) or "—",
        ]
        for i, r in enumerate(records, start=1)
    ]
    if rows:
        doc.table(
            ["序号", "日期", "学习主题", "出席", "请假", "缺席"],
            rows,
            widths_mm=[10, 22, 40, 48, 18, 18],
        )
    else:
        doc.paragraph("本年度尚无已举行的集体学习。")
    return doc.to_bytes()


def _output_docx(o: Output) -> bytes:
    doc = OfficialDocument(title=o.title, issuer=o.author.name, mark="")
    doc.labelled("作者", o.author.name)
    doc.labelled("类别", o.get_kind_display())
    if o.session_id:
        doc.labelled("学习", f"{_local(o.session.starts_at):%Y-%m-%d} {o.session.title}")
    doc.blank()
    if o.body.strip():
        doc.rich_text(o.body)
    else:
        doc.paragraph("（正文见所附原件）" if o.file else "（未填写正文）")
    return doc.to_bytes()


def _read(field) -> bytes | None:
    try:
        with field.open("rb") as f:
            return f.read()
    except (FileNotFoundError, ValueError, OSError):
        return None


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower()[:10] if dot > 0 else ""


def volume_items(group: StudyGroup, year: int) -> list[VolumeItem]:
    """Every document of the volume, in the catalogue's order."""
    from zhongxinzu.compliance.selectors import attendance_register_document

    items: list[VolumeItem] = []
    if (plan := _plan_item(group, year)) is not None:
        items.append(plan)
    items.append(_report_item(group, year))
    sessions = _sessions(group, year)
    records = [record_data(group, s) for s in sessions]
    issue = 0
    originals: list[VolumeItem] = []
    for s, data in zip(sessions, records, strict=True):
        day = data.starts.date()
        items.append(
            VolumeItem(
                title=record_title(data),
                responsible=group.name,
                date=day,
                docx=session_record_docx(data),
                kind="record",
                note=s.get_kind_display(),
                record={"type": "session", "id": s.pk},
            )
        )
        if s.minutes.strip():
            issue += 1
            number = f"{year}年第{issue}期"
            items.append(
                VolumeItem(
                    title=minutes_title(data),
                    responsible=group.name,
                    date=day,
                    doc_number=number,
                    docx=session_minutes_docx(data, doc_number=number),
                    kind="minutes",
                    note="纪要",
                    record={"type": "session", "id": s.pk},
                )
            )
        for att in s.attachments.all():
            content = _read(att.file)
            originals.append(
                VolumeItem(
                    title=att.name,
                    responsible=group.name,
                    date=_local(att.uploaded_at),
                    files=[(safe_name(att.name, 80), content)] if content is not None else [],
                    kind="original",
                    note=f"原件（{s.title[:20]}）" if content is not None else "原件缺失",
                    record={"type": "attachment", "id": att.pk},
                )
            )
    register_name, register_xlsx = attendance_register_document(group, year)
    items.append(
        VolumeItem(
            title=register_name.removesuffix(".xlsx"),
            responsible=group.name,
            date=dt.date(year, 12, 31) if year < timezone.localdate().year else None,
            docx=_sign_in_book(group, year, records),
            files=[(".xlsx", register_xlsx)],
            kind="register",
            note="签到簿；另附Excel",
        )
    )
    outputs = (
        Output.objects.filter(group=group, year=year, kind__in=OUTPUT_KINDS)
        .exclude(status=Output.Status.DRAFT)
        .select_related("author", "session")
        .order_by("submitted_at", "pk")
    )
    order = {k: i for i, k in enumerate(OUTPUT_KINDS)}
    for o in sorted(outputs, key=lambda o: order[o.kind]):
        items.append(
            VolumeItem(
                title=o.title,
                responsible=o.author.name,
                date=_local(o.submitted_at),
                docx=_output_docx(o),
                kind="output",
                note=o.get_kind_display(),
                record={"type": "output", "id": o.pk},
            )
        )
        if o.file:
            content = _read(o.file)
            name = f"{safe_name(o.title, 60)}{_suffix(o.file.name)}"
            originals.append(
                VolumeItem(
                    title=f"{o.title}（原件）",
                    responsible=o.author.name,
                    date=_local(o.submitted_at),
                    files=[(name, content)] if content is not None else [],
                    kind="original",
                    note="原件" if content is not None else "原件缺失",
                    record={"type": "output", "id": o.pk},
                )
            )
    return items + originals


def volume_build(
    *,
    actor,
    group: StudyGroup,
    year: int,
    job=None,
    progress: Callable[[int, int, str], None] | None = None,
) -> ArchiveVolume:
    """Build and store a new version of `group`'s `year` volume (audited)."""
    year = check_year(year)
    items = volume_items(group, year)
    volume = build_volume(
        title=volume_title(group, year), responsible=group.name, items=items, progress=progress
    )
    if progress:
        progress(len(items) + 2, len(items) + 2, "正在保存")
    return _store(actor=actor, group=group, year=year, job=job, volume=volume)


def _store(*, actor, group, year, job, volume) -> ArchiveVolume:
    """The two files first, written at once (not when a transaction commits, as uploads are:
    the build may run inside one, e.g. the demo's), then the row in one transaction. A row
    that then fails leaves two files no record points at, never a record without its files."""
    storage = FileSystemStorage(location=default_storage.location)
    probe = ArchiveVolume(group=group, year=year)
    names = [
        storage.save(random_upload_path(probe, f"volume{suffix}"), ContentFile(data))
        for suffix, data in ((".zip", volume.zip_bytes), (".docx", volume.print_docx))
    ]
    return _store_row(actor=actor, group=group, year=year, job=job, volume=volume, names=names)


@transaction.atomic
def _store_row(*, actor, group, year, job, volume, names) -> ArchiveVolume:
    # One build per group and year runs at a time (the job's constraint); the versions'
    # unique constraint refuses the rare second build started outside a job.
    last = ArchiveVolume.objects.filter(group=group, year=year).aggregate(v=Max("version"))["v"]
    row = ArchiveVolume.objects.create(
        group=group,
        year=year,
        version=(last or 0) + 1,
        built_by=actor if getattr(actor, "pk", None) else None,
        job=job,
        catalogue=volume.catalogue,
        size=len(volume.zip_bytes),
        file=names[0],
        print_file=names[1],
    )
    audit_record(
        actor=actor,
        action="document",
        obj=row,
        detail={"document": "archive_volume", "year": year, "items": len(volume.catalogue)},
    )
    return row
