from zhongxinzu.api.tests.helpers import ids
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.org.models import StudyGroup, Unit
from zhongxinzu.org.services import unit_create


def test_supervisor_lists_own_subtree_only(world, api):
    response = api("supervisor").get("/api/units")
    assert ids(response) == {world.units["own"].pk, world.units["child"].pk}
    items = {i["code"]: i for i in response.json()["items"]}
    assert response.json()["count"] == 2
    # The parent of the subtree's top is out of scope, so it is not shown.
    assert items["A"]["parent_id"] is None
    assert items["A1"]["parent_id"] == world.units["own"].pk
    assert items["A1"]["group_id"] == world.groups["child"].pk


def test_group_roles_see_their_own_unit(world, api):
    for role in ("secretary", "leader", "member"):
        assert ids(api(role).get("/api/units")) == {world.units["own"].pk}


def test_list_filters_and_pagination(world, api):
    client = api("supervisor")
    own, child = world.units["own"], world.units["child"]
    assert ids(client.get("/api/units", {"q": "第一中学"})) == {child.pk}
    assert ids(client.get("/api/units", {"q": "a1"})) == {child.pk}
    assert ids(client.get("/api/units", {"kind": "党组"})) == set()
    assert ids(client.get("/api/units", {"parent": own.pk})) == {child.pk}
    assert ids(client.get("/api/units", {"parent": world.units["parent"].pk})) == {own.pk}
    Unit.objects.filter(pk=child.pk).update(is_active=False)
    assert ids(client.get("/api/units", {"active": "false"})) == {child.pk}
    assert ids(client.get("/api/units", {"active": "true"})) == {own.pk}
    page = client.get("/api/units", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 2
    assert [i["id"] for i in page["items"]] == [child.pk]


def test_bad_query_parameters_get_chinese_messages(world, api):
    response = api("supervisor").get("/api/units", {"limit": 0, "kind": "x"})
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "limit"
    assert {e["field"]: e["message"] for e in body["errors"]} == {
        "limit": "不能小于1",
        "kind": "取值不正确，可选：党委、党组、党工委、党总支、党支部、部门",
    }
    assert body["detail"].startswith("每页条数：不能小于1")


def test_detail_follows_scope(world, api):
    client = api("supervisor")
    response = client.get(f"/api/units/{world.units['child'].pk}")
    assert response.status_code == 200
    assert response.json()["code"] == "A1"
    for rel in ("parent", "sibling", "unrelated"):
        hidden = client.get(f"/api/units/{world.units[rel].pk}")
        assert hidden.status_code == 404
        assert hidden.json()["detail"] == "未找到或无权查看"


def test_supervisor_creates_a_child_unit_with_its_group(world, api):
    response = api("supervisor").post(
        "/api/units",
        {
            "parent": world.units["child"].pk,
            "name": " 市一中初中部党总支 ",
            "code": "A11",
            "kind": "党总支",
            "order": 3,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["depth"], body["parent_id"]) == (
        "市一中初中部党总支",
        4,
        world.units["child"].pk,
    )
    unit = Unit.objects.get(code="A11")
    assert StudyGroup.objects.filter(unit=unit).exists()
    assert body["group_id"] == unit.group.pk
    entry = AuditEntry.objects.get(action="create", object_type="org.Unit")
    assert (entry.username, entry.object_id) == ("supervisor", str(unit.pk))


def test_create_outside_the_subtree_is_refused_on_the_parent_field(world, api):
    response = api("supervisor").post(
        "/api/units",
        {"parent": world.units["sibling"].pk, "name": "新单位", "code": "B9", "kind": "党委"},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "parent"
    assert not Unit.objects.filter(code="B9").exists()


def test_create_validation_errors_name_the_field(world, api):
    response = api("supervisor").post(
        "/api/units",
        {"parent": world.units["own"].pk, "name": "新单位", "code": "A1", "kind": "党委"},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "code"
    assert response.json()["detail"] == "单位编码“A1”已被使用"
    response = api("supervisor").post(
        "/api/units",
        {"parent": world.units["own"].pk, "name": "新单位", "code": "有空 格", "kind": "党委"},
    )
    assert response.json()["errors"] == [
        {"field": "code", "message": "单位编码只能包含字母、数字、下划线和短横线，最长40位"}
    ]


def test_only_supervisors_create_units(world, api):
    body = {"parent": world.units["own"].pk, "name": "新单位", "code": "N1", "kind": "党委"}
    for role in ("secretary", "leader", "member", "observer", "sys_admin"):
        response = api(role).post("/api/units", body)
        assert response.status_code == 403, role
        assert response.json()["detail"] == "您无权创建单位"


def test_no_mass_assignment(world, api):
    response = api("supervisor").patch(
        f"/api/units/{world.units['own'].pk}",
        {"version": 1, "name": "新名称", "path": "0001", "depth": 1},
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"path", "depth"}
    assert Unit.objects.get(pk=world.units["own"].pk).name == "市教育局党委"


def test_update_renames_and_audits(world, api):
    unit = world.units["child"]
    response = api("supervisor").patch(
        f"/api/units/{unit.pk}", {"version": 1, "name": "市第一中学党委（新）"}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["name"], response.json()["version"]) == ("市第一中学党委（新）", 2)
    entry = AuditEntry.objects.get(action="update", object_type="org.Unit")
    assert entry.object_id == str(unit.pk)
    assert entry.detail == {"name": "市第一中学党委（新）"}


def test_stale_version_gets_409(world, api):
    client = api("supervisor")
    path = f"/api/units/{world.units['child'].pk}"
    assert client.patch(path, {"version": 1, "name": "第一次"}).status_code == 200
    response = client.patch(path, {"version": 1, "name": "第二次"})
    assert response.status_code == 409
    assert response.json()["detail"] == "该记录已被他人修改，请刷新页面后重新编辑"
    assert Unit.objects.get(pk=world.units["child"].pk).name == "第一次"


def test_read_only_roles_get_403_on_their_unit(world, api):
    for role in ("secretary", "leader", "member"):
        response = api(role).patch(
            f"/api/units/{world.units['own'].pk}", {"version": 1, "name": "x"}
        )
        assert response.status_code == 403, role


def test_move_within_the_subtree(world, api):
    target = unit_create(
        actor=None, parent=world.units["own"], name="市第二中学党委", code="A2", kind="党委"
    )
    child = world.units["child"]
    response = api("supervisor").patch(
        f"/api/units/{child.pk}", {"version": 1, "parent": target.pk}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["parent_id"], response.json()["depth"]) == (target.pk, 4)
    assert AuditEntry.objects.filter(action="move", object_id=str(child.pk)).exists()


def test_move_refusals(world, api):
    client = api("supervisor")
    child, own = world.units["child"], world.units["own"]
    response = client.patch(
        f"/api/units/{child.pk}", {"version": 1, "parent": world.units["sibling"].pk}
    )
    assert (response.status_code, response.json()["field"]) == (400, "parent")
    response = client.patch(f"/api/units/{own.pk}", {"version": 1, "parent": child.pk})
    assert (response.status_code, response.json()["field"]) == (403, "parent")
    # Nothing changed, not even the version.
    assert Unit.objects.get(pk=own.pk).version == 1
    assert Unit.objects.get(pk=child.pk).path.startswith(own.path)


def test_deactivate_needs_children_deactivated_first(world, api):
    client = api("supervisor")
    own, child = world.units["own"], world.units["child"]
    response = client.patch(f"/api/units/{own.pk}", {"version": 1, "is_active": False})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "is_active", "message": "请先停用该单位的全部下级单位"}
    ]
    assert Unit.objects.get(pk=own.pk).is_active
    response = client.patch(f"/api/units/{child.pk}", {"version": 1, "is_active": False})
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert not StudyGroup.objects.get(unit=child).is_active
