"""/api/experts and /api/teams: the expert pool and the observation teams of a supervising
unit, managed by its supervisors and those above; nobody else sees them."""

from zhongxinzu.api.tests.helpers import ids
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.supervision.models import Expert, ObservationTeam, TeamMember
from zhongxinzu.supervision.tests.helpers import expert, team


def add_expert(api, world, **fields):
    return api("supervisor").post("/api/experts", {"owner_unit": world.units["own"].pk, **fields})


def test_supervisor_adds_a_person_from_the_roster_to_the_pool(world, api):
    person = world.people["child"]
    response = add_expert(api, world, person=person.pk, field="党史党建", username="observer")
    assert response.status_code == 201, response.content
    body = response.json()
    # Name, home unit and employer come from the person.
    assert (body["name"], body["home_unit_id"], body["employer"]) == (
        person.name,
        world.units["child"].pk,
        world.units["child"].name,
    )
    assert (body["person_id"], body["username"], body["is_active"]) == (person.pk, "observer", True)
    assert Expert.objects.get(pk=body["id"]).user == world.users["observer"]
    assert AuditEntry.objects.filter(
        action="create", object_type="supervision.Expert", object_id=str(body["id"])
    ).exists()
    outside = add_expert(api, world, name="外请专家", employer="市委党校", title="教授")
    assert outside.status_code == 201
    assert (outside.json()["person_id"], outside.json()["home_unit_id"]) == (None, None)


def test_expert_validation_changes_nothing(world, api):
    cases = [
        ({}, "name", "请填写姓名，或选择对应人员"),
        ({"name": "专家", "person": world.people["sibling"].pk}, "person", None),
        ({"name": "专家", "home_unit": world.units["unrelated"].pk}, "home_unit", None),
        ({"name": "专家", "username": "nobody"}, "username", "未找到该登录账号（或账号已停用）"),
        ({"name": "专家", "owner_unit": world.units["parent"].pk}, "owner_unit", None),
    ]
    for fields, field, message in cases:
        response = add_expert(api, world, **fields)
        assert (response.status_code, response.json()["field"]) == (400, field), fields
        assert response.json()["detail"] == message or message is None
    long_name = add_expert(api, world, name="长" * 41)
    assert (long_name.status_code, long_name.json()["field"]) == (422, "name")
    assert not Expert.objects.exists()


def test_expert_update_with_optimistic_locking(world, api):
    e = expert(world.units["own"], "张专家", field="党史")
    client = api("supervisor")
    response = client.patch(f"/api/experts/{e.pk}", {"version": 1, "title": "研究员"})
    assert response.status_code == 200, response.content
    assert (response.json()["title"], response.json()["field"], response.json()["version"]) == (
        "研究员",
        "党史",
        2,
    )
    stale = client.patch(f"/api/experts/{e.pk}", {"version": 1, "title": "教授"})
    assert stale.status_code == 409
    assert Expert.objects.get(pk=e.pk).title == "研究员"
    entry = AuditEntry.objects.get(action="update", object_id=str(e.pk))
    assert entry.detail == {"title": "研究员"}
    # Moving the expert to a pool the supervisor does not run is refused.
    refused = client.patch(
        f"/api/experts/{e.pk}", {"version": 2, "owner_unit": world.units["sibling"].pk}
    )
    assert (refused.status_code, refused.json()["field"]) == (400, "owner_unit")


def test_expert_leaves_the_pool_and_comes_back(world, api):
    e = expert(world.units["own"], "张专家")
    client = api("supervisor")
    out = client.patch(f"/api/experts/{e.pk}", {"version": 1, "is_active": False})
    assert (out.status_code, out.json()["is_active"]) == (200, False)
    assert AuditEntry.objects.filter(action="deactivate", object_id=str(e.pk)).exists()
    assert ids(client.get("/api/experts", {"active": True})) == set()
    assert ids(client.get("/api/experts", {"active": False})) == {e.pk}
    stale = client.patch(f"/api/experts/{e.pk}", {"version": 1, "is_active": True})
    assert stale.status_code == 409
    assert not Expert.objects.get(pk=e.pk).is_active
    back = client.patch(f"/api/experts/{e.pk}", {"version": 2, "is_active": True, "field": "党建"})
    assert (back.json()["is_active"], back.json()["field"], back.json()["version"]) == (
        True,
        "党建",
        4,
    )


def test_expert_list_filters(world, api):
    a = expert(world.units["own"], "张专家", field="党史")
    b = expert(world.units["child"], "李专家", employer="市委党校")
    client = api("supervisor")
    assert ids(client.get("/api/experts")) == {a.pk, b.pk}
    assert ids(client.get("/api/experts", {"q": "党校"})) == {b.pk}
    assert ids(client.get("/api/experts", {"owner_unit": world.units["own"].pk})) == {a.pk}


