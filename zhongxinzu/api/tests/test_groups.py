from zhongxinzu.api.tests.helpers import ids
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.org.models import StudyGroup
from zhongxinzu.org.services import unit_create


def test_list_follows_scope(world, api):
    assert ids(api("supervisor").get("/api/groups")) == {
        world.groups["own"].pk,
        world.groups["child"].pk,
    }
    assert ids(api("member").get("/api/groups")) == {world.groups["own"].pk}
    assert ids(api("observer").get("/api/groups")) == set()


def test_list_shows_todays_member_count_and_filters(world, api):
    client = api("supervisor")
    response = client.get("/api/groups", {"unit": world.units["own"].pk})
    [group] = response.json()["items"]
    assert (group["id"], group["member_count"]) == (world.groups["own"].pk, 4)
    assert ids(client.get("/api/groups", {"q": "第一中学"})) == {world.groups["child"].pk}


def test_detail_follows_scope(world, api):
    assert api("leader").get(f"/api/groups/{world.groups['own'].pk}").status_code == 200
    assert api("leader").get(f"/api/groups/{world.groups['child'].pk}").status_code == 404
    assert api("supervisor").get(f"/api/groups/{world.groups['parent'].pk}").status_code == 404


def test_secretary_renames_the_group(world, api):
    group = world.groups["own"]
    response = api("secretary").patch(
        f"/api/groups/{group.pk}", {"version": 1, "name": "  教育局党委中心组 "}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["name"], response.json()["version"]) == ("教育局党委中心组", 2)
    assert AuditEntry.objects.filter(
        action="update", object_type="org.StudyGroup", username="secretary"
    ).exists()


def test_rename_errors(world, api):
    path = f"/api/groups/{world.groups['own'].pk}"
    blank = api("secretary").patch(path, {"version": 1, "name": "  "})
    assert (blank.status_code, blank.json()["field"]) == (400, "name")
    assert blank.json()["detail"] == "请填写中心组名称"
    assert api("secretary").patch(path, {"version": 7, "name": "新"}).status_code == 409
    assert api("leader").patch(path, {"version": 1, "name": "新"}).status_code == 403
    long = api("secretary").patch(path, {"version": 1, "name": "长" * 121})
    assert long.status_code == 422
    assert long.json()["errors"] == [{"field": "name", "message": "不能超过120个字"}]


def test_supervisor_creates_a_group_for_a_unit_without_one(world, api):
    unit = unit_create(
        actor=None,
        parent=world.units["child"],
        name="市一中团委",
        code="A1T",
        kind="部门",
        with_group=False,
    )
    client = api("supervisor")
    response = client.post("/api/groups", {"unit": unit.pk})
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "市一中团委理论学习中心组"
    assert StudyGroup.objects.filter(unit=unit).count() == 1
    again = client.post("/api/groups", {"unit": unit.pk, "name": "又一个"})
    assert (again.status_code, again.json()["field"]) == (400, "unit")
    assert again.json()["detail"] == "该单位已有理论学习中心组"


def test_group_create_outside_scope_or_by_others(world, api):
    unit = unit_create(
        actor=None,
        parent=world.units["sibling"],
        name="卫健委下属",
        code="B1",
        kind="部门",
        with_group=False,
    )
    response = api("supervisor").post("/api/groups", {"unit": unit.pk})
    assert (response.status_code, response.json()["field"]) == (400, "unit")
    assert api("secretary").post("/api/groups", {"unit": unit.pk}).status_code == 403
