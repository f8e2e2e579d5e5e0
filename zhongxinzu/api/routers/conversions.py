"""/api/conversions: what an output turned into (成果转化) — a policy document with its
title, number and date, a work measure, or a solved problem."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from ninja import Query, Router, Status

from zhongxinzu.api import scope
from zhongxinzu.api.common import ERRORS, body_ref, page
from zhongxinzu.api.errors import FieldDenied
from zhongxinzu.api.schemas import (
    ConversionCreateIn,
    ConversionFilters,
    ConversionOut,
    ConversionPage,
    Id,
)
from zhongxinzu.org import access
from zhongxinzu.outputs import services
from zhongxinzu.outputs.models import Conversion

router = Router(tags=["成果转化"])

SECRETARY_ONLY = "只有本中心组的学习秘书可以登记成果转化"


def _row(c: Conversion) -> dict:
    return {
        "id": c.pk,
        "output_id": c.output_id,
        "output_title": c.output.title,
        "group_id": c.output.group_id,
        "kind": c.kind,
        "kind_label": c.get_kind_display(),
        "title": c.title,
        "doc_number": c.doc_number,
        "issued_on": c.issued_on,
        "description": c.description,
    }


def _get(user, pk: int, *, write: bool = False) -> Conversion:
    return scope.get(
        scope.conversions(user).select_related("output"),
        pk,
        writable=(lambda c: access.can_record_for_group(user, c.output.group_id))
        if write
        else None,
        message=SECRETARY_ONLY,
    )


@router.get("", response={200: ConversionPage, **ERRORS}, summary="成果转化列表")
def conversion_list(request, filters: Query[ConversionFilters]):
    qs = scope.conversions(request.auth).select_related("output")
    if filters.year:
        qs = qs.filter(issued_on__year=filters.year)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.group:
        qs = qs.filter(output__group_id=filters.group)
    if filters.output:
        qs = qs.filter(output_id=filters.output)
    return page(qs.order_by("-issued_on", "-id"), filters, lambda rows: map(_row, rows))


@router.get("/{conversion_id}", response={200: ConversionOut, **ERRORS}, summary="成果转化详情")
def conversion_detail(request, conversion_id: Id):
    return _row(_get(request.auth, conversion_id))


@router.post("", response={201: ConversionOut, **ERRORS}, summary="登记成果转化（学习秘书）")
def conversion_create(request, payload: ConversionCreateIn):
    user = request.auth
    if not access.principal_of(user).secretary_group_ids():
        raise PermissionDenied("只有学习秘书可以登记成果转化")
    output = body_ref(
        scope.outputs(user), payload.output, "output", "学习成果不存在或不在您的查看范围内"
    )
    if not access.can_record_for_group(user, output.group_id):
        raise FieldDenied("output", SECRETARY_ONLY)
    conversion = services.conversion_create(
        actor=user, output=output, **payload.model_dump(exclude={"output"})
    )
    return Status(201, _row(Conversion.objects.select_related("output").get(pk=conversion.pk)))


@router.delete("/{conversion_id}", response={204: None, **ERRORS}, summary="删除成果转化记录")
def conversion_delete(request, conversion_id: Id):
    user = request.auth
    services.conversion_delete(actor=user, conversion=_get(user, conversion_id, write=True))
    return Status(204, None)
