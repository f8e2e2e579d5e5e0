"""/api/bulletins: 学情通报 — a supervisor drafts a bulletin for its subtree and a period
(generated from the records: at once for a small subtree, else as a job answered 202),
edits it section by section, issues it (numbered, locked: later changes are new versions),
downloads it as .docx; the recipient groups' secretaries and leaders acknowledge it."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from zhongxinzu.api.common import ERRORS, file_operation, page, person_name
from zhongxinzu.api.errors import FieldDenied, FieldError
from zhongxinzu.api.routers.jobs import JobOut, job_out
from zhongxinzu.api.schemas import Id, In, PageParams, Text, Version
from zhongxinzu.bulletins import access as bulletin_access
from zhongxinzu.bulletins import selectors, services
from zhongxinzu.bulletins.models import Bulletin, BulletinRecipient
from zhongxinzu.documents.responses import DOCX_CONTENT_TYPE, docx_response
from zhongxinzu.org.models import StudyGroup
from zhongxinzu.stats.periods import span_from

router = Router(tags=["学情通报"])


class BulletinCreateIn(In):
    issuer_unit: Id = Field(description="发文单位（本人督导的单位），通报范围为其及下级各中心组")
    period: Literal["year", "half", "quarter", "custom"] = "year"
    year: int | None = Field(None, ge=2000, le=2100)
    n: int | None = Field(None, ge=1, le=4, description="半年（1—2）或季度（1—4）")
    start: dt.date | None = None
    end: dt.date | None = None
    doc_prefix: Text(20) = Field("", description="发文机关代字，如“江宣通”；不填沿用上次")


class BulletinUpdateIn(In):
    version: Version
    title: Text(200) | None = None
    addressee: Text(200) | None = None
    cc: Text(200) | None = None
    doc_prefix: Text(20) | None = None
    overview: Text(20000) | None = None
    practices: Text(20000) | None = None
    problems: Text(20000) | None = None
    requirements: Text(20000) | None = None
    reason: Text(200) = Field("", description="已印发的通报：修改说明（形成新版本）")


class VersionBody(In):
    version: Version


class AckIn(In):
    group: Id | None = Field(None, description="签收的中心组；不填为本人所在的第一个中心组")


class ProblemRowOut(Schema):
    unit: str
    problems: list[str]


class VersionOut(Schema):
    number: int
    created_at: dt.datetime
    created_by: str
    reason: str


class BulletinOut(Schema):
    id: int
    issuer_unit_id: int
    issuer_unit_name: str
    period: str
    start: dt.date
    end: dt.date
    n: int
    period_label: str
    title: str
    status: str
    status_label: str
    doc_prefix: str
    doc_number: str
    issued_at: dt.datetime | None
    addressee: str
    cc: str
    overview: str
    practices: str
    problems: str
    requirements: str
    text_version: int = Field(description="正文版本：草稿为0，印发为1，之后每次修改加1")
    drafted_at: dt.datetime | None
    problem_units: list[ProblemRowOut]
    figures_total: dict
    recipients: int
    acknowledged: int
    version: int


class BulletinListOut(Schema):
    id: int
    title: str
    issuer_unit_name: str
    status: str
    doc_number: str
    issued_at: dt.datetime | None
    period_label: str


class BulletinPage(Schema):
    items: list[BulletinListOut]
    count: int


class BulletinFilters(PageParams):
    status: Literal["draft", "issued"] | None = None
    issuer_unit: Id | None = None


class AckOut(Schema):
    bulletin_id: int
    group_id: int
    group_name: str
    acknowledged_at: dt.datetime
    acknowledged_by: str


def _out(b: Bulletin) -> dict:
    text = selectors.current_text(b)
    counts = selectors.ack_counts(b)
    return {
        "id": b.pk,
        "issuer_unit_id": b.issuer_unit_id,
        "issuer_unit_name": b.issuer_unit.name,
        "period": b.kind,
        "start": b.start,
        "end": b.end,
        "n": b.n,
        "period_label": b.span.label,
        "status": b.status,
        "status_label": b.get_status_display(),
        "doc_prefix": b.doc_prefix,
        "doc_number": b.doc_number,
        "issued_at": b.issued_at,
        "drafted_at": b.drafted_at,
        **{k: text[k] for k in ("title", "addressee", "cc", *services.SECTION_KEYS)},
        "text_version": text["version"],
        "problem_units": b.problem_rows,
        "figures_total": (b.figures or {}).get("total", {}),
        "recipients": counts["total"],
        "acknowledged": counts["acked"],
        "version": b.version,
    }


def _get(user, pk: int, *, write: bool = False) -> Bulletin:
    return bulletin_access.get_bulletin_for(user, pk, write=write)


@router.get("", response={200: BulletinPage, **ERRORS}, summary="学情通报列表")
def bulletin_list(request, filters: Query[BulletinFilters]):
    """Bulletins issued within the subtrees the caller supervises (drafts too), and those
    issued to the caller's groups."""
    qs = bulletin_access.bulletins_visible(request.auth).select_related("issuer_unit")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.issuer_unit:
        qs = qs.filter(issuer_unit_id=filters.issuer_unit)

    def rows(items):
        for b in items:
            yield {
                "id": b.pk,
                "title": b.title,
                "issuer_unit_name": b.issuer_unit.name,
                "status": b.status,
                "doc_number": b.doc_number,
                "issued_at": b.issued_at,
                "period_label": b.span.label,
            }

    return page(qs.order_by("-start", "-id"), filters, rows)


