"""Writes for the expert pool, observation teams, visit plans and the visit workflow. Each
one checks who is acting, validates, runs atomically and writes its audit record."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.accounts.models import User
from zhongxinzu.audit.services import audit_record
from zhongxinzu.compliance.models import Notification
from zhongxinzu.lib.changes import figures_changed
from zhongxinzu.lib.versioning import save_versioned
from zhongxinzu.lib.workdays import add_working_days
from zhongxinzu.org import access
from zhongxinzu.org.models import Membership, Person, StudyGroup, Unit
from zhongxinzu.rules.services import rulebook_for, rulebooks_for
from zhongxinzu.supervision import planning, selectors
from zhongxinzu.supervision.models import (
    Expert,
    ObservationTeam,
    ObservationVisit,
    TeamMember,
    VisitPlan,
)

EXPERT_FIELDS = [
    "owner_unit_id",
    "person_id",
    "user_id",
    "name",
    "field",
    "title",
    "employer",
    "home_unit_id",
    "availability",
]
# How far back published cross plans count as "recent" when avoiding repeated pairs.
CROSS_LOOKBACK_YEARS = 2


def _deny_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _text(value) -> str:
    return (value or "").strip()


def _check_year(year) -> None:
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": "年度不正确（应为2000至2100之间的四位数字）"})


# --- experts ---------------------------------------------------------------------------


def _expert_validate(*, actor, owner_unit, person, name, home_unit) -> dict:
    _deny_unless(access.supervises(actor, owner_unit), "只能管理本人督导单位的专家库")
    errors = {}
    if person is not None:
        if not access.scoped_people(actor).filter(pk=person.pk).exists():
            errors["person"] = "所选人员不在您的管理范围内"
        name = name or person.name
        home_unit = home_unit or person.unit
    if not _text(name):
        errors["name"] = "请填写姓名，或选择对应人员"
    if home_unit is not None and not access.scoped_units(actor).filter(pk=home_unit.pk).exists():
        errors["home_unit"] = "所选单位不在您的管理范围内"
    if errors:
        raise ValidationError(errors)
    return {"name": _text(name)[:40], "home_unit": home_unit}


def _resolve_user(username: str) -> User | None:
    username = _text(username)
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationError({"username": "未找到该登录账号（或账号已停用）"})
    return user


@transaction.atomic
def expert_create(
    *,
    actor,
    owner_unit: Unit,
    name: str = "",
    person: Person | None = None,
    username: str = "",
    field: str = "",
    title: str = "",
    employer: str = "",
    home_unit: Unit | None = None,
    availability: str = "",
) -> Expert:
    """Add an expert to `owner_unit`'s pool: a person on the roster of a unit in the actor's
    scope, or an outside expert. The home unit (the person's unit by default) is never
    visited by a team the expert is on."""
    user = _resolve_user(username)
    clean = _expert_validate(
        actor=actor, owner_unit=owner_unit, person=person, name=name, home_unit=home_unit
    )
    expert = Expert.objects.create(
        owner_unit=owner_unit,
        person=person,
        user=user,
        name=clean["name"],
        field=_text(field),
        title=_text(title),
        employer=_text(employer) or (person.unit.name if person else ""),
        home_unit=clean["home_unit"],
        availability=_text(availability),
    )
    audit_record(actor=actor, action="create", obj=expert)
    return expert


@transaction.atomic
def expert_update(
    *,
    actor,
    expert: Expert,
    expected_version: int | None = None,
    owner_unit: Unit,
    name: str = "",
    person: Person | None = None,
    username: str = "",
    field: str = "",
    title: str = "",
    employer: str = "",
    home_unit: Unit | None = None,
    availability: str = "",
) -> Expert:
    _deny_unless(access.supervises(actor, expert.owner_unit), "只能管理本人督导单位的专家库")
    user = _resolve_user(username)
    clean = _expert_validate(
        actor=actor, owner_unit=owner_unit, person=person, name=name, home_unit=home_unit
    )
    before = {f: getattr(expert, f) for f in EXPERT_FIELDS}
    expert.owner_unit, expert.person, expert.user = owner_unit, person, user
    expert.name, expert.home_unit = clean["name"], clean["home_unit"]
    expert.field, expert.title = _text(field), _text(title)
    expert.employer, expert.availability = _text(employer), _text(availability)
    save_versioned(
        expert,
        expected_version=expected_version,
        fields=[f.removesuffix("_id") for f in EXPERT_FIELDS],
    )
    changes = {f: str(getattr(expert, f)) for f in EXPERT_FIELDS if getattr(expert, f) != before[f]}
    audit_record(actor=actor, action="update", obj=expert, detail=changes)
    return expert


@transaction.atomic
def expert_set_active(
    *, actor, expert: Expert, active: bool, expected_version: int | None = None
) -> Expert:
    """Take an expert out of the pool (or back in). Team memberships stay as history."""
    _deny_unless(access.supervises(actor, expert.owner_unit), "只能管理本人督导单位的专家库")
    expert.is_active = active
    save_versioned(expert, expected_version=expected_version, fields=["is_active"])
    audit_record(actor=actor, action="activate" if active else "deactivate", obj=expert)
    return expert


# --- teams -----------------------------------------------------------------------------


def _team_validate(*, name: str, year: int) -> None:
    _check_year(year)
    if not _text(name):
        raise ValidationError({"name": "请填写旁听组名称"})


@transaction.atomic
def team_create(*, actor, owner_unit: Unit, year: int, name: str) -> ObservationTeam:
    _deny_unless(access.supervises(actor, owner_unit), "只能为本人督导的单位组建旁听组")
    _team_validate(name=name, year=year)
    if ObservationTeam.objects.filter(owner_unit=owner_unit, year=year, name=_text(name)).exists():
        raise ValidationError({"name": "本年度已有同名旁听组"})
    team = ObservationTeam.objects.create(owner_unit=owner_unit, year=year, name=_text(name)[:60])
    audit_record(actor=actor, action="create", obj=team)
    return team


@transaction.atomic
def team_update(
    *,
    actor,
    team: ObservationTeam,
    name: str,
    is_active: bool = True,
    expected_version: int | None = None,
) -> ObservationTeam:
    _deny_unless(access.supervises(actor, team.owner_unit), "只能管理本人督导单位的旁听组")
    _team_validate(name=name, year=team.year)
    clash = ObservationTeam.objects.filter(
        owner_unit_id=team.owner_unit_id, year=team.year, name=_text(name)
    ).exclude(pk=team.pk)
    if clash.exists():
        raise ValidationError({"name": "本年度已有同名旁听组"})
    before = (team.name, team.is_active)
    team.name, team.is_active = _text(name)[:60], is_active
    save_versioned(team, expected_version=expected_version, fields=["name", "is_active"])
    audit_record(
        actor=actor,
        action="update",
        obj=team,
        detail={"before": list(before), "after": [team.name, team.is_active]},
    )
    return team


@transaction.atomic
def team_member_add(
    *, actor, team: ObservationTeam, expert: Expert, is_leader: bool = False
) -> TeamMember:
    """Put a pool expert on a team; the pool must be the team's unit's or one above it."""
    _deny_unless(access.supervises(actor, team.owner_unit), "只能管理本人督导单位的旁听组")
    if not expert.is_active:
        raise ValidationError({"expert": "该专家已出库，不能编入旁听组"})
    if not access.supervises(actor, expert.owner_unit):
        raise ValidationError({"expert": "所选专家不在您的管理范围内"})
    if not access.in_subtree(team.owner_unit, [expert.owner_unit]):
        raise ValidationError({"expert": "只能从本单位或上级单位的专家库中选人"})
    if TeamMember.objects.filter(team=team, expert=expert).exists():
        raise ValidationError({"expert": "该专家已在本组"})
    if is_leader:
        TeamMember.objects.filter(team=team, is_leader=True).update(is_leader=False)
    member = TeamMember.objects.create(team=team, expert=expert, is_leader=is_leader)
    audit_record(
        actor=actor,
        action="team_member_add",
        obj=team,
        detail={"expert": expert.pk, "name": expert.name, "leader": is_leader},
    )
    return member


@transaction.atomic
def team_member_remove(*, actor, member: TeamMember) -> None:
    team = member.team
    _deny_unless(access.supervises(actor, team.owner_unit), "只能管理本人督导单位的旁听组")
    audit_record(
        actor=actor,
        action="team_member_remove",
        obj=team,
        detail={"expert": member.expert_id, "name": member.expert.name},
    )
    member.delete()


@transaction.atomic
def team_leader_set(*, actor, member: TeamMember) -> TeamMember:
    team = member.team
    _deny_unless(access.supervises(actor, team.owner_unit), "只能管理本人督导单位的旁听组")
    TeamMember.objects.filter(team=team).update(is_leader=False)
    TeamMember.objects.filter(pk=member.pk).update(is_leader=True)
    member.is_leader = True
    audit_record(
        actor=actor, action="team_leader_set", obj=team, detail={"expert": member.expert_id}
    )
    return member


# --- visit plans -------------------------------------------------------------------------


def _aware(day: dt.date, end: bool = False) -> dt.datetime:
    t = dt.time.max if end else dt.time.min
    return timezone.make_aware(dt.datetime.combine(day, t))


def planning_groups(owner_unit: Unit, period_start: dt.date, period_end: dt.date):
    """The groups below `owner_unit` (not its own) with their scheduled sessions, as
    planning.GroupSlot in tree order: three queries whatever the size."""
    from zhongxinzu.meetings.models import StudySession

    below = access.subtree_q([owner_unit], "unit__") & ~Q(unit_id=owner_unit.pk)
    rows = list(
        StudyGroup.objects.filter(below, is_active=True, unit__is_active=True)
        .order_by("unit__path")
        .values_list("pk", "unit_id", "unit__path")
    )
    sessions: dict[int, list[tuple[int, dt.date]]] = {}
    start = max(period_start, timezone.localdate())
    tz = timezone.get_current_timezone()
    for pk, group_id, starts_at in (
        StudySession.objects.filter(
            access.subtree_q([owner_unit], "group__unit__"),
            starts_at__gte=_aware(start),
            starts_at__lte=_aware(period_end, end=True),
        )
        .order_by("starts_at", "pk")
        .values_list("pk", "group_id", "starts_at")
    ):
        sessions.setdefault(group_id, []).append((pk, starts_at.astimezone(tz).date()))
    step = Unit.steplen
    return [
        planning.GroupSlot(
            group_id=pk,
            unit_id=unit_id,
            parent_path=path[:-step],
            sessions=tuple(sessions.get(pk, ())),
        )
        for pk, unit_id, path in rows
    ]


def team_conflicts(team_ids) -> dict[int, set[int]]:
    """team id -> the units its members work in (expert.home_unit or expert.person.unit)."""
    conflicts: dict[int, set[int]] = {t: set() for t in team_ids}
    for team_id, home, person_unit in TeamMember.objects.filter(team_id__in=team_ids).values_list(
        "team_id", "expert__home_unit_id", "expert__person__unit_id"
    ):
        conflicts[team_id].update(u for u in (home, person_unit) if u)
    return conflicts


def planning_teams(owner_unit: Unit, year: int) -> list[planning.TeamSlot]:
    """The unit's active teams of the year with the units their members work in."""
    teams = list(
        ObservationTeam.objects.filter(owner_unit=owner_unit, year=year, is_active=True)
        .order_by("name", "pk")
        .values_list("pk", flat=True)
    )
    conflicts = team_conflicts(teams)
    return [planning.TeamSlot(team_id=t, conflict_unit_ids=frozenset(conflicts[t])) for t in teams]


def recent_cross_pairs(owner_unit: Unit, year: int, before: dt.date) -> list[tuple[int, int]]:
    return list(
        ObservationVisit.objects.filter(
            plan__owner_unit=owner_unit,
            plan__mode=VisitPlan.Mode.CROSS,
            plan__status=VisitPlan.Status.PUBLISHED,
            plan__period_end__lt=before,
            plan__year__gte=year - CROSS_LOOKBACK_YEARS,
            observer_group__isnull=False,
        ).values_list("group_id", "observer_group_id")
    )


def _due_dates(visits: list[ObservationVisit], year: int) -> None:
    """materials_due / summary_due from the host unit's rules, in working days."""
    units = {v.group.unit_id: v.group.unit for v in visits}
    books = rulebooks_for(list(units.values()), year)
    for v in visits:
        book = books[v.group.unit_id]
        v.materials_due = add_working_days(
            v.planned_on, -int(book["observation_materials_working_days"])
        )
        v.summary_due = add_working_days(
            v.planned_on, int(book["observation_summary_working_days"])
        )


@transaction.atomic
def visit_plan_propose(
    *,
    actor,
    owner_unit: Unit,
    year: int,
    period_start: dt.date,
    period_end: dt.date,
    mode: str = VisitPlan.Mode.TEAMS,
    title: str = "",
) -> VisitPlan:
    """Propose a draft plan for the groups below `owner_unit`: every group visited the number
    of times the rules ask per year (teams mode) or paired with a sibling (cross mode)."""
    _deny_unless(access.supervises(actor, owner_unit), "只能为本人督导的单位编制旁听计划")
    _check_year(year)
    errors = {}
    if period_end < period_start:
        errors["period_end"] = "结束日期不能早于开始日期"
    elif period_end < timezone.localdate():
        errors["period_end"] = "该期间已经结束，不能再安排旁听"
    if mode not in VisitPlan.Mode.values:
        errors["mode"] = "旁听方式不正确"
    if errors:
        raise ValidationError(errors)
    per_year = int(rulebook_for(owner_unit, year)["observation_visits_per_year"])
    start = max(period_start, timezone.localdate())
    groups = planning_groups(owner_unit, period_start, period_end)
    if not groups:
        raise ValidationError("该单位下级没有启用的中心组，无需安排旁听")
    if mode == VisitPlan.Mode.CROSS:
        proposal = planning.propose_cross_visits(
            groups,
            period_start=start,
            period_end=period_end,
            used_pairs=recent_cross_pairs(owner_unit, year, period_start),
            visits_per_group=per_year,
        )
    else:
        proposal = planning.propose_team_visits(
            groups,
            planning_teams(owner_unit, year),
            period_start=start,
            period_end=period_end,
            visits_per_group=per_year,
        )
    plan = VisitPlan.objects.create(
        owner_unit=owner_unit,
        year=year,
        title=_text(title)[:120] or f"{owner_unit.name}{year}年度列席旁听计划",
        period_start=period_start,
        period_end=period_end,
        mode=mode,
        uncovered=proposal.uncovered,
        created_by=actor,
    )
    group_objs = StudyGroup.objects.select_related("unit").in_bulk([g.group_id for g in groups])
    visits = [
        ObservationVisit(
            plan=plan,
            group=group_objs[v.group_id],
            team_id=v.team_id,
            observer_group_id=v.observer_group_id,
            session_id=v.session_id,
            planned_on=v.planned_on,
        )
        for v in proposal.visits
    ]
    _due_dates(visits, year)
    ObservationVisit.objects.bulk_create(visits, batch_size=500)
    audit_record(
        actor=actor,
        action="plan_propose",
        obj=plan,
        detail={"mode": mode, "visits": len(visits), "uncovered": len(proposal.uncovered)},
    )
    return plan


def _require_draft(plan: VisitPlan | None) -> None:
    if plan is None or plan.status != VisitPlan.Status.DRAFT:
        raise ValidationError("计划已发布，不能再调整")


@transaction.atomic
def visit_plan_delete(*, actor, plan: VisitPlan) -> None:
    _deny_unless(access.supervises(actor, plan.owner_unit), "只能管理本人督导单位的旁听计划")
    _require_draft(plan)
    audit_record(actor=actor, action="delete", obj=plan, detail={"title": plan.title})
    plan.visits.all().delete()
    plan.delete()


@transaction.atomic
def visit_update(
    *,
    actor,
    visit: ObservationVisit,
    team: ObservationTeam | None,
    planned_on: dt.date,
    expected_version: int | None = None,
) -> ObservationVisit:
    """Reassign a draft visit's team or date. A team with a member working in the host
    unit is refused; a new date outside the period is refused; a new date attaches the
    group's session of that day, if any, and recomputes the deadlines."""
    plan = visit.plan
    _deny_unless(access.supervises(actor, plan.owner_unit), "只能调整本人督导单位的旁听计划")
    _require_draft(plan)
    errors = {}
    if not plan.period_start <= planned_on <= plan.period_end:
        errors["planned_on"] = "日期应在计划期间内"
    if plan.mode == VisitPlan.Mode.TEAMS:
        if team is None:
            errors["team"] = "请选择旁听组"
        elif team.owner_unit_id != plan.owner_unit_id or team.year != plan.year:
            errors["team"] = "只能选择本单位本年度的旁听组"
        else:
            if visit.group.unit_id in team_conflicts([team.pk])[team.pk]:
                errors["team"] = "该旁听组有成员在被旁听单位工作，需回避"
    if errors:
        raise ValidationError(errors)
    before = {"team": visit.team_id, "planned_on": str(visit.planned_on)}
    if plan.mode == VisitPlan.Mode.TEAMS:
        visit.team = team
    if visit.planned_on != planned_on:
        from zhongxinzu.meetings.models import StudySession

        # The visit follows the group's session on the new day, if it has one.
        visit.planned_on = planned_on
        visit.session = (
            StudySession.objects.filter(
                group_id=visit.group_id,
                starts_at__gte=_aware(planned_on),
                starts_at__lte=_aware(planned_on, end=True),
            )
            .order_by("starts_at", "pk")
            .first()
        )
        _due_dates([visit], plan.year)
    save_versioned(
        visit,
        expected_version=expected_version,
        fields=["team", "planned_on", "session", "materials_due", "summary_due"],
    )
    figures_changed(visit.group_id, visit.observer_group_id)
    audit_record(
        actor=actor,
        action="visit_update",
        obj=visit,
        detail={"before": before, "team": visit.team_id, "planned_on": str(planned_on)},
    )
    return visit


@transaction.atomic
def visit_remove(*, actor, visit: ObservationVisit) -> None:
    plan = visit.plan
    _deny_unless(access.supervises(actor, plan.owner_unit), "只能调整本人督导单位的旁听计划")
    _require_draft(plan)
    figures_changed(visit.group_id, visit.observer_group_id)
    audit_record(
        actor=actor,
        action="visit_remove",
        obj=plan,
        detail={"visit": visit.pk, "group": visit.group_id},
    )
    visit.delete()


def _group_staff_users(group_ids) -> dict[int, set[int]]:
    """group id -> user ids of its current secretaries."""
    out: dict[int, set[int]] = {}
    rows = access.active_memberships(on=timezone.localdate()).filter(
        group_id__in=group_ids, role=Membership.Role.SECRETARY, person__user__isnull=False
    )
    for group_id, user_id in rows.values_list("group_id", "person__user"):
        out.setdefault(group_id, set()).add(user_id)
    return out


def _team_users(team_ids) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    rows = TeamMember.objects.filter(team_id__in=team_ids, expert__user__isnull=False)
    for team_id, user_id in rows.values_list("team_id", "expert__user_id"):
        out.setdefault(team_id, set()).add(user_id)
    return out


@transaction.atomic
def visit_plan_publish(*, actor, plan: VisitPlan, expected_version: int | None = None) -> int:
    """Publish a draft plan: the host groups' secretaries and the observers (team members,
    or the observing group's secretaries in cross mode) are notified once per visit.
    Returns the number of notifications created."""
    _deny_unless(access.supervises(actor, plan.owner_unit), "只能发布本人督导单位的旁听计划")
    _require_draft(plan)
    visits = list(plan.visits.select_related("group", "team", "observer_group"))
    if not visits:
        raise ValidationError("计划中没有旁听安排，不能发布")
    # Members may have joined a team since the proposal: check the avoidance rule again.
    conflicts = team_conflicts({v.team_id for v in visits} - {None})
    clashes = [v for v in visits if v.team_id and v.group.unit_id in conflicts[v.team_id]]
    if clashes:
        names = "、".join(f"{v.team.name}→{v.group.name}" for v in clashes[:5])
        raise ValidationError(f"以下安排中旁听组有成员在被旁听单位工作，需调整后再发布：{names}")
    plan.status, plan.published_at = VisitPlan.Status.PUBLISHED, timezone.now()
    save_versioned(plan, expected_version=expected_version, fields=["status", "published_at"])
    group_ids = {v.group_id for v in visits} | {v.observer_group_id for v in visits}
    secretaries = _group_staff_users(group_ids - {None})
    team_users = _team_users({v.team_id for v in visits} - {None})
    notes = []
    for v in visits:
        link = reverse("supervision:visit_detail", kwargs={"pk": v.pk})
        who = v.team.name if v.team else (v.observer_group.name if v.observer_group else "")
        day = f"{v.planned_on.month}月{v.planned_on.day}日"
        for user_id in secretaries.get(v.group_id, ()):
            notes.append(
                Notification(
                    user_id=user_id,
                    key=f"visit_host:{v.pk}",
                    kind="observation",
                    message=(
                        f"{who}将于{day}列席旁听本中心组学习，"
                        f"请于{v.materials_due}前报送学习方案、材料和发言稿"
                    ),
                    link=link,
                )
            )
        observers = set(team_users.get(v.team_id, ())) | set(
            secretaries.get(v.observer_group_id, ())
        )
        for user_id in observers:
            notes.append(
                Notification(
                    user_id=user_id,
                    key=f"visit_observer:{v.pk}",
                    kind="observation",
                    message=f"旁听任务：{day}列席旁听{v.group.name}"[:300],
                    link=link,
                )
            )
    created = Notification.objects.bulk_create(notes, ignore_conflicts=True)
    figures_changed(groups=group_ids)
    audit_record(
        actor=actor,
        action="publish",
        obj=plan,
        detail={"visits": len(visits), "notified": len(notes)},
    )
    return len(created)


# --- the visit workflow ------------------------------------------------------------------


def _advance(visit: ObservationVisit, stage: str) -> None:
    order = selectors.STAGE_ORDER
    if order.index(stage) > order.index(visit.stage):
        visit.stage = stage


def _require_published(visit: ObservationVisit) -> None:
    if visit.plan_id and visit.plan.status != VisitPlan.Status.PUBLISHED:
        raise ValidationError("旁听计划尚未发布")
    if visit.stage == ObservationVisit.Stage.CLOSED:
        raise ValidationError("该旁听已完成反馈，不能再修改")


def _team_writer(actor, visit) -> None:
    _deny_unless(selectors.can_write_team_notes(actor, visit), "只有旁听组成员和督导可以填写")
    _require_published(visit)


@transaction.atomic
def visit_materials_send(*, actor, visit: ObservationVisit, note: str = "") -> ObservationVisit:
    """The host group's secretary reports that the plan, materials and speech drafts were
    sent (on time or not: the deadline stays visible)."""
    _deny_unless(selectors.can_send_materials(actor, visit), "只有被旁听中心组的学习秘书可以报送")
    _require_published(visit)
    if visit.materials_sent_at is not None:
        raise ValidationError("材料已报送")
    visit.materials_sent_at = timezone.now()
    _advance(visit, ObservationVisit.Stage.BEFORE)
    save_versioned(visit, expected_version=None, fields=["materials_sent_at", "stage"])
    late = visit.materials_due is not None and timezone.localdate() > visit.materials_due
    figures_changed(visit.group_id, visit.observer_group_id)
    audit_record(
        actor=actor,
        action="visit_materials",
        obj=visit,
        detail={"late": late, "note": _text(note)[:200]},
    )
    return visit


@transaction.atomic
def visit_checklist_save(
    *, actor, visit: ObservationVisit, checked: list[str], note: str = ""
) -> ObservationVisit:
    """The team's pre-visit check of the materials against CHECKLIST_ITEMS."""
    _team_writer(actor, visit)
    keys = [k for k, _ in selectors.CHECKLIST_ITEMS]
    unknown = set(checked) - set(keys)
    if unknown:
        raise ValidationError("审核项目不正确")
    visit.checklist = {
        "items": {k: k in checked for k in keys},
        "note": _text(note)[:500],
        "checked_by": actor.get_username(),
        "checked_at": timezone.now().isoformat(timespec="seconds"),
    }
    _advance(visit, ObservationVisit.Stage.BEFORE)
    save_versioned(visit, expected_version=None, fields=["checklist", "stage"])
    figures_changed(visit.group_id, visit.observer_group_id)
    audit_record(actor=actor, action="visit_checklist", obj=visit, detail={"checked": len(checked)})
    return visit


@transaction.atomic
def visit_onsite_save(*, actor, visit: ObservationVisit, comments: str) -> ObservationVisit:
    _team_writer(actor, visit)
    if not _text(comments):
        raise ValidationError({"comments": "请填写现场点评"})
    visit.onsite_comments = _text(comments)
    _advance(visit, ObservationVisit.Stage.DURING)
    save_versioned(visit, expected_version=None, fields=["onsite_comments", "stage"])
    figures_changed(visit.group_id, visit.observer_group_id)
    audit_record(actor=actor, action="visit_onsite", obj=visit)
    return visit


@transaction.atomic
def visit_interview_save(*, actor, visit: ObservationVisit, notes: str) -> ObservationVisit:
    _team_writer(actor, visit)
    if not _text(notes):
        raise ValidationError({"notes": "请填写访谈记录"})
    visit.interview_notes = _text(notes)
    _advance(visit, ObservationVisit.Stage.AFTER)
    save_versioned(visit, expected_version=None, fields=["interview_notes", "stage"])
    figures_changed(visit.group_id, visit.observer_group_id)
    audit_record(actor=actor, action="visit_interview", obj=visit)
    return visit


def summary_limit(visit: ObservationVisit) -> int:
    return int(rulebook_for(visit.group.unit, visit.planned_on.year)["observation_summary_chars"])


@transaction.atomic
def visit_summary_submit(
    *, actor, visit: ObservationVisit, overall: str, highlights: str, problems: str
) -> ObservationVisit:
    """总体评价、特色亮点、存在问题, within the rules' character limit in total."""
    _team_writer(actor, visit)
    parts = [_text(overall), _text(highlights), _text(problems)]
    errors = {}
    if not parts[0]:
        errors["overall"] = "请填写总体评价"
    limit = summary_limit(visit)
    used = sum(len(p) for p in parts)
    if used > limit:
        errors["overall"] = f"总结共{used}字，超过规定的{limit}字"
    if errors:
        raise ValidationError(errors)
    visit.summary_overall, visit.summary_highlights, visit.summary_problems = parts
    visit.summary_submitted_at = timezone.now()
    _advance(visit, ObservationVisit.Stage.FEEDBACK)
    save_versioned(
        visit,
        expected_version=None,
        fields=[
            "summary_overall",
            "summary_highlights",
            "summary_problems",
            "summary_submitted_at",
            "stage",
        ],
    )
    late = visit.summary_due is not None and timezone.localdate() > visit.summary_due
    figures_changed(visit.group_id, visit.observer_group_id)
    audit_record(
        actor=actor, action="visit_summary", obj=visit, detail={"chars": used, "late": late}
    )
    return visit


@transaction.atomic
def visit_feedback_send(*, actor, visit: ObservationVisit) -> ObservationVisit:
    """The supervisor sends the feedback (the letter and the summary) to the host group,
    which closes the visit."""
    _deny_unless(selectors.supervises_group(actor, visit.group), "只有督导可以发送反馈")
    _require_published(visit)
    if visit.summary_submitted_at is None:
        raise ValidationError("旁听总结尚未提交，不能反馈")
    visit.feedback_sent_at = timezone.now()
    visit.stage = ObservationVisit.Stage.CLOSED
    save_versioned(visit, expected_version=None, fields=["feedback_sent_at", "stage"])
    figures_changed(visit.group_id, visit.observer_group_id)
    audit_record(actor=actor, action="visit_feedback", obj=visit)
    return visit


@transaction.atomic
def visit_feedback_document(*, actor, visit: ObservationVisit) -> bytes:
    """The feedback letter (.docx, GB/T 9704); the generation is audited."""
    from zhongxinzu.documents.feedback_letter import feedback_letter_docx

    if visit.summary_submitted_at is None:
        raise ValidationError("旁听总结尚未提交，暂不能生成反馈意见")
    issuer = visit.plan.owner_unit.name if visit.plan_id else visit.group.unit.name
    data = feedback_letter_docx(visit, issuer=issuer, on=timezone.localdate())
    audit_record(actor=actor, action="document", obj=visit, detail={"document": "feedback_letter"})
    return data
