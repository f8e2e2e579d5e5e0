"""/api/rectifications: the rectification list (整改清单). The group's secretary reports
progress; only a supervisor of the group's subtree closes the entry (销号) or sends it back
with a note. Evidence files are uploaded and downloaded on the pages."""

from __future__ import annotations

from django.utils import timezone
from ninja import Query, Router, Status

from zhongxinzu.api import scope
from zhongxinzu.api.common import ERRORS, page
from zhongxinzu.api.errors import FieldError
from zhongxinzu.api.problem_schemas import (
    RectDetailOut,
    RectFilters,
    RectPage,
    RectReportIn,
    RectReturnIn,
)
from zhongxinzu.api.routers.problems import abilities, rect_row, report_rows
from zhongxinzu.api.schemas import Id, VersionIn
from zhongxinzu.org import access
from zhongxinzu.supervision import problems
from zhongxinzu.supervision.models import Rectification

router = Router(tags=["整改清单"])

SECRETARY_ONLY = "只有本中心组学习秘书可以报送整改进展"
SUPERVISOR_ONLY = "只有督导单位可以销号或退回整改"
ROW_RELATED = ("problem__group__unit", "owner", "closed_by")


def _visible(user):
    return Rectification.objects.filter(problem__in=scope.problems(user)).select_related(
        *ROW_RELATED
    )


def _row(r: Rectification, today) -> dict:
    p = r.problem
    return {
        **rect_row(r, today),
        "group_id": p.group_id,
        "group_name": p.group.name,
        "category": p.category,
        "description": p.description,
        "found_on": p.found_on,
    }


def _one(user, pk: int) -> dict:
    r = Rectification.objects.select_related(*ROW_RELATED).get(pk=pk)
    return {
        **_row(r, timezone.localdate()),
        "source": r.problem.source,
        "source_label": r.problem.get_source_display(),
        "reports": report_rows(r),
        **abilities(user, r.problem),
    }


def _get(user, pk: int, *, record: bool = False, decide: bool = False) -> Rectification:
    if record:
        return scope.get(
            _visible(user),
            pk,
            writable=lambda r: access.can_record_for_group(user, r.problem.group_id),
            message=SECRETARY_ONLY,
        )
    if decide:
        return scope.get(
            _visible(user),
            pk,
            writable=lambda r: problems.can_supervise(user, r.problem.group),
            message=SUPERVISOR_ONLY,
        )
    return scope.get(_visible(user), pk)


@router.get("", response={200: RectPage, **ERRORS}, summary="整改清单")
def rectification_list(request, filters: Query[RectFilters]):
    qs = _visible(request.auth)
    if filters.group:
        qs = qs.filter(problem__group_id=filters.group)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.year:
        qs = qs.filter(problem__found_on__year=filters.year)
    if filters.overdue is not None:
        overdue = problems.overdue_q(prefix="")
        qs = qs.filter(overdue) if filters.overdue else qs.exclude(overdue)
    today = timezone.localdate()
    qs = qs.order_by("deadline", "id")
    return page(qs, filters, lambda rows: (_row(r, today) for r in rows))


@router.get(
    "/{rectification_id}", response={200: RectDetailOut, **ERRORS}, summary="整改详情（含进展报送）"
)
def rectification_detail(request, rectification_id: Id):
    return _one(request.auth, _get(request.auth, rectification_id).pk)


@router.post(
    "/{rectification_id}/reports",
    response={201: RectDetailOut, **ERRORS},
    summary="报送整改进展（本中心组学习秘书；佐证材料文件请在网页上传，此处可填写材料说明）",
)
def rectification_report(request, rectification_id: Id, payload: RectReportIn):
    """The progress text, and optionally a description of the evidence (what was done,
    which records prove it); the entry then waits for the supervisor's close-out. The
    evidence file itself is uploaded on the problem's page."""
    user = request.auth
    rect = _get(user, rectification_id, record=True)
    if not payload.text:
        raise FieldError("text", "请填写整改进展")
    text = payload.text
    if payload.evidence:
        text += f"\n佐证材料：{payload.evidence}"
    problems.rectification_report_add(
        actor=user, rectification=rect, text=text, expected_version=payload.version
    )
    return Status(201, _one(user, rect.pk))


@router.post(
    "/{rectification_id}/close",
    response={200: RectDetailOut, **ERRORS},
    summary="销号（督导单位，中心组报送整改进展后）",
)
def rectification_close(request, rectification_id: Id, payload: VersionIn):
    user = request.auth
    rect = _get(user, rectification_id, decide=True)
    problems.rectification_close(actor=user, rectification=rect, expected_version=payload.version)
    return _one(user, rect.pk)


@router.post(
    "/{rectification_id}/return",
    response={200: RectDetailOut, **ERRORS},
    summary="退回整改（督导单位，须填写退回意见）",
)
def rectification_return(request, rectification_id: Id, payload: RectReturnIn):
    user = request.auth
    rect = _get(user, rectification_id, decide=True)
    problems.rectification_return(
        actor=user, rectification=rect, note=payload.note, expected_version=payload.version
    )
    return _one(user, rect.pk)