@router.post(
    "",
    response={201: BulletinOut, 202: JobOut, **ERRORS},
    summary="起草通报：小范围立即生成（201），大范围转后台任务生成（202）",
)
def bulletin_create(request, payload: BulletinCreateIn):
    user = request.auth
    units = bulletin_access.issuer_units(user)
    if not units:
        raise PermissionDenied("只有督导可以起草学情通报")
    unit = next((u for u in units if u.pk == payload.issuer_unit), None)
    if unit is None:
        raise FieldError("issuer_unit", "只能以本人督导的单位名义起草通报")
    params = {
        k: (v.isoformat() if isinstance(v, dt.date) else str(v))
        for k, v in payload.model_dump(include={"period", "year", "n", "start", "end"}).items()
        if v is not None
    }
    span = span_from(params, default_year=timezone.localdate().year)
    bulletin = services.bulletin_create(
        actor=user, issuer_unit=unit, span=span, doc_prefix=payload.doc_prefix
    )
    if services.draft_synchronously(bulletin):
        bulletin = services.bulletin_draft(actor=user, bulletin=bulletin)
        return Status(201, _out(_get(user, bulletin.pk)))
    return Status(202, job_out(services.bulletin_start_draft(actor=user, bulletin=bulletin)))


@router.get("/{bulletin_id}", response={200: BulletinOut, **ERRORS}, summary="通报详情")
def bulletin_detail(request, bulletin_id: Id):
    return _out(_get(request.auth, bulletin_id))


@router.patch(
    "/{bulletin_id}",
    response={200: BulletinOut, **ERRORS},
    summary="修改通报（草稿直接修改；已印发的形成新版本，须填写修改说明）",
)
def bulletin_update(request, bulletin_id: Id, payload: BulletinUpdateIn):
    user = request.auth
    bulletin = _get(user, bulletin_id, write=True)
    data = payload.model_dump(exclude_unset=True, exclude={"version", "reason"})
    data = {k: v for k, v in data.items() if v is not None}
    services.bulletin_update(
        actor=user,
        bulletin=bulletin,
        expected_version=payload.version,
        reason=payload.reason,
        **data,
    )
    return _out(_get(user, bulletin_id))


@router.post(
    "/{bulletin_id}/issue",
    response={200: BulletinOut, **ERRORS},
    summary="印发通报（编发文字号，发送下级各中心组）",
)
def bulletin_issue(request, bulletin_id: Id, payload: VersionBody):
    user = request.auth
    bulletin = _get(user, bulletin_id, write=True)
    services.bulletin_issue(actor=user, bulletin=bulletin, expected_version=payload.version)
    return _out(_get(user, bulletin_id))


@router.get(
    "/{bulletin_id}/docx",
    response=ERRORS,
    summary="下载通报（Word，GB/T 9704 公文格式）",
    openapi_extra=file_operation(DOCX_CONTENT_TYPE, "学情通报 .docx"),
)
def bulletin_docx(request, bulletin_id: Id):
    bulletin = _get(request.auth, bulletin_id)
    if not bulletin.drafted_at:
        raise FieldError("bulletin", "通报文稿尚未生成")
    return docx_response(
        request,
        selectors.filename(bulletin),
        selectors.docx_bytes(bulletin),
        obj=bulletin,
        action="document",
    )


@router.post(
    "/{bulletin_id}/acknowledge",
    response={201: AckOut, **ERRORS},
    summary="签收通报（接收中心组的学习秘书或组长）",
)
def bulletin_acknowledge(request, bulletin_id: Id, payload: AckIn):
    user = request.auth
    bulletin = _get(user, bulletin_id)
    choices = bulletin_access.ack_group_ids(user, bulletin)
    if not choices:
        raise PermissionDenied("只有接收通报的中心组的学习秘书或组长可以签收")
    group_id = payload.group or choices[0]
    if group_id not in choices:
        raise FieldDenied("group", "只能为本人担任学习秘书或组长、且接收该通报的中心组签收")
    group = StudyGroup.objects.get(pk=group_id)
    receipt: BulletinRecipient = services.bulletin_acknowledge(
        actor=user, bulletin=bulletin, group=group
    )
    return Status(
        201,
        {
            "bulletin_id": bulletin.pk,
            "group_id": group.pk,
            "group_name": group.name,
            "acknowledged_at": receipt.acknowledged_at,
            "acknowledged_by": person_name(user),
        },
    )
