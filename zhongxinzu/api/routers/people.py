"""/api/people: people of the units in scope; phones masked outside the caller's unit."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from ninja import Query, Router, Status

from zhongxinzu.api import scope
from zhongxinzu.api.common import ERRORS, body_ref, changed_fields, page
from zhongxinzu.api.schemas import (
    Id,
    PersonCreateIn,
    PersonFilters,
    PersonOut,
    PersonPage,
    PersonUpdateIn,
)
from zhongxinzu.org import access, services
from zhongxinzu.org.models import Person

router = Router(tags=["人员"])


def _row(user, p: Person) -> dict:
    phone = p.phone if access.can_see_full_phone(user, p) else p.masked_phone
    return {
        "id": p.pk,
        "unit_id": p.unit_id,
        "unit_name": p.unit.name,
        "name": p.name,
        "gender": p.gender,
        "post": p.post,
        "post_category": p.post_category,
        "rank_order": p.rank_order,
        "phone": phone,
        "is_active": p.is_active,
        "version": p.version,
    }


def _one(user, pk: int) -> dict:
    return _row(user, Person.objects.select_related("unit").get(pk=pk))


@router.get("", response={200: PersonPage, **ERRORS}, summary="人员列表")
def person_list(request, filters: Query[PersonFilters]):
    user = request.auth
    qs = scope.people(user).select_related("unit")
    if filters.q:
        qs = qs.filter(Q(name__contains=filters.q) | Q(post__contains=filters.q))
    if filters.unit:
        qs = qs.filter(unit_id=filters.unit)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    qs = qs.order_by("unit__path", "rank_order", "id")
    return page(qs, filters, lambda people: (_row(user, p) for p in people))


@router.get("/{person_id}", response={200: PersonOut, **ERRORS}, summary="人员详情")
def person_detail(request, person_id: Id):
    return _row(request.auth, scope.get_person(request.auth, person_id))


@router.post("", response={201: PersonOut, **ERRORS}, summary="新增人员")
def person_create(request, payload: PersonCreateIn):
    user = request.auth
    units = access.writable_units_for_people(user).filter(is_active=True)
    if not units.exists():
        raise PermissionDenied("您无权添加人员")
    unit = body_ref(units, payload.unit, "unit", "所选单位不存在、已停用或不在您的管理范围内")
    data = payload.model_dump(exclude={"unit"})
    person = services.person_create(actor=user, unit=unit, **data)
    return Status(201, _one(user, person.pk))


@router.patch("/{person_id}", response={200: PersonOut, **ERRORS}, summary="修改或停用人员")
def person_update(request, person_id: Id, payload: PersonUpdateIn):
    user = request.auth
    person = scope.get_person(user, person_id, write=True)
    data = changed_fields(payload)
    version = data.pop("version")
    # Deactivating also ends the person's open memberships, so it has its own service.
    deactivate = data.get("is_active") is False
    if deactivate:
        del data["is_active"]
    with transaction.atomic():
        person = services.person_update(actor=user, person=person, expected_version=version, **data)
        if deactivate and person.is_active:
            services.person_deactivate(actor=user, person=person)
    return _one(user, person.pk)