def test_pools_and_teams_are_the_supervisors_only(world, api):
    mine = expert(world.units["own"], "张专家")
    above = expert(world.units["parent"], "上级专家")
    beside = expert(world.units["sibling"], "兄弟专家")
    my_team = team(world.units["own"], "第一旁听组", experts=[mine])
    their_team = team(world.units["sibling"], "兄弟旁听组", experts=[beside])
    client = api("supervisor")
    assert ids(client.get("/api/experts")) == {mine.pk}
    assert ids(client.get("/api/teams")) == {my_team.pk}
    for path in (f"/api/experts/{above.pk}", f"/api/experts/{beside.pk}"):
        assert client.get(path).status_code == 404
    assert client.get(f"/api/teams/{their_team.pk}").status_code == 404
    member = TeamMember.objects.get(team=their_team)
    assert client.delete(f"/api/teams/{their_team.pk}/members/{member.pk}").status_code == 404
    for role in ("secretary", "leader", "member", "observer", "sys_admin", "audit_admin"):
        other = api(role)
        assert ids(other.get("/api/experts")) == set(), role
        assert ids(other.get("/api/teams")) == set(), role
        assert other.get(f"/api/experts/{mine.pk}").status_code == 404, role
        assert other.get(f"/api/teams/{my_team.pk}").status_code == 404, role
        assert other.post("/api/experts", {"owner_unit": 1, "name": "专家"}).status_code == 403
        body = {"owner_unit": 1, "year": 2026, "name": "旁听组"}
        assert other.post("/api/teams", body).status_code == 403


def test_supervisor_builds_a_team(world, api):
    own = world.units["own"]
    zhang, li = expert(own, "张专家"), expert(world.units["parent"], "上级专家")
    client = api("supervisor")
    created = client.post("/api/teams", {"owner_unit": own.pk, "year": 2026, "name": "第一旁听组"})
    assert created.status_code == 201, created.content
    team_id = created.json()["id"]
    again = client.post("/api/teams", {"owner_unit": own.pk, "year": 2026, "name": "第一旁听组"})
    assert (again.status_code, again.json()["detail"]) == (400, "本年度已有同名旁听组")

    added = client.post(f"/api/teams/{team_id}/members", {"expert": zhang.pk, "is_leader": True})
    assert added.status_code == 201, added.content
    assert [(m["expert_name"], m["is_leader"]) for m in added.json()["members"]] == [
        ("张专家", True)
    ]
    twice = client.post(f"/api/teams/{team_id}/members", {"expert": zhang.pk})
    assert (twice.status_code, twice.json()["errors"]) == (
        400,
        [{"field": "expert", "message": "该专家已在本组"}],
    )
    # The parent unit's pool is out of the supervisor's reach.
    above = client.post(f"/api/teams/{team_id}/members", {"expert": li.pk})
    assert (above.status_code, above.json()["field"]) == (400, "expert")
    gone = expert(own, "出库专家", is_active=False)
    inactive = client.post(f"/api/teams/{team_id}/members", {"expert": gone.pk})
    assert (inactive.status_code, inactive.json()["detail"]) == (
        400,
        "该专家已出库，不能编入旁听组",
    )
    assert TeamMember.objects.filter(team_id=team_id).count() == 1

    wang = expert(own, "王专家")
    client.post(f"/api/teams/{team_id}/members", {"expert": wang.pk})
    wang_member = TeamMember.objects.get(team_id=team_id, expert=wang)
    led = client.post(f"/api/teams/{team_id}/members/{wang_member.pk}/leader")
    assert led.status_code == 200, led.content
    assert (led.json()["leader_name"], led.json()["member_count"]) == ("王专家", 2)
    assert [m["expert_name"] for m in led.json()["members"] if m["is_leader"]] == ["王专家"]
    assert AuditEntry.objects.filter(action="team_leader_set", object_id=str(team_id)).exists()

    zhang_member = TeamMember.objects.get(team_id=team_id, expert=zhang)
    # A member of another team is not found under this one.
    other = team(own, "第二旁听组", experts=[expert(own, "赵专家")])
    stranger = TeamMember.objects.get(team=other)
    assert client.delete(f"/api/teams/{team_id}/members/{stranger.pk}").status_code == 404
    assert client.delete(f"/api/teams/{team_id}/members/{zhang_member.pk}").status_code == 204
    assert not TeamMember.objects.filter(pk=zhang_member.pk).exists()
    assert AuditEntry.objects.filter(action="team_member_remove", object_id=str(team_id)).exists()
    assert AuditEntry.objects.filter(action="team_member_add", object_id=str(team_id)).count() == 2


def test_team_update_with_optimistic_locking(world, api):
    t = team(world.units["own"], "第一旁听组", year=2026)
    team(world.units["own"], "第二旁听组", year=2026)
    client = api("supervisor")
    renamed = client.patch(f"/api/teams/{t.pk}", {"version": 1, "name": "综合旁听组"})
    assert (renamed.status_code, renamed.json()["name"], renamed.json()["is_active"]) == (
        200,
        "综合旁听组",
        True,
    )
    stale = client.patch(f"/api/teams/{t.pk}", {"version": 1, "is_active": False})
    assert stale.status_code == 409
    clash = client.patch(f"/api/teams/{t.pk}", {"version": 2, "name": "第二旁听组"})
    assert (clash.status_code, clash.json()["field"]) == (400, "name")
    off = client.patch(f"/api/teams/{t.pk}", {"version": 2, "is_active": False})
    assert (off.json()["is_active"], off.json()["name"]) == (False, "综合旁听组")
    assert ObservationTeam.objects.get(pk=t.pk).version == 3


def test_team_list_filters(world, api):
    this = team(
        world.units["own"], "本年旁听组", year=2026, experts=[expert(world.units["own"], "张")]
    )
    last = team(world.units["child"], "去年旁听组", year=2025)
    client = api("supervisor")
    assert ids(client.get("/api/teams", {"year": 2026})) == {this.pk}
    assert ids(client.get("/api/teams", {"owner_unit": world.units["child"].pk})) == {last.pk}
    row = next(r for r in client.get("/api/teams").json()["items"] if r["id"] == this.pk)
    assert (row["member_count"], row["leader_name"]) == (1, "张")
