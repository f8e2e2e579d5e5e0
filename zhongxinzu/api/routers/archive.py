"""/api/archive: 学习档案. A group's three registers (三簿) with what each lacks and the
volumes built so far; building a year's volume (学习档案专卷) as a background job; the
volume's .zip (catalogue first) or its combined .docx for printing.

The group's secretary and leaders and the supervisors of its unit and above read; the
secretary and the supervisors build. A member of the group gets 403, anyone else 404."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Query, Router, Schema, Status

from zhongxinzu.api.common import ERRORS, file_operation
from zhongxinzu.api.routers.jobs import JobOut, job_out
from zhongxinzu.api.schemas import Id
from zhongxinzu.archive import access, selectors, services
from zhongxinzu.archive.models import ArchiveVolume
from zhongxinzu.lib.downloads import stored_file_response

router = Router(tags=["学习档案"])
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class YearQuery(Schema):
    year: int | None = None


class BuildIn(Schema):
    year: int


class MissingOut(Schema):
    label: str
    url: str


class RegisterOut(Schema):
    key: str
    name: str
    status: str
    status_label: str
    done: int
    due: int
    missing: list[MissingOut]


class CatalogueRowOut(Schema):
    no: int
    doc_number: str
    responsible: str
    title: str
    date: str
    pages: int | None
    note: str
    files: list[str]


class VolumeOut(Schema):
    id: int
    version: int
    built_at: dt.datetime
    built_by: str
    documents: int
    size: int
    catalogue: list[CatalogueRowOut]


class ArchiveStatusOut(Schema):
    group_id: int
    group: str
    year: int
    as_of: dt.date
    complete: bool
    registers: list[RegisterOut]
    volumes: list[VolumeOut]
    can_build: bool


def _volume(v: ArchiveVolume) -> dict:
    user = v.built_by
    return {
        "id": v.pk,
        "version": v.version,
        "built_at": v.built_at,
        "built_by": (user.get_full_name() or user.username) if user else "",
        "documents": v.documents,
        "size": v.size,
        "catalogue": v.catalogue,
    }


@router.get(
    "/groups/{group_id}",
    response={200: ArchiveStatusOut, **ERRORS},
    summary="中心组学习档案：三簿是否齐全（缺少的记录）和已生成的专卷",
)
def archive_status(request, group_id: Id, filters: Query[YearQuery]):
    user = request.auth
    group = access.get_group_for(user, group_id)
    year = filters.year or timezone.localdate().year
    status = selectors.archive_status(group, year)
    volumes = ArchiveVolume.objects.filter(group=group, year=year).select_related("built_by")
    return {
        "group_id": group.pk,
        "group": group.name,
        "year": year,
        "as_of": status.as_of,
        "complete": status.complete,
        "registers": [
            {
                "key": r.key,
                "name": r.name,
                "status": r.status,
                "status_label": r.status_label,
                "done": r.done,
                "due": r.due,
                "missing": r.missing,
            }
            for r in status.registers
        ],
        "volumes": [_volume(v) for v in volumes],
        "can_build": access.can_build(user, group),
    }


@router.post(
    "/groups/{group_id}/build",
    response={202: JobOut, **ERRORS},
    summary="生成学习档案专卷：在后台生成，返回后台任务，用 GET /api/jobs/{id} 查看进度",
)
def archive_build(request, group_id: Id, payload: BuildIn):
    user = request.auth
    group = access.get_group_for(user, group_id, write=True)
    job = services.volume_build_start(actor=user, group=group, year=payload.year)
    return Status(202, job_out(job))


class DownloadQuery(Schema):
    format: str = "zip"


@router.get(
    "/volumes/{volume_id}/download",
    response=ERRORS,
    summary="下载学习档案专卷：format=zip（卷内目录在前的压缩包，默认）或 docx（打印用合订本）",
    openapi_extra=file_operation("application/zip", "学习档案专卷 .zip 或合订本 .docx"),
)
def archive_download(request, volume_id: Id, filters: Query[DownloadQuery]):
    volume = access.get_volume_for(request.auth, volume_id)
    title = f"{services.volume_title(volume.group, volume.year)}（第{volume.version}版）"
    if filters.format == "docx":
        return stored_file_response(
            request, volume.print_file, f"{title}合订本.docx", obj=volume, content_type=DOCX
        )
    return stored_file_response(
        request, volume.file, f"{title}.zip", obj=volume, content_type="application/zip"
    )
