"""/api/teams: a supervising unit's observation teams (旁听组) of a year, with their members
from the expert pool and one leader."""

from __future__ import annotations

from django.db.models import Count
from ninja import Query, Router, Status

from zhongxinzu.api import scope
from zhongxinzu.api.common import ERRORS, body_ref, changed_fields, page
from zhongxinzu.api.routers.experts import owner_unit_ref, require_supervisor
from zhongxinzu.api.schemas import Id
from zhongxinzu.api.visit_schemas import (
    TeamCreateIn,
    TeamDetailOut,
    TeamFilters,
    TeamMemberIn,
    TeamPage,
    TeamUpdateIn,
)
from zhongxinzu.supervision import services
from zhongxinzu.supervision.models import ObservationTeam, TeamMember

router = Router(tags=["旁听组"])


def _visible(user):
    return (
        scope.teams(user)
        .select_related("owner_unit")
        .annotate(member_count=Count("memberships", distinct=True))
    )


def _row(team: ObservationTeam, leader_name: str) -> dict:
    return {
        "id": team.pk,
        "owner_unit_id": team.owner_unit_id,
        "owner_unit_name": team.owner_unit.name,
        "year": team.year,
        "name": team.name,
        "is_active": team.is_active,
        "member_count": team.member_count,
        "leader_name": leader_name,
        "version": team.version,
    }


def _rows(teams: list[ObservationTeam]):
    leaders = dict(
        TeamMember.objects.filter(team__in=teams, is_leader=True).values_list(
            "team_id", "expert__name"
        )
    )
    return (_row(t, leaders.get(t.pk, "")) for t in teams)


def _member_row(m: TeamMember) -> dict:
    e = m.expert
    return {
        "id": m.pk,
        "expert_id": e.pk,
        "expert_name": e.name,
        "is_leader": m.is_leader,
        "field": e.field,
        "title": e.title,
        "employer": e.employer,
        "home_unit_name": e.home_unit.name if e.home_unit_id else "",
    }


def _one(user, pk: int) -> dict:
    team = _visible(user).get(pk=pk)
    members = team.memberships.select_related("expert__home_unit").order_by(
        "-is_leader", "expert__name", "pk"
    )
    rows = [_member_row(m) for m in members]
    leader = next((r["expert_name"] for r in rows if r["is_leader"]), "")
    return {**_row(team, leader), "members": rows}


def _get(user, pk: int) -> ObservationTeam:
    return scope.get(scope.teams(user).select_related("owner_unit"), pk)


def _member(team: ObservationTeam, pk: int) -> TeamMember:
    qs = TeamMember.objects.filter(team=team).select_related("team__owner_unit", "expert")
    return scope.get(qs, pk)


@router.get("", response={200: TeamPage, **ERRORS}, summary="旁听组列表（督导）")
def team_list(request, filters: Query[TeamFilters]):
    qs = _visible(request.auth)
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.owner_unit:
        qs = qs.filter(owner_unit_id=filters.owner_unit)
    qs = qs.order_by("-year", "owner_unit__path", "name", "pk")
    return page(qs, filters, _rows)


@router.get("/{team_id}", response={200: TeamDetailOut, **ERRORS}, summary="旁听组详情（含成员）")
def team_detail(request, team_id: Id):
    return _one(request.auth, _get(request.auth, team_id).pk)


@router.post("", response={201: TeamDetailOut, **ERRORS}, summary="组建旁听组（督导）")
def team_create(request, payload: TeamCreateIn):
    user = request.auth
    require_supervisor(user, "只有督导可以组建旁听组")
    team = services.team_create(
        actor=user,
        owner_unit=owner_unit_ref(user, payload.owner_unit),
        year=payload.year,
        name=payload.name,
    )
    return Status(201, _one(user, team.pk))


@router.patch(
    "/{team_id}", response={200: TeamDetailOut, **ERRORS}, summary="修改旁听组名称或启用状态"
)
def team_update(request, team_id: Id, payload: TeamUpdateIn):
    user = request.auth
    team = _get(user, team_id)
    data = changed_fields(payload)
    services.team_update(
        actor=user,
        team=team,
        name=data.get("name", team.name),
        is_active=data.get("is_active", team.is_active),
        expected_version=data["version"],
    )
    return _one(user, team.pk)


@router.post(
    "/{team_id}/members",
    response={201: TeamDetailOut, **ERRORS},
    summary="从本单位或上级单位的专家库中选人加入旁听组",
)
def team_member_add(request, team_id: Id, payload: TeamMemberIn):
    user = request.auth
    team = _get(user, team_id)
    expert = body_ref(
        scope.experts(user).select_related("owner_unit"),
        payload.expert,
        "expert",
        "专家不存在或不在您的查看范围内",
    )
    services.team_member_add(actor=user, team=team, expert=expert, is_leader=payload.is_leader)
    return Status(201, _one(user, team.pk))


@router.delete(
    "/{team_id}/members/{team_member_id}",
    response={204: None, **ERRORS},
    summary="将成员移出旁听组",
)
def team_member_remove(request, team_id: Id, team_member_id: Id):
    user = request.auth
    member = _member(_get(user, team_id), team_member_id)
    services.team_member_remove(actor=user, member=member)
    return Status(204, None)


@router.post(
    "/{team_id}/members/{team_member_id}/leader",
    response={200: TeamDetailOut, **ERRORS},
    summary="指定该成员任组长（原组长随之卸任）",
)
def team_leader_set(request, team_id: Id, team_member_id: Id):
    user = request.auth
    member = _member(_get(user, team_id), team_member_id)
    services.team_leader_set(actor=user, member=member)
    return _one(user, member.team_id)
