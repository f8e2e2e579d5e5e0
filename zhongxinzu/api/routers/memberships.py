"""/api/memberships: who sits in which group, in which role, from when to when."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from ninja import Query, Router, Status

from zhongxinzu.api import scope
from zhongxinzu.api.common import ERRORS, body_ref, changed_fields, page
from zhongxinzu.api.errors import FieldDenied
from zhongxinzu.api.schemas import (
    Id,
    MembershipCreateIn,
    MembershipFilters,
    MembershipOut,
    MembershipPage,
    MembershipUpdateIn,
)
from zhongxinzu.org import access, services
from zhongxinzu.org.models import Membership

router = Router(tags=["中心组成员"])


def _row(m: Membership) -> dict:
    return {
        "id": m.pk,
        "group_id": m.group_id,
        "person_id": m.person_id,
        "person_name": m.person.name,
        "role": m.role,
        "role_label": m.get_role_display(),
        "start_date": m.start_date,
        "end_date": m.end_date,
        "note": m.note,
        "version": m.version,
    }


def _one(pk: int) -> dict:
    return _row(Membership.objects.select_related("person").get(pk=pk))


@router.get("", response={200: MembershipPage, **ERRORS}, summary="中心组成员列表")
def membership_list(request, filters: Query[MembershipFilters]):
    qs = scope.memberships(request.auth).select_related("person")
    if filters.group:
        qs = qs.filter(group_id=filters.group)
    if filters.person:
        qs = qs.filter(person_id=filters.person)
    if filters.role:
        qs = qs.filter(role=filters.role)
    if filters.on:
        qs = qs.filter(start_date__lte=filters.on).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=filters.on)
        )
    qs = qs.order_by("group_id", "role_rank", "person__rank_order", "id")
    return page(qs, filters, lambda rows: map(_row, rows))


@router.get("/{membership_id}", response={200: MembershipOut, **ERRORS}, summary="中心组成员详情")
def membership_detail(request, membership_id: Id):
    return _row(scope.get_membership(request.auth, membership_id))


@router.post("", response={201: MembershipOut, **ERRORS}, summary="将本单位人员加入中心组")
def membership_create(request, payload: MembershipCreateIn):
    user = request.auth
    if not scope.can_manage_groups(user):
        raise PermissionDenied("您无权维护中心组名册")
    group = body_ref(
        scope.groups(user).select_related("unit"),
        payload.group,
        "group",
        "中心组不存在或不在您的查看范围内",
    )
    if not access.can_manage_group(user, group):
        raise FieldDenied("group", "无权修改该中心组名册")
    person = body_ref(
        scope.people(user).filter(unit_id=group.unit_id),
        payload.person,
        "person",
        "只能添加本单位的人员",
    )
    m = services.membership_create(
        actor=user,
        group=group,
        person=person,
        role=payload.role,
        start_date=payload.start_date,
        end_date=payload.end_date,
        note=payload.note,
    )
    return Status(201, _one(m.pk))


@router.patch(
    "/{membership_id}",
    response={200: MembershipOut, **ERRORS},
    summary="修改中心组成员（角色、起止日期、备注）",
)
def membership_update(request, membership_id: Id, payload: MembershipUpdateIn):
    m = scope.get_membership(request.auth, membership_id, write=True)
    data = changed_fields(payload)
    version = data.pop("version")
    services.membership_update(actor=request.auth, membership=m, expected_version=version, **data)
    return _one(m.pk)
