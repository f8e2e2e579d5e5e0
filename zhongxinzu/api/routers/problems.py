"""/api/problems: the problem list (问题清单) of the groups, each problem with its
rectification entry (整改清单), and each group's three lists (学习清单、问题清单、整改清单)
as JSON, .xlsx and .docx.

Supervisors see the problems of their subtrees and raise problems of any source; a group's
secretary and leaders see the group's, and the secretary raises self-check problems."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from ninja import Query, Router, Status

from zhongxinzu.api import scope
from zhongxinzu.api.common import ERRORS, body_ref, file_operation, page, person_name
from zhongxinzu.api.errors import FieldDenied, FieldError
from zhongxinzu.api.problem_schemas import (
    ProblemCreateIn,
    ProblemDetailOut,
    ProblemFilters,
    ProblemListsOut,
    ProblemListsParams,
    ProblemPage,
)
from zhongxinzu.api.schemas import Id
from zhongxinzu.documents.responses import DOCX_CONTENT_TYPE, docx_response
from zhongxinzu.lib.xlsx import XLSX_CONTENT_TYPE, xlsx_response
from zhongxinzu.org import access
from zhongxinzu.supervision import problems
from zhongxinzu.supervision.models import ObservationVisit, Problem, Rectification

router = Router(tags=["问题清单"])

LIST_USERS = "只有督导单位、学习秘书和组长可以查看三清单"


def rect_row(r: Rectification, today) -> dict:
    """A rectification as the API shows it (shared with /api/rectifications)."""
    return {
        "id": r.pk,
        "problem_id": r.problem_id,
        "measures": r.measures,
        "owner_id": r.owner_id,
        "owner_name": r.owner.name if r.owner_id else "",
        "department": r.department,
        "deadline": r.deadline,
        "status": r.status,
        "status_label": r.get_status_display(),
        "overdue": r.status != Rectification.Status.CLOSED and r.deadline < today,
        "closed_by": person_name(r.closed_by),
        "closed_at": r.closed_at,
        "return_note": r.return_note,
        "version": r.version,
    }


def report_rows(r: Rectification) -> list[dict]:
    return [
        {
            "id": rep.pk,
            "text": rep.text,
            "has_file": bool(rep.evidence_file),
            "reported_by": person_name(rep.reported_by),
            "reported_at": rep.reported_at,
        }
        for rep in r.reports.select_related("reported_by")
    ]


def abilities(user, problem: Problem) -> dict:
    status = problem.rectification.status
    return {
        "can_report": access.can_record_for_group(user, problem.group_id)
        and status != Rectification.Status.CLOSED,
        "can_decide": problems.can_supervise(user, problem.group)
        and status == Rectification.Status.REPORTED,
    }


def _row(p: Problem, today) -> dict:
    rect = rect_row(p.rectification, today)
    return {
        "id": p.pk,
        "group_id": p.group_id,
        "group_name": p.group.name,
        "source": p.source,
        "source_label": p.get_source_display(),
        "visit_id": p.visit_id,
        "category": p.category,
        "description": p.description,
        "evidence": p.evidence,
        "found_on": p.found_on,
        "raised_by": person_name(p.raised_by),
        "overdue": rect["overdue"],
        "rectification": rect,
        "version": p.version,
    }


def _with_rows(qs):
    return qs.select_related(
        "group__unit", "raised_by", "rectification__owner", "rectification__closed_by"
    )


def _one(user, pk: int) -> dict:
    problem = _with_rows(Problem.objects).get(pk=pk)
    return {
        **_row(problem, timezone.localdate()),
        "reports": report_rows(problem.rectification),
        **abilities(user, problem),
    }


@router.get("", response={200: ProblemPage, **ERRORS}, summary="问题清单")
def problem_list(request, filters: Query[ProblemFilters]):
    qs = _with_rows(scope.problems(request.auth))
    if filters.group:
        qs = qs.filter(group_id=filters.group)
    if filters.year:
        qs = qs.filter(found_on__year=filters.year)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.status:
        qs = qs.filter(rectification__status=filters.status)
    if filters.overdue is not None:
        qs = (
            qs.filter(problems.overdue_q()) if filters.overdue else qs.exclude(problems.overdue_q())
        )
    today = timezone.localdate()
    qs = qs.order_by("-found_on", "-id")
    return page(qs, filters, lambda rows: (_row(p, today) for p in rows))


@router.post(
    "",
    response={201: ProblemDetailOut, **ERRORS},
    summary="登记问题并生成整改清单（督导单位登记各类来源的问题，学习秘书只登记自查问题）",
)
def problem_create(request, payload: ProblemCreateIn):
    user = request.auth
    p = access.principal_of(user)
    if not (p.is_supervisor or p.secretary_group_ids()):
        raise PermissionDenied("只有督导单位和学习秘书可以登记问题")
    group = body_ref(scope.groups(user), payload.group, "group", "中心组不存在或不在您的查看范围内")
    if not problems.groups_for_problems(user).filter(pk=group.pk).exists():
        raise FieldDenied("group", "无权为该中心组登记问题")
    visit = None
    if payload.visit is not None:
        visits = ObservationVisit.objects.filter(access.subtree_q(p.supervised, "group__unit__"))
        visit = body_ref(visits, payload.visit, "visit", "旁听不存在或不在您的督导范围内")
    owner = None
    if payload.owner is not None:
        owner = body_ref(
            scope.people(user), payload.owner, "owner", "人员不存在或不在您的查看范围内"
        )
    problem = problems.problem_create(
        actor=user,
        group=group,
        source=payload.source,
        visit=visit,
        category=payload.category,
        description=payload.description,
        evidence=payload.evidence,
        found_on=payload.found_on or timezone.localdate(),
        measures=payload.measures,
        owner=owner,
        department=payload.department,
        deadline=payload.deadline,
    )
    return Status(201, _one(user, problem.pk))


# The lists' columns, in the order of problems.lists_rows (the exports' columns).
STUDY_KEYS = ("no", "title", "when", "form", "lead")
PROBLEM_KEYS = ("no", "source", "category", "description", "evidence", "found_on")
RECT_KEYS = ("no", "description", "measures", "owner", "department", "deadline", "status")


def _lists(user, params: ProblemListsParams) -> problems.GroupLists:
    """The group's three lists for the year, for its secretary and leaders and the
    supervisors above (as the pages show them)."""
    p = access.principal_of(user)
    if not (p.is_supervisor or p.staff_group_ids()):
        raise PermissionDenied(LIST_USERS)
    if params.group is None:
        if not p.staff_group_ids():
            raise FieldError("group", "请选择中心组")
        group_id = p.staff_group_ids()[0]
    else:
        group_id = params.group
    qs = scope.groups(user).filter(
        access.subtree_q(p.supervised, "unit__") | Q(pk__in=p.staff_group_ids())
    )
    group = scope.get(qs.select_related("unit"), group_id)
    return problems.group_lists(group=group, year=params.year or timezone.localdate().year)


# Before "/{problem_id}": a path parameter matches any segment (its type is checked after
# routing).
@router.get(
    "/lists",
    response={200: ProblemListsOut, **ERRORS},
    summary="某中心组某年度的学习清单、问题清单、整改清单（与导出的表格内容相同）",
)
def group_lists(request, params: Query[ProblemListsParams]):
    lists = _lists(request.auth, params)
    topics, found, rects = problems.lists_rows(lists)
    return {
        "group_id": lists.group.pk,
        "group_name": lists.group.name,
        "year": lists.year,
        "plan_id": lists.plan.pk if lists.plan else None,
        "study": [dict(zip(STUDY_KEYS, row, strict=True)) for row in topics],
        "problems": [
            {"problem_id": p.pk, **dict(zip(PROBLEM_KEYS, row, strict=True))}
            for p, row in zip(lists.problems, found, strict=True)
        ],
        "rectifications": [
            {
                "problem_id": p.pk,
                "rectification_id": p.rectification.pk,
                **dict(zip(RECT_KEYS, row[:-1], strict=True)),
                "closed_on": row[-1] or None,
            }
            for p, row in zip(lists.problems, rects, strict=True)
        ],
    }


def _export_name(lists) -> str:
    return f"{lists.group.name}{lists.year}年三清单"


@router.get(
    "/lists.xlsx",
    response=ERRORS,
    summary="下载三清单（Excel，学习清单、问题清单、整改清单各一页）",
    openapi_extra=file_operation(XLSX_CONTENT_TYPE, "三清单 .xlsx"),
)
def group_lists_xlsx(request, params: Query[ProblemListsParams]):
    user = request.auth
    lists = _lists(user, params)
    data = problems.lists_xlsx(lists)
    return xlsx_response(
        request,
        f"{_export_name(lists)}.xlsx",
        data,
        obj=lists.group,
        action="export",
        detail={"document": "problem_lists", "year": lists.year},
    )


@router.get(
    "/lists.docx",
    response=ERRORS,
    summary="下载三清单（Word，GB/T 9704 公文格式）",
    openapi_extra=file_operation(DOCX_CONTENT_TYPE, "三清单 .docx"),
)
def group_lists_docx(request, params: Query[ProblemListsParams]):
    user = request.auth
    lists = _lists(user, params)
    data = problems.lists_docx(lists)
    return docx_response(
        request,
        f"{_export_name(lists)}.docx",
        data,
        obj=lists.group,
        action="document",
        detail={"document": "problem_lists", "year": lists.year},
    )


@router.get(
    "/{problem_id}", response={200: ProblemDetailOut, **ERRORS}, summary="问题详情（含整改情况）"
)
def problem_detail(request, problem_id: Id):
    user = request.auth
    return _one(user, scope.get(scope.problems(user), problem_id).pk)
