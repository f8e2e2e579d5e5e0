import datetime as dt

from django.utils import timezone

from zhongxinzu.api.tests.helpers import ids
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.org.models import Membership, Person


def new_person(world, rel="own", name="赵敏"):
    return Person.objects.create(unit=world.units[rel], name=name, gender="女", post="处长")


def test_member_sees_only_the_own_group(world, api):
    expected = set(
        Membership.objects.filter(group=world.groups["own"]).values_list("pk", flat=True)
    )
    assert ids(api("member").get("/api/memberships")) == expected
    assert world.memberships["child"].pk not in expected


def test_supervisor_sees_the_subtree(world, api):
    response = api("supervisor").get("/api/memberships", {"group": world.groups["child"].pk})
    assert ids(response) == {world.memberships["child"].pk}
    assert (
        ids(api("supervisor").get("/api/memberships", {"group": world.groups["sibling"].pk}))
        == set()
    )


def test_filters_by_date_role_and_person(world, api):
    client = api("secretary")
    today = timezone.localdate()
    m = world.memberships["own"]
    Membership.objects.filter(pk=m.pk).update(end_date=today - dt.timedelta(days=10))
    on_today = ids(client.get("/api/memberships", {"on": today.isoformat()}))
    earlier = ids(client.get("/api/memberships", {"on": str(today - dt.timedelta(days=20))}))
    assert m.pk not in on_today and m.pk in earlier
    assert ids(client.get("/api/memberships", {"role": "leader"})) == set(
        Membership.objects.filter(group=world.groups["own"], role="leader").values_list(
            "pk", flat=True
        )
    )
    assert ids(client.get("/api/memberships", {"person": m.person_id})) == {m.pk}
    bad = client.get("/api/memberships", {"on": "2026-13-01"})
    assert (bad.status_code, bad.json()["field"]) == (422, "on")


def test_secretary_adds_a_member(world, api):
    person = new_person(world)
    response = api("secretary").post(
        "/api/memberships",
        {
            "group": world.groups["own"].pk,
            "person": person.pk,
            "role": "deputy",
            "start_date": "2026-01-01",
            "note": "新任",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["person_name"], body["role_label"], body["end_date"]) == ("赵敏", "副组长", None)
    m = Membership.objects.get(person=person)
    assert m.role_rank == Membership.rank_of("deputy")
    assert AuditEntry.objects.filter(
        action="create", object_type="org.Membership", object_id=str(m.pk)
    ).exists()


def test_only_people_of_the_groups_unit(world, api):
    response = api("secretary").post(
        "/api/memberships",
        {
            "group": world.groups["own"].pk,
            "person": world.people["child"].pk,
            "role": "member",
            "start_date": "2026-01-01",
        },
    )
    assert (response.status_code, response.json()["field"]) == (400, "person")


def test_overlapping_membership_is_refused(world, api):
    response = api("secretary").post(
        "/api/memberships",
        {
            "group": world.groups["own"].pk,
            "person": world.people["own"].pk,
            "role": "member",
            "start_date": "2026-01-01",
        },
    )
    assert response.status_code == 400
    assert response.json()["field"] == "person"
    assert "已是本中心组成员" in response.json()["detail"]


def test_leader_cannot_add_or_edit(world, api):
    client = api("leader")
    response = client.post(
        "/api/memberships",
        {
            "group": world.groups["own"].pk,
            "person": new_person(world).pk,
            "role": "member",
            "start_date": "2026-01-01",
        },
    )
    assert response.status_code == 403
    m = world.memberships["own"]
    assert client.patch(f"/api/memberships/{m.pk}", {"version": 1, "note": "x"}).status_code == 403


def test_secretary_cannot_touch_another_group(world, api):
    response = api("secretary").post(
        "/api/memberships",
        {
            "group": world.groups["child"].pk,
            "person": world.people["child"].pk,
            "role": "member",
            "start_date": "2026-01-01",
        },
    )
    assert (response.status_code, response.json()["field"]) == (400, "group")
    m = world.memberships["child"]
    assert (
        api("secretary").patch(f"/api/memberships/{m.pk}", {"version": 1, "note": "x"}).status_code
        == 404
    )


def test_update_ends_a_membership_and_checks_dates(world, api):
    m = world.memberships["own"]
    client = api("secretary")
    early = (m.start_date - dt.timedelta(days=1)).isoformat()
    response = client.patch(f"/api/memberships/{m.pk}", {"version": 1, "end_date": early})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "end_date", "message": "结束日期不能早于起始日期"}
    ]
    end = timezone.localdate().isoformat()
    response = client.patch(f"/api/memberships/{m.pk}", {"version": 1, "end_date": end})
    assert response.status_code == 200, response.content
    assert (response.json()["end_date"], response.json()["version"]) == (end, 2)
    assert client.patch(f"/api/memberships/{m.pk}", {"version": 1, "note": "旧"}).status_code == 409
    # null reopens it
    response = client.patch(f"/api/memberships/{m.pk}", {"version": 2, "end_date": None})
    assert response.json()["end_date"] is None


def test_role_must_be_one_of_the_choices(world, api):
    m = world.memberships["own"]
    response = api("secretary").patch(f"/api/memberships/{m.pk}", {"version": 1, "role": "boss"})
    assert response.status_code == 422
    assert response.json()["field"] == "role"
    assert response.json()["detail"].startswith("组内角色：取值不正确，可选：leader、deputy")
