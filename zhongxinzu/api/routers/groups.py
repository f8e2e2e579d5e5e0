"""/api/groups: the theoretical study group of each unit."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from ninja import Query, Router, Status

from zhongxinzu.api import scope
from zhongxinzu.api.common import ERRORS, body_ref, page
from zhongxinzu.api.errors import FieldDenied, FieldError
from zhongxinzu.api.schemas import (
    GroupCreateIn,
    GroupFilters,
    GroupOut,
    GroupPage,
    GroupUpdateIn,
    Id,
)
from zhongxinzu.org import access, services
from zhongxinzu.org.models import StudyGroup

router = Router(tags=["理论学习中心组"])


def _with_counts(qs):
    today = timezone.localdate()
    members = (
        access.active_memberships(on=today)
        .filter(group=OuterRef("pk"))
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.select_related("unit").annotate(
        member_count=Coalesce(Subquery(members, output_field=IntegerField()), Value(0))
    )


def _row(g: StudyGroup) -> dict:
    return {
        "id": g.pk,
        "unit_id": g.unit_id,
        "unit_name": g.unit.name,
        "name": g.name,
        "is_active": g.is_active,
        "member_count": g.member_count,
        "version": g.version,
    }


def _one(pk: int) -> dict:
    return _row(_with_counts(StudyGroup.objects).get(pk=pk))


@router.get("", response={200: GroupPage, **ERRORS}, summary="中心组列表")
def group_list(request, filters: Query[GroupFilters]):
    qs = _with_counts(scope.groups(request.auth))
    if filters.unit:
        qs = qs.filter(unit_id=filters.unit)
    if filters.q:
        qs = qs.filter(name__contains=filters.q)
    return page(qs.order_by("unit__path"), filters, lambda groups: map(_row, groups))


@router.get("/{group_id}", response={200: GroupOut, **ERRORS}, summary="中心组详情")
def group_detail(request, group_id: Id):
    return _one(scope.get_group(request.auth, group_id).pk)


@router.post("", response={201: GroupOut, **ERRORS}, summary="为尚无中心组的单位建立中心组")
def group_create(request, payload: GroupCreateIn):
    user = request.auth
    if not scope.can_create_units(user):
        raise PermissionDenied("您无权建立中心组")
    unit = body_ref(scope.units(user), payload.unit, "unit", "单位不存在或不在您的查看范围内")
    if not scope.can_write_unit(user, unit):
        raise FieldDenied("unit", "无权为该单位建立中心组")
    with transaction.atomic():
        if StudyGroup.objects.filter(unit=unit).exists():
            raise FieldError("unit", "该单位已有理论学习中心组")
        group = services.group_create(actor=user, unit=unit, name=payload.name)
    return Status(201, _one(group.pk))


@router.patch("/{group_id}", response={200: GroupOut, **ERRORS}, summary="修改中心组名称")
def group_update(request, group_id: Id, payload: GroupUpdateIn):
    group = scope.get_group(request.auth, group_id, write=True)
    services.group_update(
        actor=request.auth, group=group, name=payload.name, expected_version=payload.version
    )
    return _one(group.pk)
