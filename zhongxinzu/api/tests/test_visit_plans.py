"""/api/visit-plans: the supervisor proposes a draft, adjusts its visits, publishes it."""

import datetime as dt

import pytest
from django.utils import timezone

from zhongxinzu.accounts.models import User
from zhongxinzu.api.services import token_issue
from zhongxinzu.api.tests.helpers import ApiClient, ids
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.compliance.models import Notification
from zhongxinzu.meetings.models import StudySession
from zhongxinzu.org.models import Membership, Person
from zhongxinzu.supervision import planning, services
from zhongxinzu.supervision.models import ObservationVisit, VisitPlan
from zhongxinzu.supervision.tests.helpers import add_unit, expert, team


@pytest.fixture
def city(world):
    """A (supervised) with four groups below: A1 (the world's child) and A2..A4. Two teams
    of A: the first has a member working at A1, the second holds the `observer` user. A2
    has a session in the period and a secretary with an account."""
    own = world.units["own"]
    units = [world.units["child"]] + [add_unit(own, f"A{i}", f"市属单位{i}") for i in (2, 3, 4)]
    today = timezone.localdate()
    t1 = team(own, "第一旁听组", experts=[expert(own, "张专家", home_unit=units[0])])
    t2 = team(own, "第二旁听组", experts=[expert(own, "李专家", user=world.users["observer"])])
    start = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=20), dt.time(9)))
    session = StudySession.objects.create(
        group=units[1].group,
        kind="study",
        title="学习贯彻全会精神",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        place="三楼会议室",
    )
    person = Person.objects.create(unit=units[1], name="秘书乙", gender="女")
    Membership.objects.create(
        group=units[1].group,
        person=person,
        role="secretary",
        role_rank=Membership.rank_of("secretary"),
        start_date=today - dt.timedelta(days=30),
    )
    host_secretary = User.objects.create_user(
        "sec2", password="x", person=person, password_changed_at=timezone.now()
    )
    return {
        "units": units,
        "teams": (t1, t2),
        "session": session,
        "host_secretary": host_secretary,
        "start": today,
        "end": today + dt.timedelta(days=90),
    }


def proposal(world, city, **fields) -> dict:
    return {
        "owner_unit": world.units["own"].pk,
        "year": city["start"].year,
        "period_start": city["start"].isoformat(),
        "period_end": city["end"].isoformat(),
        **fields,
    }


def propose(api, world, city, **fields) -> dict:
    response = api("supervisor").post("/api/visit-plans", proposal(world, city, **fields))
    assert response.status_code == 201, response.content
    return response.json()


def as_user(user) -> ApiClient:
    return ApiClient(token_issue(user=user)[0])


def test_supervisor_proposes_then_publishes_a_plan(world, api, city):
    t1, t2 = city["teams"]
    a1, a2, a3, a4 = city["units"]
    # Someone on the second team works at A1 as well: no team may visit A1.
    services.team_member_add(
        actor=world.users["supervisor"],
        team=t2,
        expert=expert(world.units["own"], "王专家", home_unit=a1),
    )
    client = api("supervisor")
    plan = propose(api, world, city)
    assert (plan["status"], plan["mode"], plan["visit_count"]) == ("draft", "teams", 3)
    assert {v["group_id"] for v in plan["visits"]} == {u.group.pk for u in (a2, a3, a4)}
    assert plan["uncovered"] == [
        {"group_id": a1.group.pk, "group_name": a1.group.name, "reason": planning.REASON_CONFLICT}
    ]
    loads = {row["team_id"]: row["visits"] for row in plan["team_loads"]}
    assert set(loads) == {t1.pk, t2.pk} and sum(loads.values()) == 3
    host = next(v for v in plan["visits"] if v["group_id"] == a2.group.pk)
    assert host["session_id"] == city["session"].pk
    assert host["materials_due"] < host["planned_on"] < host["summary_due"]
    entry = AuditEntry.objects.get(action="plan_propose", object_id=str(plan["id"]))
    assert (entry.detail["visits"], entry.detail["uncovered"]) == (3, 1)
    # Nobody hears of a draft: the host's secretary and the observer see no visit yet.
    host_secretary = as_user(city["host_secretary"])
    assert ids(host_secretary.get("/api/visits")) == set()
    assert ids(api("observer").get("/api/visits")) == set()
    assert not Notification.objects.exists()

    response = client.post(f"/api/visit-plans/{plan['id']}/publish", {"version": plan["version"]})
    assert response.status_code == 200, response.content
    published = response.json()
    assert published["status"] == "published" and published["published_at"]
    assert published["notified"] == Notification.objects.count() > 0
    note = Notification.objects.get(user=city["host_secretary"], key=f"visit_host:{host['id']}")
    assert host["materials_due"] in note.message and note.kind == "observation"
    t2_visits = {v["id"] for v in published["visits"] if v["team_id"] == t2.pk}
    assert {n.key for n in Notification.objects.filter(user=world.users["observer"])} == {
        f"visit_observer:{pk}" for pk in t2_visits
    }
    entry = AuditEntry.objects.get(action="publish", object_id=str(plan["id"]))
    assert entry.detail["visits"] == 3
    assert ids(host_secretary.get("/api/visits")) == {host["id"]}
    assert ids(api("observer").get("/api/visits")) == t2_visits


