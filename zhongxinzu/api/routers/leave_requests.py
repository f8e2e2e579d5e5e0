"""/api/leave-requests: a member asks the group's leader for leave from a session; asked
after the start it is flagged 事后请假. Approval marks the attendance 请假 and owes a
make-up study."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from ninja import Query, Router, Status

from zhongxinzu.api import scope
from zhongxinzu.api.common import ERRORS, body_ref, page, person_name
from zhongxinzu.api.errors import FieldDenied
from zhongxinzu.api.schemas import (
    Id,
    LeaveCreateIn,
    LeaveDecideIn,
    LeaveFilters,
    LeaveOut,
    LeavePage,
)
from zhongxinzu.meetings import selectors, services
from zhongxinzu.meetings.models import LeaveRequest
from zhongxinzu.org import access

router = Router(tags=["请假"])


def _row(lr: LeaveRequest) -> dict:
    return {
        "id": lr.pk,
        "session_id": lr.session_id,
        "session_title": lr.session.title,
        "session_starts_at": lr.session.starts_at,
        "group_id": lr.session.group_id,
        "person_id": lr.person_id,
        "person_name": lr.person.name,
        "reason": lr.reason,
        "status": lr.status,
        "status_label": lr.get_status_display(),
        "requested_at": lr.requested_at,
        "is_late": lr.is_late,
        "decided_by": person_name(lr.decided_by),
        "decided_at": lr.decided_at,
        "decision_note": lr.decision_note,
    }


def _visible(user):
    return scope.leave_requests(user).select_related("session__group__unit", "person", "decided_by")


def _one(user, pk: int) -> dict:
    return _row(_visible(user).get(pk=pk))


@router.get("", response={200: LeavePage, **ERRORS}, summary="请假申请列表")
def leave_list(request, filters: Query[LeaveFilters]):
    qs = _visible(request.auth)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.session:
        qs = qs.filter(session_id=filters.session)
    if filters.group:
        qs = qs.filter(session__group_id=filters.group)
    if filters.person:
        qs = qs.filter(person_id=filters.person)
    return page(qs.order_by("-requested_at", "-id"), filters, lambda rows: map(_row, rows))


@router.get("/{leave_id}", response={200: LeaveOut, **ERRORS}, summary="请假申请详情")
def leave_detail(request, leave_id: Id):
    return _row(scope.get(_visible(request.auth), leave_id))


@router.post("", response={201: LeaveOut, **ERRORS}, summary="请假（本人，向组长提出）")
def leave_create(request, payload: LeaveCreateIn):
    user = request.auth
    p = access.principal_of(user)
    if not (p.group_roles and p.person_id):
        raise PermissionDenied("只有中心组成员可以请假")
    session = body_ref(
        scope.sessions(user).select_related("group__unit"),
        payload.session,
        "session",
        "集体学习不存在或不在您的查看范围内",
    )
    if not selectors.on_roster(session, p.person_id):
        raise FieldDenied("session", "您不在本次学习的参学名单中，无需请假")
    leave = services.leave_create(
        actor=user, session=session, person=user.person, reason=payload.reason
    )
    return Status(201, _one(user, leave.pk))


@router.post(
    "/{leave_id}/decide",
    response={200: LeaveOut, **ERRORS},
    summary="审批请假：批准或不批准（组长；不批准须填写意见）",
)
def leave_decide(request, leave_id: Id, payload: LeaveDecideIn):
    user = request.auth
    leave = scope.get(
        _visible(user),
        leave_id,
        writable=lambda lr: access.can_lead_group(user, lr.session.group_id),
        message="只有本中心组的组长（副组长）可以审批请假",
    )
    if payload.decision == "approve":
        services.leave_approve(actor=user, leave=leave, note=payload.note)
    else:
        services.leave_refuse(actor=user, leave=leave, note=payload.note)
    return _one(user, leave.pk)
