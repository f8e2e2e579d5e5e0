"""Proposing, editing and publishing a visit plan against the database."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.accounts.models import Role, RoleGrant, User
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.compliance.models import Notification
from zhongxinzu.meetings.models import StudySession
from zhongxinzu.org.models import Membership, Person
from zhongxinzu.supervision import planning, services
from zhongxinzu.supervision.models import ObservationVisit, TeamMember, VisitPlan
from zhongxinzu.supervision.tests.helpers import add_unit, expert, team


@pytest.fixture
def city(world):
    """A (supervised) with four child groups A1..A4; two teams of A, the first with a member
    working at A1."""
    own = world.units["own"]
    units = [world.units["child"]] + [add_unit(own, f"A{i}", f"市属单位{i}") for i in (2, 3, 4)]
    today = timezone.localdate()
    e1 = expert(own, "张专家", home_unit=units[0])
    e2 = expert(own, "李专家", user=world.users["observer"])
    t1, t2 = team(own, "第一旁听组", experts=[e1]), team(own, "第二旁听组", experts=[e2])
    start = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=20), dt.time(9)))
    session = StudySession.objects.create(
        group=units[1].group,
        kind="study",
        title="学习贯彻全会精神",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        place="三楼会议室",
    )
    secretary = Person.objects.create(unit=units[1], name="秘书乙", gender="女")
    Membership.objects.create(
        group=units[1].group,
        person=secretary,
        role="secretary",
        role_rank=3,
        start_date=today - dt.timedelta(days=30),
    )
    sec_user = User.objects.create_user("sec2", password="x", person=secretary)
    return {
        "units": units,
        "teams": (t1, t2),
        "session": session,
        "sec_user": sec_user,
        "start": today,
        "end": today + dt.timedelta(days=90),
    }


def _propose(world, city, mode=VisitPlan.Mode.TEAMS):
    return services.visit_plan_propose(
        actor=world.users["supervisor"],
        owner_unit=world.units["own"],
        year=city["start"].year,
        period_start=city["start"],
        period_end=city["end"],
        mode=mode,
    )


def test_proposal_covers_every_group_below_avoids_home_units_and_uses_sessions(world, city):
    plan = _propose(world, city)
    visits = {v.group.unit_id: v for v in plan.visits.select_related("group")}
    assert set(visits) == {u.pk for u in city["units"]}
    assert world.units["own"].pk not in visits, "the supervising unit's own group is not planned"
    t1, t2 = city["teams"]
    assert visits[city["units"][0].pk].team_id == t2.pk, "team 1 has a member working at A1"
    host = visits[city["units"][1].pk]
    assert host.session_id == city["session"].pk
    assert host.planned_on == timezone.localtime(city["session"].starts_at).date()
    assert host.materials_due < host.planned_on < host.summary_due
    loads = planning.team_loads(plan.visits.all())
    assert sorted(loads.values()) == [2, 2]
    assert plan.uncovered == [] and plan.status == VisitPlan.Status.DRAFT
    assert AuditEntry.objects.filter(action="plan_propose", object_id=str(plan.pk)).exists()


def test_group_no_team_may_visit_is_explained(world, city):
    t1, t2 = city["teams"]
    services.team_member_add(
        actor=world.users["supervisor"],
        team=t2,
        expert=expert(world.units["own"], "王专家", home_unit=city["units"][0]),
    )
    plan = _propose(world, city)
    assert plan.uncovered == [
        {"group": city["units"][0].group.pk, "reason": planning.REASON_CONFLICT}
    ]
    page = world.login(Client(), "supervisor").get(
        reverse("supervision:plan_detail", args=[plan.pk])
    )
    assert planning.REASON_CONFLICT in page.content.decode()


def test_reassign_refuses_a_conflicting_team_and_dates_outside_the_period(world, city):
    plan = _propose(world, city)
    t1, t2 = city["teams"]
    visit = plan.visits.get(group__unit=city["units"][0])
    actor = world.users["supervisor"]
    with pytest.raises(ValidationError, match="回避"):
        services.visit_update(actor=actor, visit=visit, team=t1, planned_on=visit.planned_on)
    with pytest.raises(ValidationError, match="期间"):
        services.visit_update(
            actor=actor, visit=visit, team=t2, planned_on=city["end"] + dt.timedelta(days=1)
        )
    other = plan.visits.get(group__unit=city["units"][2])
    new_day = city["start"] + dt.timedelta(days=40)
    services.visit_update(actor=actor, visit=other, team=t1, planned_on=new_day)
    other.refresh_from_db()
    assert (other.team_id, other.planned_on) == (t1.pk, new_day)
    services.visit_remove(actor=actor, visit=other)
    assert plan.visits.count() == 3
    host = plan.visits.get(group__unit=city["units"][1])
    session_day = host.planned_on
    services.visit_update(actor=actor, visit=host, team=t1, planned_on=new_day)
    assert host.session is None and host.materials_due < new_day
    services.visit_update(actor=actor, visit=host, team=t1, planned_on=session_day)
    assert host.session == city["session"]


def test_publish_notifies_host_secretaries_and_team_members_once(world, city):
    plan = _propose(world, city)
    client = world.login(Client(), "supervisor")
    response = client.post(
        reverse("supervision:plan_publish", args=[plan.pk]), {"version": plan.version}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == VisitPlan.Status.PUBLISHED and plan.published_at
    host_visit = plan.visits.get(group__unit=city["units"][1])
    assert Notification.objects.filter(
        user=city["sec_user"], key=f"visit_host:{host_visit.pk}"
    ).exists()
    observer_visits = plan.visits.filter(team=city["teams"][1]).count()
    assert (
        Notification.objects.filter(user=world.users["observer"], kind="observation").count()
        == observer_visits
    )
    assert AuditEntry.objects.filter(action="publish", object_id=str(plan.pk)).exists()
    with pytest.raises(ValidationError):
        services.visit_plan_publish(actor=world.users["supervisor"], plan=plan)
    with pytest.raises(ValidationError):
        services.visit_update(
            actor=world.users["supervisor"],
            visit=host_visit,
            team=city["teams"][0],
            planned_on=host_visit.planned_on,
        )


def test_publish_rechecks_members_who_joined_after_the_proposal(world, city):
    plan = _propose(world, city)
    t1, t2 = city["teams"]
    visit = plan.visits.filter(team=t1).select_related("group").first()
    services.team_member_add(
        actor=world.users["supervisor"],
        team=t1,
        expert=expert(world.units["own"], "新成员", home_unit=visit.group.unit),
    )
    with pytest.raises(ValidationError, match="需调整后再发布"):
        services.visit_plan_publish(actor=world.users["supervisor"], plan=plan)
    plan.refresh_from_db()
    assert plan.status == VisitPlan.Status.DRAFT


def test_draft_visits_are_hidden_from_observers_and_hosts(world, city):
    plan = _propose(world, city)
    visit = plan.visits.filter(team=city["teams"][1]).first()
    observer = world.login(Client(), "observer")
    assert observer.get(reverse("supervision:visit_detail", args=[visit.pk])).status_code == 404
    services.visit_plan_publish(actor=world.users["supervisor"], plan=plan)
    assert observer.get(reverse("supervision:visit_detail", args=[visit.pk])).status_code == 200


def test_cross_mode_avoids_pairs_of_last_years_published_plan(world, city):
    units = city["units"]
    groups = [u.group for u in units]
    last = VisitPlan.objects.create(
        owner_unit=world.units["own"],
        year=city["start"].year - 1,
        title="去年交叉旁听",
        period_start=dt.date(city["start"].year - 1, 1, 1),
        period_end=dt.date(city["start"].year - 1, 12, 31),
        mode=VisitPlan.Mode.CROSS,
        status=VisitPlan.Status.PUBLISHED,
        created_by=world.users["supervisor"],
    )
    for i, g in enumerate(groups):  # last year's ring: i observed by i + 1
        ObservationVisit.objects.create(
            plan=last,
            group=g,
            observer_group=groups[(i + 1) % 4],
            planned_on=dt.date(city["start"].year - 1, 6, 1),
        )
    plan = _propose(world, city, VisitPlan.Mode.CROSS)
    used = {planning.pair_key(v.group_id, v.observer_group_id) for v in last.visits.all()}
    pairs = list(plan.visits.values_list("group_id", "observer_group_id"))
    assert len(pairs) == 4 and plan.uncovered == []
    assert not any(planning.pair_key(a, b) in used for a, b in pairs)


def test_plan_pages_for_the_supervisor(world, city):
    client = world.login(Client(), "supervisor")
    response = client.post(
        reverse("supervision:plan_create"),
        {
            "owner_unit": world.units["own"].pk,
            "year": city["start"].year,
            "period_start": city["start"].isoformat(),
            "period_end": city["end"].isoformat(),
            "mode": "teams",
        },
    )
    plan = VisitPlan.objects.get()
    assert response["Location"] == reverse("supervision:plan_detail", args=[plan.pk])
    page = client.get(response["Location"]).content.decode()
    assert "市属单位2理论学习中心组" in page and "第二旁听组" in page
    assert client.get(reverse("supervision:plan_list")).status_code == 200
    bad = client.post(
        reverse("supervision:plan_create"),
        {
            "owner_unit": world.units["own"].pk,
            "year": city["start"].year,
            "period_start": city["end"].isoformat(),
            "period_end": city["start"].isoformat(),
            "mode": "teams",
        },
    )
    assert "结束日期不能早于开始日期" in bad.content.decode()
    assert VisitPlan.objects.count() == 1


def test_observer_grant_is_what_lets_a_linked_account_see_visits(world, city):
    """An expert record alone does not open visits: the account needs the observer role."""
    plain = User.objects.create_user("plain", password="x")
    expert(world.units["own"], "赵专家", user=plain)
    from zhongxinzu.supervision.selectors import visits_visible

    assert not visits_visible(plain).exists()
    RoleGrant.objects.create(user=plain, role=Role.OBSERVER)
    assert visits_visible(plain).count() == 0  # on no team yet


def test_seed_001_scale_115_groups_24_teams_through_the_database(world):
    """Seed 001: 24 teams cover 115 committees in a year, in seconds."""
    import time

    own = world.units["own"]
    units = [add_unit(own, f"S{i:03d}", f"委办局{i}") for i in range(114)] + [world.units["child"]]
    teams = []
    for t in range(24):
        members = [
            expert(own, f"专家{t}-{k}", home_unit=units[(t * 5 + k) % 115]) for k in range(3)
        ]
        teams.append(team(own, f"第{t + 1:02d}旁听组", experts=members))
    today = timezone.localdate()
    began = time.perf_counter()
    plan = services.visit_plan_propose(
        actor=world.users["supervisor"],
        owner_unit=own,
        year=today.year,
        period_start=today,
        period_end=today + dt.timedelta(days=120),
    )
    assert time.perf_counter() - began < 5
    visits = list(plan.visits.select_related("group"))
    assert plan.uncovered == [] and len({v.group_id for v in visits}) == len(visits) == 115
    homes = {
        tm.team_id: {tm.expert.home_unit_id for tm in tm.team.memberships.select_related("expert")}
        for tm in TeamMember.objects.select_related("team")
    }
    assert not any(v.group.unit_id in homes[v.team_id] for v in visits)
    loads = planning.team_loads(visits)
    assert len(loads) == 24 and max(loads.values()) - min(loads.values()) <= 1


def test_publish_notices_carry_the_date_and_deadline_the_visit_has_when_published(world, city):
    plan = _propose(world, city)
    host = plan.visits.get(group__unit=city["units"][1])
    new_day = city["start"] + dt.timedelta(days=15)
    assert new_day != host.planned_on
    t2 = city["teams"][1]
    services.visit_update(actor=world.users["supervisor"], visit=host, team=t2, planned_on=new_day)
    host.refresh_from_db()
    services.visit_plan_publish(actor=world.users["supervisor"], plan=plan)
    day = f"{new_day.month}月{new_day.day}日"
    note = Notification.objects.get(user=city["sec_user"], key=f"visit_host:{host.pk}")
    assert f"第二旁听组将于{day}列席旁听" in note.message
    assert f"请于{host.materials_due}前报送" in note.message
    note = Notification.objects.get(user=world.users["observer"], key=f"visit_observer:{host.pk}")
    assert note.message == f"旁听任务：{day}列席旁听{host.group.name}"
