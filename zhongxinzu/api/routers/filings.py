"""/api/filings: 材料报送 — filing tasks a supervisor sets for its subtree (annual materials by a
date, 一学一报 within N working days of each session), the rows each group owes with their
state (on time / late / missing / returned / not yet due), submitting (the documents are
generated from the records) and returning with a reason. Scoped as the pages are
(filings.access)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from zhongxinzu.api.common import ERRORS, page
from zhongxinzu.api.schemas import Id, In, PageParams, Text, Version, Year
from zhongxinzu.filings import access as filing_access
from zhongxinzu.filings import selectors, services
from zhongxinzu.filings.models import FilingTask, Submission
from zhongxinzu.org import access

router = Router(tags=["材料报送"])

State = Literal["on_time", "late", "missing", "returned", "pending"]


class TaskFilters(PageParams):
    year: Year = None
    kind: Literal["annual", "session"] = None


class TaskCreateIn(In):
    owner_unit: Id = Field(description="布置单位（本人督导的单位）")
    year: Year
    kind: Literal["annual", "session"] = Field(description="annual 年度学习材料；session 一学一报")
    title: Text(200)
    due_on: dt.date | None = Field(None, description="截止日期（年度学习材料）")
    working_days: int | None = Field(
        None, ge=0, le=365, description="学习后几个工作日内报送（一学一报）"
    )
    notes: Text(2000) = ""


class Counts(Schema):
    total: int
    on_time: int
    late: int
    missing: int
    returned: int
    pending: int


class TaskOut(Schema):
    id: int
    owner_unit_id: int
    owner_unit_name: str
    year: int
    kind: str
    kind_label: str
    title: str
    due_on: dt.date | None
    working_days: int | None
    deadline_text: str
    notes: str
    version: int


class TaskPage(Schema):
    items: list[TaskOut]
    count: int


class SubmissionFilters(PageParams):
    state: State = None
    q: Text(50) = Field(None, description="中心组名称包含")


class DocumentOut(Schema):
    id: int
    kind: str
    year: int
    name: str
    size: int


class SubmissionOut(Schema):
    id: int
    task_id: int
    group_id: int
    group_name: str
    session_id: int | None
    session_title: str | None
    due_on: dt.date
    status: str
    status_label: str
    state: str
    state_label: str
    revision: int
    submitted_at: dt.datetime | None
    return_reason: str
    documents: list[DocumentOut] = Field(description="最新一版的材料")
    version: int


class SubmissionPage(Schema):
    items: list[SubmissionOut]
    count: int
    counts: Counts = Field(description="按报送情况统计（与筛选前的列表一致）")


class ReturnIn(In):
    version: Version
    reason: Text(500) = Field(description="退回理由")


class VersionOnlyIn(In):
    version: Version


def _task(t: FilingTask) -> dict:
    return {
        "id": t.pk,
        "owner_unit_id": t.owner_unit_id,
        "owner_unit_name": t.owner_unit.name,
        "year": t.year,
        "kind": t.kind,
        "kind_label": t.get_kind_display(),
        "title": t.title,
        "due_on": t.due_on,
        "working_days": t.working_days,
        "deadline_text": t.deadline_text,
        "notes": t.notes,
        "version": t.version,
    }


def _documents(subs: list[Submission]) -> dict[int, list[dict]]:
    from zhongxinzu.filings.models import SubmissionDocument

    latest = {s.pk: s.revision for s in subs if s.revision}
    out: dict[int, list[dict]] = {pk: [] for pk in latest}
    if latest:
        for d in SubmissionDocument.objects.filter(version__submission_id__in=list(latest)).values(
            "pk", "kind", "year", "name", "size", "version__submission_id", "version__revision"
        ):
            sid = d["version__submission_id"]
            if d["version__revision"] == latest[sid]:
                out[sid].append(
                    {k: d[k if k != "id" else "pk"] for k in ("id", "kind", "year", "name", "size")}
                )
    return out


def _submissions(subs: list[Submission]) -> list[dict]:
    docs = _documents(subs)
    return [
        {
            "id": s.pk,
            "task_id": s.task_id,
            "group_id": s.group_id,
            "group_name": s.group.name,
            "session_id": s.session_id,
            "session_title": s.session.title if s.session_id else None,
            "due_on": s.due_on,
            "status": s.status,
            "status_label": s.get_status_display(),
            "state": s.state,
            "state_label": selectors.STATE_LABELS[s.state],
            "revision": s.revision,
            "submitted_at": s.submitted_at,
            "return_reason": s.return_reason,
            "documents": docs.get(s.pk, []),
            "version": s.version,
        }
        for s in subs
    ]


def _one(user, pk: int) -> dict:
    qs = selectors.with_state(
        filing_access.submissions_visible(user).filter(pk=pk), timezone.localdate()
    ).select_related("group", "session")
    return _submissions(list(qs))[0]


@router.get("/tasks", response={200: TaskPage, **ERRORS}, summary="报送任务列表")
def task_list(request, filters: Query[TaskFilters]):
    """Tasks the caller set (within the subtrees they supervise), tasks of the units above
    them, and for a group's secretary or leader the tasks of the units above the group."""
    qs = filing_access.tasks_visible(request.auth).select_related("owner_unit")
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return page(qs.order_by("-year", "kind", "-id"), filters, lambda rows: map(_task, rows))


