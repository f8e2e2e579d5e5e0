"""/api/visit-plans: a period's observation plan (旁听计划) for the groups below a supervising
unit. The platform proposes a draft (every group visited as often as the rules ask, by a
team none of whose members works there, or paired with a sibling group); the supervisor
adjusts the draft's visits (PATCH/DELETE /api/visits/{visit_id}) and publishes it, which
notifies the host groups' secretaries and the observers."""

from __future__ import annotations

from django.db.models import Count
from ninja import Query, Router, Status

from zhongxinzu.api import scope
from zhongxinzu.api.common import ERRORS, page, person_name
from zhongxinzu.api.routers.experts import owner_unit_ref, require_supervisor
from zhongxinzu.api.routers.visits import visit_rows
from zhongxinzu.api.schemas import Id, VersionIn
from zhongxinzu.api.visit_schemas import (
    VisitPlanDetailOut,
    VisitPlanFilters,
    VisitPlanPage,
    VisitPlanProposeIn,
    VisitPlanPublishOut,
)
from zhongxinzu.org.models import StudyGroup
from zhongxinzu.supervision import services
from zhongxinzu.supervision.models import ObservationTeam, VisitPlan

router = Router(tags=["旁听计划"])


def _visible(user):
    return (
        scope.visit_plans(user)
        .select_related("owner_unit", "created_by")
        .annotate(visit_count=Count("visits"))
    )


def _row(plan: VisitPlan) -> dict:
    return {
        "id": plan.pk,
        "owner_unit_id": plan.owner_unit_id,
        "owner_unit_name": plan.owner_unit.name,
        "year": plan.year,
        "title": plan.title,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "mode": plan.mode,
        "mode_label": plan.get_mode_display(),
        "status": plan.status,
        "status_label": plan.get_status_display(),
        "visit_count": plan.visit_count,
        "uncovered_count": len(plan.uncovered),
        "created_by": person_name(plan.created_by),
        "published_at": plan.published_at,
        "version": plan.version,
    }


def _one(user, pk: int) -> dict:
    """The plan with every visit, the load of each of the unit's active teams of the year,
    and the groups left out with the reason (as the page shows them)."""
    plan = _visible(user).get(pk=pk)
    visits = list(
        plan.visits.select_related("plan", "group", "team", "observer_group").order_by(
            "planned_on", "pk"
        )
    )
    loads: dict[int, int] = {}
    for v in visits:
        if v.team_id:
            loads[v.team_id] = loads.get(v.team_id, 0) + 1
    teams = ObservationTeam.objects.filter(
        owner_unit_id=plan.owner_unit_id, year=plan.year, is_active=True
    ).order_by("name", "pk")
    names = dict(
        StudyGroup.objects.filter(pk__in=[u["group"] for u in plan.uncovered]).values_list(
            "pk", "name"
        )
    )
    return {
        **_row(plan),
        "visits": visit_rows(visits),
        "team_loads": [
            {"team_id": t.pk, "team_name": t.name, "visits": loads.get(t.pk, 0)} for t in teams
        ],
        "uncovered": [
            {"group_id": u["group"], "group_name": names.get(u["group"], ""), "reason": u["reason"]}
            for u in plan.uncovered
        ],
    }


def _get(user, pk: int) -> VisitPlan:
    return scope.get(scope.visit_plans(user).select_related("owner_unit"), pk)


@router.get("", response={200: VisitPlanPage, **ERRORS}, summary="旁听计划列表（督导）")
def plan_list(request, filters: Query[VisitPlanFilters]):
    qs = _visible(request.auth)
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.status:
        qs = qs.filter(status=filters.status)
    qs = qs.order_by("-year", "-pk")
    return page(qs, filters, lambda rows: map(_row, rows))


@router.get(
    "/{visit_plan_id}",
    response={200: VisitPlanDetailOut, **ERRORS},
    summary="旁听计划详情：各旁听安排、旁听组工作量、未能安排的中心组及原因",
)
def plan_detail(request, visit_plan_id: Id):
    return _one(request.auth, _get(request.auth, visit_plan_id).pk)


@router.post(
    "",
    response={201: VisitPlanDetailOut, **ERRORS},
    summary="生成旁听计划草稿：为督导单位下级各中心组安排旁听（督导）",
)
def plan_propose(request, payload: VisitPlanProposeIn):
    user = request.auth
    require_supervisor(user, "只有督导可以编制旁听计划")
    plan = services.visit_plan_propose(
        actor=user,
        owner_unit=owner_unit_ref(user, payload.owner_unit),
        year=payload.year,
        period_start=payload.period_start,
        period_end=payload.period_end,
        mode=payload.mode,
        title=payload.title,
    )
    return Status(201, _one(user, plan.pk))


@router.post(
    "/{visit_plan_id}/publish",
    response={200: VisitPlanPublishOut, **ERRORS},
    summary="发布旁听计划：提醒被旁听中心组的学习秘书和旁听人员（督导）",
)
def plan_publish(request, visit_plan_id: Id, payload: VersionIn):
    user = request.auth
    plan = _get(user, visit_plan_id)
    notified = services.visit_plan_publish(actor=user, plan=plan, expected_version=payload.version)
    return {**_one(user, plan.pk), "notified": notified}


@router.delete(
    "/{visit_plan_id}", response={204: None, **ERRORS}, summary="删除旁听计划草稿（督导）"
)
def plan_delete(request, visit_plan_id: Id):
    user = request.auth
    services.visit_plan_delete(actor=user, plan=_get(user, visit_plan_id))
    return Status(204, None)