def test_a_stale_version_does_not_publish(world, api, city):
    plan = propose(api, world, city)
    response = api("supervisor").post(
        f"/api/visit-plans/{plan['id']}/publish", {"version": plan["version"] + 1}
    )
    assert response.status_code == 409
    assert "已被他人修改" in response.json()["detail"]
    assert VisitPlan.objects.get(pk=plan["id"]).status == "draft"
    assert not Notification.objects.exists()


def test_publishing_rechecks_that_no_team_visits_where_a_member_works(world, api, city):
    plan = propose(api, world, city)
    visit = ObservationVisit.objects.filter(plan_id=plan["id"], team__isnull=False).first()
    services.team_member_add(
        actor=world.users["supervisor"],
        team=visit.team,
        expert=expert(world.units["own"], "赵专家", home_unit=visit.group.unit),
    )
    response = api("supervisor").post(
        f"/api/visit-plans/{plan['id']}/publish", {"version": plan["version"]}
    )
    assert response.status_code == 400
    assert "需调整后再发布" in response.json()["detail"]
    assert VisitPlan.objects.get(pk=plan["id"]).status == "draft"


def test_cross_mode_pairs_sibling_groups(world, api, city):
    plan = propose(api, world, city, mode="cross", title="交叉旁听")
    assert (plan["title"], plan["mode_label"]) == ("交叉旁听", "交叉旁听（结对子）")
    hosts = {v["group_id"]: v["observer_group_id"] for v in plan["visits"]}
    assert set(hosts) == {u.group.pk for u in city["units"]}
    assert all(observer and observer != host for host, observer in hosts.items())
    assert all(v["team_id"] is None for v in plan["visits"])


def test_proposal_validation_changes_nothing(world, api, city):
    client = api("supervisor")
    cases = [
        ({"period_end": (city["start"] - dt.timedelta(days=1)).isoformat()}, "period_end"),
        ({"owner_unit": world.units["sibling"].pk}, "owner_unit"),
        ({"owner_unit": world.units["parent"].pk}, "owner_unit"),
    ]
    for fields, field in cases:
        response = client.post("/api/visit-plans", proposal(world, city, **fields))
        assert (response.status_code, response.json()["field"]) == (400, field), fields
        assert response.json()["detail"]
    bad_mode = client.post("/api/visit-plans", proposal(world, city, mode="random"))
    assert (bad_mode.status_code, bad_mode.json()["field"]) == (422, "mode")
    # A1 has no groups below it.
    leaf = client.post("/api/visit-plans", proposal(world, city, owner_unit=city["units"][0].pk))
    assert leaf.status_code == 400 and "没有启用的中心组" in leaf.json()["detail"]
    assert not VisitPlan.objects.exists() and not ObservationVisit.objects.exists()
    for role in ("secretary", "leader", "observer", "sys_admin"):
        assert api(role).post("/api/visit-plans", proposal(world, city)).status_code == 403


