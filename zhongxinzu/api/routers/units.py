"""/api/units: the org tree within the caller's scope."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from ninja import Query, Router, Status

from zhongxinzu.api import scope
from zhongxinzu.api.common import ERRORS, body_ref, changed_fields, page
from zhongxinzu.api.errors import FieldDenied, FieldError
from zhongxinzu.api.schemas import Id, UnitCreateIn, UnitFilters, UnitOut, UnitPage, UnitUpdateIn
from zhongxinzu.org import access, services
from zhongxinzu.org.models import Unit

router = Router(tags=["单位"])


def _parent_path(unit: Unit) -> str:
    return unit.path[: -Unit.steplen]


def _rows(user, units: list[Unit]) -> list[dict]:
    # Parents in one query; a parent outside the caller's scope shows as null.
    paths = {_parent_path(u) for u in units if u.depth > 1}
    parents = (
        dict(scope.units(user).filter(path__in=paths).values_list("path", "pk")) if paths else {}
    )
    return [
        {
            "id": u.pk,
            "name": u.name,
            "code": u.code,
            "kind": u.kind,
            "order": u.order,
            "is_active": u.is_active,
            "depth": u.depth,
            "version": u.version,
            "parent_id": parents.get(_parent_path(u)),
            "group_id": u.group_pk,
        }
        for u in units
    ]


def _with_group(qs):
    return qs.annotate(group_pk=F("group__id"))


def _one(user, pk: int) -> dict:
    return _rows(user, [_with_group(Unit.objects).get(pk=pk)])[0]


@router.get("", response={200: UnitPage, **ERRORS}, summary="单位列表")
def unit_list(request, filters: Query[UnitFilters]):
    user = request.auth
    qs = _with_group(scope.units(user))
    if filters.q:
        qs = qs.filter(Q(name__contains=filters.q) | Q(code__iexact=filters.q))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    if filters.parent:
        parent = Unit.objects.filter(pk=filters.parent).first()
        qs = qs.filter(access.subtree_q([parent]), depth=parent.depth + 1) if parent else qs.none()
    return page(qs.order_by("path"), filters, lambda units: _rows(user, units))


@router.get("/{unit_id}", response={200: UnitOut, **ERRORS}, summary="单位详情")
def unit_detail(request, unit_id: Id):
    unit = scope.get_unit(request.auth, unit_id)
    return _one(request.auth, unit.pk)


@router.post("", response={201: UnitOut, **ERRORS}, summary="新建下级单位（同时建立其中心组）")
def unit_create(request, payload: UnitCreateIn):
    user = request.auth
    if not scope.can_create_units(user):
        raise PermissionDenied("您无权创建单位")
    parent = body_ref(
        scope.units(user), payload.parent, "parent", "上级单位不存在或不在您的查看范围内"
    )
    if not scope.can_write_unit(user, parent):
        raise FieldDenied("parent", "无权在该单位下创建下级单位")
    unit = services.unit_create(
        actor=user,
        parent=parent,
        name=payload.name,
        code=payload.code,
        kind=payload.kind,
        order=payload.order,
    )
    return Status(201, _one(user, unit.pk))


@router.patch("/{unit_id}", response={200: UnitOut, **ERRORS}, summary="修改、移动或停用单位")
def unit_update(request, unit_id: Id, payload: UnitUpdateIn):
    user = request.auth
    unit = scope.get_unit(user, unit_id, write=True)
    data = changed_fields(payload)
    version = data.pop("version")
    active = data.pop("is_active", None)
    parent_id = data.pop("parent", None)
    with transaction.atomic():
        services.unit_update(actor=user, unit=unit, expected_version=version, **data)
        if parent_id is not None:
            _move(user, Unit.objects.get(pk=unit.pk), parent_id)
        if active is not None:
            _set_active(user, Unit.objects.get(pk=unit.pk), active)
    return _one(user, unit.pk)


def _move(user, unit: Unit, parent_id: int) -> None:
    target = scope.units(user).filter(pk=parent_id).first()
    if target is None or not scope.can_write_unit(user, target):
        raise FieldError("parent", "未找到该上级单位，或该单位不在您的管理范围内")
    if target.path == _parent_path(unit):
        return
    if any(unit.pk == root.pk for root in access.principal_of(user).supervised):
        raise FieldDenied("parent", "不能移动本人督导范围的顶级单位")
    try:
        services.unit_move(actor=user, unit=unit, new_parent=target)
    except ValidationError as e:
        raise FieldError("parent", "；".join(e.messages)) from e


def _set_active(user, unit: Unit, active: bool) -> None:
    if unit.is_active == active:
        return
    try:
        services.unit_set_active(actor=user, unit=unit, active=active)
    except ValidationError as e:
        raise FieldError("is_active", "；".join(e.messages)) from e
