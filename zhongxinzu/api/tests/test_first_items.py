import datetime as dt

from django.utils import timezone

from zhongxinzu.api.tests.helpers import ids
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.plans.models import FirstItem
from zhongxinzu.plans.tests.helpers import make_item, make_session


def item_body(world, rel="own", **fields):
    body = {
        "owner_unit": world.units[rel].pk,
        "title": "习近平在中央经济工作会议上的重要讲话",
        "kind": "speech",
        "released_on": str(timezone.localdate() - dt.timedelta(days=3)),
        "source": "新华社",
    }
    return {**body, **fields}


def test_supervisor_and_secretary_add_items_to_their_pools(world, api):
    for role, rel in (("supervisor", "child"), ("secretary", "own")):
        response = api(role).post("/api/first-items", item_body(world, rel))
        assert response.status_code == 201, response.content
        assert response.json()["owner_unit_id"] == world.units[rel].pk
    assert AuditEntry.objects.filter(action="create", object_type="plans.FirstItem").count() == 2


def test_create_refusals(world, api):
    response = api("secretary").post("/api/first-items", item_body(world, "child"))
    assert (response.status_code, response.json()["field"]) == (400, "owner_unit")
    future = str(timezone.localdate() + dt.timedelta(days=1))
    response = api("secretary").post("/api/first-items", item_body(world, released_on=future))
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "released_on", "message": "发布日期不能晚于今天"}
    ]
    assert api("secretary").post(
        "/api/first-items", item_body(world, released_on="1899-01-01")
    ).json()["field"] == ("released_on")
    for role in ("leader", "member", "observer"):
        assert api(role).post("/api/first-items", item_body(world)).status_code == 403, role
    assert not FirstItem.objects.exists()


def test_pools_follow_the_tree(world, api):
    own, parent = make_item(world, "own"), make_item(world, "parent")
    child, sibling = make_item(world, "child"), make_item(world, "sibling")
    assert ids(api("member").get("/api/first-items")) == {own.pk, parent.pk}
    # the supervisor of "own" also follows up, read-only, what the unit above sends down
    assert ids(api("supervisor").get("/api/first-items")) == {own.pk, child.pk, parent.pk}
    assert api("supervisor").delete(f"/api/first-items/{parent.pk}").status_code == 403
    assert api("member").get(f"/api/first-items/{sibling.pk}").status_code == 404


def test_restricted_material_only_for_staff_and_supervisors(world, api):
    item = make_item(world, "own", restricted=True, source="内部文件", summary="要点")
    member = api("member").get(f"/api/first-items/{item.pk}").json()
    assert (member["restricted"], member["source"], member["summary"]) == (True, "", "")
    secretary = api("secretary").get(f"/api/first-items/{item.pk}").json()
    assert (secretary["source"], secretary["summary"]) == ("内部文件", "要点")


def test_study_tracking_per_group(world, api):
    item = make_item(world, "own", released_days_ago=10)
    make_session(world.groups["own"], days_from_now=-2, first_item=item)
    listed = {i["id"]: i["studied"] for i in api("member").get("/api/first-items").json()["items"]}
    assert listed[item.pk] is True
    assert api("supervisor").get("/api/first-items").json()["items"][0]["studied"] is None
    response = api("supervisor").get(f"/api/first-items/{item.pk}/groups")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["total"], body["studied"], body["pending"]) == (2, 1, 1)
    rows = {r["group_id"]: r for r in body["items"]}
    own = rows[world.groups["own"].pk]
    assert (own["state"], own["lag"], own["limit"]) == ("on_time", 8, 30)
    assert rows[world.groups["child"].pk]["state"] == "pending"
    pending = api("supervisor").get(f"/api/first-items/{item.pk}/groups", {"state": "pending"})
    assert [r["group_id"] for r in pending.json()["items"]] == [world.groups["child"].pk]
    # a member sees only their own group's row
    assert [
        r["group_id"]
        for r in api("member").get(f"/api/first-items/{item.pk}/groups").json()["items"]
    ] == [world.groups["own"].pk]


def test_update_and_delete(world, api):
    item = make_item(world, "own")
    path = f"/api/first-items/{item.pk}"
    response = api("secretary").patch(path, {"kind": "article", "title": " 重要文章 "})
    assert response.status_code == 200, response.content
    assert (response.json()["kind"], response.json()["title"]) == ("article", "重要文章")
    assert api("leader").patch(path, {"title": "x"}).status_code == 403
    parents = make_item(world, "parent")
    assert (
        api("secretary").patch(f"/api/first-items/{parents.pk}", {"title": "x"}).status_code == 403
    )
    make_session(world.groups["own"], days_from_now=-1, first_item=item)
    studied = api("secretary").delete(path)
    assert studied.status_code == 400
    assert "不能删除" in studied.json()["detail"]
    fresh = make_item(world, "own", title="新议题")
    assert api("supervisor").delete(f"/api/first-items/{fresh.pk}").status_code == 204
    assert AuditEntry.objects.filter(action="delete", object_id=str(fresh.pk)).exists()
