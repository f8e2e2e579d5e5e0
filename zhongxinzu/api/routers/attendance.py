"""/api/attendance: the roll of each session — taken by the secretary (roll-call) or by the
members themselves with the QR code shown in the room. Members see their own rows; the
group's secretary and leaders and the supervisors above see the group's."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from ninja import Query, Router

from zhongxinzu.api import scope
from zhongxinzu.api.common import ERRORS, body_ref, members_in_year, page
from zhongxinzu.api.errors import FieldDenied, FieldError
from zhongxinzu.api.schemas import (
    AttendanceFilters,
    AttendanceOut,
    AttendancePage,
    Id,
    RateParams,
    RatesOut,
    RollCallIn,
    SignInIn,
)
from zhongxinzu.meetings import selectors, services
from zhongxinzu.meetings.models import Attendance
from zhongxinzu.org import access
from zhongxinzu.rules.services import rulebook_for

router = Router(tags=["考勤"])


def _row(a: Attendance) -> dict:
    return {
        "id": a.pk,
        "session_id": a.session_id,
        "session_title": a.session.title,
        "session_starts_at": a.session.starts_at,
        "group_id": a.session.group_id,
        "person_id": a.person_id,
        "person_name": a.person.name,
        "status": a.status,
        "status_label": a.get_status_display(),
        "reason": a.reason,
        "method": a.method,
        "signed_in_at": a.signed_in_at,
        "is_attendee": a.is_attendee,
    }


def _visible(user):
    return scope.attendance(user).select_related("session", "person")


@router.get("", response={200: AttendancePage, **ERRORS}, summary="出勤记录")
def attendance_list(request, filters: Query[AttendanceFilters]):
    qs = _visible(request.auth)
    if filters.session:
        qs = qs.filter(session_id=filters.session)
    if filters.group:
        qs = qs.filter(session__group_id=filters.group)
    if filters.person:
        qs = qs.filter(person_id=filters.person)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.year:
        start, end = selectors.year_bounds(filters.year)
        qs = qs.filter(session__starts_at__gte=start, session__starts_at__lt=end)
    qs = qs.order_by("-session__starts_at", "session_id", "person__rank_order", "person_id")
    return page(qs, filters, lambda rows: map(_row, rows))


@router.post(
    "/roll-call",
    response={200: AttendancePage, **ERRORS},
    summary="点名：登记当日名册中人员的出勤（学习秘书；缺席和请假自动生成补学任务）",
)
def roll_call(request, payload: RollCallIn):
    """All rows are saved or none. Leave and absence need a reason. Answers with the whole
    roll of the session."""
    user = request.auth
    if not access.principal_of(user).secretary_group_ids():
        raise PermissionDenied("只有学习秘书可以点名")
    session = body_ref(
        scope.sessions(user).select_related("group__unit"),
        payload.session,
        "session",
        "集体学习不存在或不在您的查看范围内",
    )
    if not access.can_record_for_group(user, session.group_id):
        raise FieldDenied("session", "只有本中心组的学习秘书可以点名")
    rows = {r.person: (r.status, r.reason) for r in payload.rows}
    if len(rows) != len(payload.rows):
        raise FieldError("rows", "同一人员只能出现一次")
    services.attendance_save(actor=user, session=session, rows=rows)
    roll = Attendance.objects.filter(session=session).select_related("session", "person")
    items = [_row(a) for a in roll.order_by("person__rank_order", "person_id")]
    return {"items": items, "count": len(items)}


@router.post(
    "/sign-in",
    response={200: AttendanceOut, **ERRORS},
    summary="扫码签到：提交现场二维码中的令牌（本人，仅在签到时间内）",
)
def sign_in(request, payload: SignInIn):
    """A code from an earlier slot (a screenshot) or from another session fails."""
    user = request.auth
    if not access.principal_of(user).group_roles:
        raise PermissionDenied("只有中心组成员可以签到")
    try:
        session_id = services.sign_in_token_check(payload.token)
    except ValidationError as e:
        raise FieldError("token", e.messages[0]) from None
    session = scope.get(scope.sessions(user), session_id)
    attendance = services.attendance_sign_in(actor=user, session=session)
    return _row(_visible(user).get(pk=attendance.pk))


@router.get(
    "/rates",
    response={200: RatesOut, **ERRORS},
    summary="年度出勤率和成员参学率（成员只看到本人）",
)
def attendance_rates(request, params: Query[RateParams]):
    """Over the held and recorded sessions of the year; people who sit in (列席) count in
    no rate, leave counts as not attended."""
    user = request.auth
    p = access.principal_of(user)
    if params.group:
        group = scope.get_group(user, params.group)
    elif p.group_roles:
        group = scope.get_group(user, next(iter(p.group_roles)))
    else:
        raise FieldError("group", "请指定中心组")
    year = params.year or timezone.localdate().year
    rates = selectors.member_participation(group_ids=[group.pk], year=year).get(group.pk, {})
    members = [m for m in members_in_year(group, year) if m.role in selectors.CORE_ROLES]
    if not scope.is_group_staff(user, group):
        members = [m for m in members if m.person_id == p.person_id]
    required = int(rulebook_for(group.unit, year)["participation_rate"])
    rows = []
    for m in members[params.offset : params.offset + params.limit]:
        rate = rates.get(m.person_id, selectors.Rate())
        rows.append(
            {
                "person_id": m.person_id,
                "person_name": m.person.name,
                "role_label": m.get_role_display(),
                **_rate(rate),
                "meets": rate.meets(required),
            }
        )
    total = selectors.group_attendance_rates(group_ids=[group.pk], year=year).get(group.pk)
    return {
        "group_id": group.pk,
        "year": year,
        "rate": _rate(total or selectors.Rate()),
        "required": required,
        "items": rows,
        "count": len(members),
    }


def _rate(rate) -> dict:
    return {"attended": rate.attended, "expected": rate.expected, "percent": rate.percent}


# After the fixed paths: a path parameter matches any segment (its type is checked after
# routing), so "/roll-call" and "/sign-in" must be declared first.
@router.get("/{attendance_id}", response={200: AttendanceOut, **ERRORS}, summary="出勤记录详情")
def attendance_detail(request, attendance_id: Id):
    return _row(scope.get(_visible(request.auth), attendance_id))
