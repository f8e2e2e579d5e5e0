"""/api/first-items: the first-item pool (第一议题库) — major speeches, articles and
instructions with their release date — and which groups have studied each one."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Exists, OuterRef, Q, Value
from ninja import Query, Router, Status

from zhongxinzu.api import scope
from zhongxinzu.api.common import ERRORS, body_ref, changed_fields, page
from zhongxinzu.api.schemas import (
    FirstItemCreateIn,
    FirstItemFilters,
    FirstItemOut,
    FirstItemPage,
    FirstItemUpdateIn,
    Id,
    StudyFilters,
    StudyPage,
)
from zhongxinzu.meetings.models import AgendaItem
from zhongxinzu.org import access
from zhongxinzu.plans import perms, selectors, services
from zhongxinzu.plans.models import FirstItem
from zhongxinzu.rules.services import rulebooks_for

router = Router(tags=["第一议题"])


def _visible(user):
    qs = scope.first_items(user).select_related("owner_unit")
    groups = list(access.principal_of(user).group_roles)
    if not groups:
        return qs.annotate(studied=Value(None, output_field=BooleanField()))
    studied = AgendaItem.objects.filter(
        first_item=OuterRef("pk"),
        session__group_id__in=groups,
        session__status__in=selectors.HELD_STATES,
    )
    return qs.annotate(studied=Exists(studied))


def _shows_restricted(user) -> bool:
    """The material of a 限定范围学习 item is for supervisors and group staff only."""
    p = access.principal_of(user)
    return p.is_supervisor or bool(p.staff_group_ids())


def _row(item: FirstItem, full: bool) -> dict:
    shown = full or not item.restricted
    return {
        "id": item.pk,
        "owner_unit_id": item.owner_unit_id,
        "owner_unit_name": item.owner_unit.name,
        "title": item.title,
        "kind": item.kind,
        "kind_label": item.get_kind_display(),
        "released_on": item.released_on,
        "source": item.source if shown else "",
        "summary": item.summary if shown else "",
        "restricted": item.restricted,
        "created_at": item.created_at,
        "studied": item.studied,
    }


def _one(user, pk: int) -> dict:
    return _row(_visible(user).get(pk=pk), _shows_restricted(user))


def _get(user, pk: int, *, write: bool = False) -> FirstItem:
    return scope.get(
        scope.first_items(user).select_related("owner_unit"),
        pk,
        writable=(lambda item: perms.can_write_first_item(user, item)) if write else None,
        message="无权修改该议题",
    )


@router.get("", response={200: FirstItemPage, **ERRORS}, summary="第一议题库")
def first_item_list(request, filters: Query[FirstItemFilters]):
    """The pools of every unit above the caller's groups and of every unit they supervise."""
    user = request.auth
    qs = _visible(user)
    if filters.q:
        qs = qs.filter(Q(title__contains=filters.q) | Q(source__contains=filters.q))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.year:
        qs = qs.filter(released_on__year=filters.year)
    if filters.owner_unit:
        qs = qs.filter(owner_unit_id=filters.owner_unit)
    full = _shows_restricted(user)
    return page(
        qs.order_by("-released_on", "-id"), filters, lambda rows: (_row(i, full) for i in rows)
    )


@router.get("/{item_id}", response={200: FirstItemOut, **ERRORS}, summary="第一议题详情")
def first_item_detail(request, item_id: Id):
    return _one(request.auth, _get(request.auth, item_id).pk)


@router.post("", response={201: FirstItemOut, **ERRORS}, summary="向第一议题库添加议题")
def first_item_create(request, payload: FirstItemCreateIn):
    """A supervisor records for a unit they supervise or the level below; a secretary for
    their own unit."""
    user = request.auth
    p = access.principal_of(user)
    if not (p.is_supervisor or p.secretary_group_ids()):
        raise PermissionDenied("只有督导和学习秘书可以向第一议题库添加议题")
    unit = body_ref(
        perms.first_item_units(user),
        payload.owner_unit,
        "owner_unit",
        "只能记入本人督导的单位（或其下一级）或本中心组所在单位的议题库",
    )
    item = services.first_item_create(
        actor=user, owner_unit=unit, **payload.model_dump(exclude={"owner_unit"})
    )
    return Status(201, _one(user, item.pk))


@router.patch("/{item_id}", response={200: FirstItemOut, **ERRORS}, summary="修改议题")
def first_item_update(request, item_id: Id, payload: FirstItemUpdateIn):
    user = request.auth
    item = _get(user, item_id, write=True)
    services.first_item_update(actor=user, item=item, **changed_fields(payload))
    return _one(user, item.pk)


@router.delete("/{item_id}", response={204: None, **ERRORS}, summary="删除尚无中心组学习过的议题")
def first_item_delete(request, item_id: Id):
    user = request.auth
    services.first_item_delete(actor=user, item=_get(user, item_id, write=True))
    return Status(204, None)


@router.get(
    "/{item_id}/groups",
    response={200: StudyPage, **ERRORS},
    summary="学习情况：议题库范围内每个中心组是否及时作为第一议题学习",
)
def first_item_groups(request, item_id: Id, filters: Query[StudyFilters]):
    user = request.auth
    item = _get(user, item_id)
    groups = selectors.groups_below(item.owner_unit, user)
    total = groups.count()
    studied = groups.filter(selectors.studied_q(item)).count()
    if filters.state == "studied":
        groups = groups.filter(selectors.studied_q(item))
    elif filters.state == "pending":
        groups = groups.exclude(selectors.studied_q(item))

    def rows(page_groups):
        books = rulebooks_for([g.unit for g in page_groups], item.released_on.year)
        for r in selectors.first_item_rows(item, page_groups, books):
            yield {
                "group_id": r.group.pk,
                "group_name": r.group.name,
                "unit_name": r.group.unit.name,
                "studied_on": r.studied_on,
                "lag": r.lag,
                "limit": r.limit,
                "state": r.state,
            }

    result = page(groups, filters, rows)
    return {**result, "total": total, "studied": studied, "pending": total - studied}
