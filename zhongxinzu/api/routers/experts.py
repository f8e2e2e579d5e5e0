"""/api/experts: a supervising unit's expert pool (专家库), managed by its supervisors and
those above; the people on the roster of a unit in scope, or outside experts."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from ninja import Query, Router, Status

from zhongxinzu.api import scope
from zhongxinzu.api.common import ERRORS, body_ref, changed_fields, page
from zhongxinzu.api.errors import FieldError
from zhongxinzu.api.schemas import Id
from zhongxinzu.api.visit_schemas import (
    ExpertCreateIn,
    ExpertFilters,
    ExpertOut,
    ExpertPage,
    ExpertUpdateIn,
)
from zhongxinzu.org import access
from zhongxinzu.supervision import services
from zhongxinzu.supervision.models import Expert

router = Router(tags=["专家库"])

SUPERVISORS_ONLY = "只有督导可以管理专家库"
TEXT_FIELDS = ("name", "field", "title", "employer", "availability")


def _visible(user):
    return scope.experts(user).select_related("owner_unit", "home_unit", "user")


def _row(e: Expert) -> dict:
    return {
        "id": e.pk,
        "owner_unit_id": e.owner_unit_id,
        "owner_unit_name": e.owner_unit.name,
        "person_id": e.person_id,
        "username": e.user.username if e.user_id else "",
        "name": e.name,
        "field": e.field,
        "title": e.title,
        "employer": e.employer,
        "home_unit_id": e.home_unit_id,
        "home_unit_name": e.home_unit.name if e.home_unit_id else "",
        "availability": e.availability,
        "is_active": e.is_active,
        "version": e.version,
    }


def _one(user, pk: int) -> dict:
    return _row(_visible(user).get(pk=pk))


def owner_unit_ref(user, pk: int | None):
    """A unit the caller supervises, named by the body's `owner_unit`."""
    if pk is None:
        raise FieldError("owner_unit", "请选择督导单位")
    return body_ref(
        scope.supervised_units(user), pk, "owner_unit", "单位不存在或不在您的督导范围内"
    )


def require_supervisor(user, message: str) -> None:
    if not access.principal_of(user).is_supervisor:
        raise PermissionDenied(message)


def _person(user, pk: int | None):
    if pk is None:
        return None
    return body_ref(scope.people(user), pk, "person", "人员不存在或不在您的查看范围内")


def _home_unit(user, pk: int | None):
    if pk is None:
        return None
    return body_ref(scope.units(user), pk, "home_unit", "单位不存在或不在您的查看范围内")


@router.get("", response={200: ExpertPage, **ERRORS}, summary="专家库列表（督导）")
def expert_list(request, filters: Query[ExpertFilters]):
    qs = _visible(request.auth)
    if filters.q:
        q = filters.q
        qs = qs.filter(Q(name__contains=q) | Q(field__contains=q) | Q(employer__contains=q))
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    if filters.owner_unit:
        qs = qs.filter(owner_unit_id=filters.owner_unit)
    qs = qs.order_by("owner_unit__path", "name", "pk")
    return page(qs, filters, lambda rows: map(_row, rows))


@router.get("/{expert_id}", response={200: ExpertOut, **ERRORS}, summary="专家详情")
def expert_detail(request, expert_id: Id):
    return _row(scope.get(_visible(request.auth), expert_id))


@router.post("", response={201: ExpertOut, **ERRORS}, summary="专家入库（督导）")
def expert_create(request, payload: ExpertCreateIn):
    user = request.auth
    require_supervisor(user, SUPERVISORS_ONLY)
    expert = services.expert_create(
        actor=user,
        owner_unit=owner_unit_ref(user, payload.owner_unit),
        person=_person(user, payload.person),
        home_unit=_home_unit(user, payload.home_unit),
        username=payload.username,
        **{f: getattr(payload, f) for f in TEXT_FIELDS},
    )
    return Status(201, _one(user, expert.pk))


@router.patch(
    "/{expert_id}",
    response={200: ExpertOut, **ERRORS},
    summary="修改专家信息；is_active 为 false 即出库，为 true 即恢复入库",
)
def expert_update(request, expert_id: Id, payload: ExpertUpdateIn):
    user = request.auth
    expert = scope.get(_visible(user).select_related("person"), expert_id)
    data = changed_fields(payload)
    version = data.pop("version")
    active = data.pop("is_active", None)
    with transaction.atomic():
        # Taking an expert out of the pool alone is its own audited action, as on the page.
        if data or active is None:
            services.expert_update(
                actor=user,
                expert=expert,
                expected_version=version,
                owner_unit=owner_unit_ref(user, data["owner_unit"])
                if "owner_unit" in data
                else expert.owner_unit,
                person=_person(user, data["person"]) if "person" in data else expert.person,
                home_unit=_home_unit(user, data["home_unit"])
                if "home_unit" in data
                else expert.home_unit,
                username=data.get("username", expert.user.username if expert.user_id else ""),
                **{f: data.get(f, getattr(expert, f)) for f in TEXT_FIELDS},
            )
            version = None
        if active is not None:
            services.expert_set_active(
                actor=user, expert=expert, active=active, expected_version=version
            )
    return _one(user, expert.pk)