def test_draft_visits_are_adjusted_and_a_conflicting_team_is_refused(world, api, city):
    t1, t2 = city["teams"]
    a1 = city["units"][0]
    plan = propose(api, world, city)
    client = api("supervisor")
    at_a1 = next(v for v in plan["visits"] if v["group_id"] == a1.group.pk)
    assert at_a1["team_id"] == t2.pk
    # The first team has a member working at A1.
    refused = client.patch(
        f"/api/visits/{at_a1['id']}", {"version": at_a1["version"], "team": t1.pk}
    )
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {"field": "team", "message": "该旁听组有成员在被旁听单位工作，需回避"}
    ]
    outside = client.patch(
        f"/api/visits/{at_a1['id']}",
        {"version": at_a1["version"], "planned_on": (city["end"] + dt.timedelta(1)).isoformat()},
    )
    assert (outside.status_code, outside.json()["field"]) == (400, "planned_on")
    foreign = team(world.units["sibling"], "外单位旁听组")
    unseen = client.patch(
        f"/api/visits/{at_a1['id']}", {"version": at_a1["version"], "team": foreign.pk}
    )
    assert (unseen.status_code, unseen.json()["field"]) == (400, "team")
    visit = ObservationVisit.objects.get(pk=at_a1["id"])
    assert (visit.team_id, visit.version) == (t2.pk, at_a1["version"])

    other = next(v for v in plan["visits"] if v["group_id"] != a1.group.pk)
    new_day = city["start"] + dt.timedelta(days=40)
    moved = client.patch(
        f"/api/visits/{other['id']}",
        {"version": other["version"], "team": t1.pk, "planned_on": new_day.isoformat()},
    )
    assert moved.status_code == 200, moved.content
    body = moved.json()
    assert (body["team_id"], body["planned_on"]) == (t1.pk, new_day.isoformat())
    assert body["materials_due"] < body["planned_on"]
    assert AuditEntry.objects.filter(action="visit_update", object_id=str(other["id"])).exists()
    stale = client.patch(f"/api/visits/{other['id']}", {"version": other["version"], "team": t2.pk})
    assert stale.status_code == 409
    assert ObservationVisit.objects.get(pk=other["id"]).team_id == t1.pk

    assert client.delete(f"/api/visits/{other['id']}").status_code == 204
    assert not ObservationVisit.objects.filter(pk=other["id"]).exists()
    assert AuditEntry.objects.filter(action="visit_remove", object_id=str(plan["id"])).exists()
    detail = client.get(f"/api/visit-plans/{plan['id']}").json()
    assert detail["visit_count"] == len(detail["visits"]) == 3


def test_published_plans_and_their_visits_are_not_edited_or_deleted(world, api, city):
    plan = propose(api, world, city)
    client = api("supervisor")
    client.post(f"/api/visit-plans/{plan['id']}/publish", {"version": plan["version"]})
    visit = plan["visits"][0]
    for response in (
        client.delete(f"/api/visit-plans/{plan['id']}"),
        client.delete(f"/api/visits/{visit['id']}"),
        client.patch(f"/api/visits/{visit['id']}", {"version": visit["version"], "team": None}),
    ):
        assert response.status_code == 400
        assert response.json()["detail"] == "计划已发布，不能再调整"
    assert ObservationVisit.objects.filter(plan_id=plan["id"]).count() == 4


def test_a_draft_is_deleted_with_its_visits(world, api, city):
    plan = propose(api, world, city)
    assert api("supervisor").delete(f"/api/visit-plans/{plan['id']}").status_code == 204
    assert not VisitPlan.objects.exists() and not ObservationVisit.objects.exists()
    entry = AuditEntry.objects.get(action="delete", object_type="supervision.VisitPlan")
    assert entry.detail["title"] == plan["title"]


def test_plans_are_seen_by_the_supervisors_above_only(world, api, city):
    plan = propose(api, world, city)
    theirs = VisitPlan.objects.create(
        owner_unit=world.units["sibling"],
        year=2026,
        title="兄弟单位计划",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        created_by=world.users["supervisor"],
    )
    client = api("supervisor")
    assert ids(client.get("/api/visit-plans")) == {plan["id"]}
    assert ids(client.get("/api/visit-plans", {"status": "published"})) == set()
    assert ids(client.get("/api/visit-plans", {"year": city["start"].year})) == {plan["id"]}
    assert client.get(f"/api/visit-plans/{theirs.pk}").status_code == 404
    assert client.delete(f"/api/visit-plans/{theirs.pk}").status_code == 404
    for role in ("secretary", "leader", "member", "observer", "sys_admin"):
        assert ids(api(role).get("/api/visit-plans")) == set(), role
        assert api(role).get(f"/api/visit-plans/{plan['id']}").status_code == 404, role
        response = api(role).post(f"/api/visit-plans/{plan['id']}/publish", {"version": 1})
        assert response.status_code == 404, role
