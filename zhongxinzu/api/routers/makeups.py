"""/api/makeups: make-up study (补学) owed for every absence or leave, due by the rules'
period; the member hands in evidence, the secretary confirms it or returns it."""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper
from ninja import Query, Router

from zhongxinzu.api import scope
from zhongxinzu.api.common import ERRORS, page
from zhongxinzu.api.schemas import (
    Id,
    MakeUpFilters,
    MakeUpOut,
    MakeUpPage,
    MakeUpReviewIn,
    MakeUpSubmitIn,
)
from zhongxinzu.meetings import selectors, services
from zhongxinzu.meetings.models import MakeUp
from zhongxinzu.org import access

router = Router(tags=["补学"])


def _row(m: MakeUp) -> dict:
    a = m.attendance
    return {
        "id": m.pk,
        "attendance_id": a.pk,
        "session_id": a.session_id,
        "session_title": a.session.title,
        "session_starts_at": a.session.starts_at,
        "group_id": a.session.group_id,
        "person_id": a.person_id,
        "person_name": a.person.name,
        "absence": a.get_status_display(),
        "due_date": m.due_date,
        "status": m.status,
        "status_label": m.get_status_display(),
        "overdue": m.overdue,
        "evidence_text": m.evidence_text,
        "has_file": bool(m.evidence_file),
        "submitted_at": m.submitted_at,
        "confirmed_at": m.confirmed_at,
        "return_note": m.return_note,
    }


def _visible(user):
    overdue = ExpressionWrapper(selectors.makeup_overdue_q(), output_field=BooleanField())
    return (
        scope.makeups(user)
        .select_related("attendance__session", "attendance__person")
        .annotate(overdue=overdue)
    )


def _one(user, pk: int) -> dict:
    return _row(_visible(user).get(pk=pk))


@router.get("", response={200: MakeUpPage, **ERRORS}, summary="补学任务列表")
def makeup_list(request, filters: Query[MakeUpFilters]):
    qs = _visible(request.auth)
    if filters.status == "overdue":
        qs = qs.filter(selectors.makeup_overdue_q())
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.group:
        qs = qs.filter(attendance__session__group_id=filters.group)
    if filters.person:
        qs = qs.filter(attendance__person_id=filters.person)
    if filters.session:
        qs = qs.filter(attendance__session_id=filters.session)
    return page(qs.order_by("status", "due_date", "pk"), filters, lambda rows: map(_row, rows))


@router.get("/{makeup_id}", response={200: MakeUpOut, **ERRORS}, summary="补学任务详情")
def makeup_detail(request, makeup_id: Id):
    return _row(scope.get(_visible(request.auth), makeup_id))


@router.post(
    "/{makeup_id}/submit",
    response={200: MakeUpOut, **ERRORS},
    summary="提交补学心得或笔记（本人；文件请在网页上传）",
)
def makeup_submit(request, makeup_id: Id, payload: MakeUpSubmitIn):
    user = request.auth
    person_id = access.principal_of(user).person_id
    makeup = scope.get(
        _visible(user),
        makeup_id,
        writable=lambda m: person_id is not None and m.attendance.person_id == person_id,
        message="只有本人可以提交补学材料",
    )
    services.makeup_submit(actor=user, makeup=makeup, text=payload.text)
    return _one(user, makeup.pk)


@router.post(
    "/{makeup_id}/review",
    response={200: MakeUpOut, **ERRORS},
    summary="确认补学完成或退回（学习秘书；退回须填写意见）",
)
def makeup_review(request, makeup_id: Id, payload: MakeUpReviewIn):
    user = request.auth
    makeup = scope.get(
        _visible(user),
        makeup_id,
        writable=lambda m: access.can_record_for_group(user, m.attendance.session.group_id),
        message="只有本中心组的学习秘书可以确认补学",
    )
    if payload.action == "confirm":
        services.makeup_confirm(actor=user, makeup=makeup)
    else:
        services.makeup_return(actor=user, makeup=makeup, note=payload.note)
    return _one(user, makeup.pk)