@router.post("/tasks", response={201: TaskOut, **ERRORS}, summary="布置报送任务（督导）")
def task_create(request, payload: TaskCreateIn):
    user = request.auth
    p = access.principal_of(user)
    if not p.is_supervisor:
        raise PermissionDenied("只有督导可以布置报送任务")
    unit = next((u for u in p.supervised if u.pk == payload.owner_unit), None)
    if unit is None:  # within the subtree, not only the granted unit itself
        unit = access.scoped_units(user).filter(pk=payload.owner_unit).first()
    task = services.task_create(
        actor=user, owner_unit=unit, **payload.model_dump(exclude={"owner_unit"})
    )
    task = FilingTask.objects.select_related("owner_unit").get(pk=task.pk)
    return Status(201, _task(task))


@router.get(
    "/tasks/{task_id}/submissions",
    response={200: SubmissionPage, **ERRORS},
    summary="报送任务的报送情况",
)
def submission_list(request, task_id: Id, filters: Query[SubmissionFilters]):
    """Every row the groups (within the caller's scope) owe under the task, with its state;
    `counts` are those rows by state, before the `state` filter (so each count equals the
    rows that filter gives)."""
    user = request.auth
    task = filing_access.get_task_for(user, task_id)
    today = timezone.localdate()
    qs = selectors.with_state(filing_access.submissions_visible(user).filter(task=task), today)
    if filters.q:
        qs = qs.filter(group__name__contains=filters.q)
    counts = selectors.state_counts(qs, today)
    if filters.state:
        qs = qs.filter(state=filters.state)
    qs = qs.select_related("group", "session").order_by("due_on", "group__unit__path", "pk")
    result = page(qs, filters, _submissions)
    return {**result, "counts": counts}


@router.post(
    "/submissions/{submission_id}/submit",
    response={200: SubmissionOut, **ERRORS},
    summary="报送（学习秘书；材料由记录生成）",
)
def submission_submit(request, submission_id: Id, payload: VersionOnlyIn):
    user = request.auth
    sub = filing_access.get_submission_for(user, submission_id, action="submit")
    services.submission_submit(actor=user, submission=sub, expected_version=payload.version)
    return _one(user, sub.pk)


@router.post(
    "/submissions/{submission_id}/return",
    response={200: SubmissionOut, **ERRORS},
    summary="退回报送（督导，须写明理由）",
)
def submission_return(request, submission_id: Id, payload: ReturnIn):
    user = request.auth
    sub = filing_access.get_submission_for(user, submission_id, action="review")
    services.submission_return(
        actor=user, submission=sub, reason=payload.reason, expected_version=payload.version
    )
    return _one(user, sub.pk)


@router.post(
    "/submissions/{submission_id}/accept",
    response={200: SubmissionOut, **ERRORS},
    summary="接收报送（督导）",
)
def submission_accept(request, submission_id: Id, payload: VersionOnlyIn):
    user = request.auth
    sub = filing_access.get_submission_for(user, submission_id, action="review")
    services.submission_accept(actor=user, submission=sub, expected_version=payload.version)
    return _one(user, sub.pk)
