from zhongxinzu.api.tests.helpers import ids
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.plans.models import Prompt, PromptAck
from zhongxinzu.plans.tests.helpers import make_prompt, this_year


def draft(world, **fields):
    body = {
        "issuer_unit": world.units["own"].pk,
        "year": this_year(),
        "quarter": 2,
        "title": " 第二季度学习提示 ",
        "themes": "1. 学习全会精神\n2. 学习经济思想",
    }
    return {**body, **fields}


def test_supervisor_drafts_edits_and_issues_a_prompt(world, api):
    client = api("supervisor")
    created = client.post("/api/prompts", draft(world))
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["title"], body["status"], body["version"]) == ("第二季度学习提示", "draft", 1)
    path = f"/api/prompts/{body['id']}"
    # Drafts are not shown to the groups.
    assert api("secretary").get(path).status_code == 404
    assert body["id"] not in ids(api("member").get("/api/prompts"))
    edited = client.patch(path, {"version": 1, "readings": "《论党的自我革命》"})
    assert edited.status_code == 200, edited.content
    assert (edited.json()["readings"], edited.json()["version"]) == ("《论党的自我革命》", 2)
    assert client.patch(path, {"version": 1, "title": "旧版本"}).status_code == 409
    issued = client.post(f"{path}/issue", {"version": 2})
    assert issued.status_code == 200, issued.content
    assert issued.json()["status"] == "issued" and issued.json()["issued_at"]
    assert api("member").get(path).status_code == 200
    actions = set(
        AuditEntry.objects.filter(object_type="plans.Prompt", username="supervisor").values_list(
            "action", flat=True
        )
    )
    assert actions == {"create", "update", "issue"}


def test_issued_prompts_are_read_only(world, api):
    prompt = make_prompt(world, "own")
    client = api("supervisor")
    response = client.patch(f"/api/prompts/{prompt.pk}", {"version": 1, "title": "改"})
    assert response.status_code == 400
    assert "已下发" in response.json()["detail"]
    assert client.delete(f"/api/prompts/{prompt.pk}").status_code == 400
    assert api("secretary").patch(f"/api/prompts/{prompt.pk}", {"version": 1}).status_code == 403


def test_create_refusals(world, api):
    response = api("supervisor").post(
        "/api/prompts", draft(world, issuer_unit=world.units["parent"].pk)
    )
    assert (response.status_code, response.json()["field"]) == (400, "issuer_unit")
    blank = api("supervisor").post("/api/prompts", draft(world, title="  "))
    assert (blank.status_code, blank.json()["field"]) == (400, "title")
    assert blank.json()["detail"] == "请填写标题"
    bad = api("supervisor").post("/api/prompts", draft(world, quarter=5))
    assert bad.status_code == 422
    assert bad.json()["errors"] == [{"field": "quarter", "message": "不能大于4"}]
    for role in ("secretary", "leader", "member", "observer"):
        assert api(role).post("/api/prompts", draft(world)).status_code == 403, role
    assert not Prompt.objects.exists()


def test_delete_a_draft(world, api):
    prompt = make_prompt(world, "own", status="draft")
    assert api("supervisor").delete(f"/api/prompts/{prompt.pk}").status_code == 204
    assert not Prompt.objects.filter(pk=prompt.pk).exists()
    assert AuditEntry.objects.filter(action="delete", object_type="plans.Prompt").exists()


def test_groups_see_the_prompts_of_the_units_above(world, api):
    own, parent = make_prompt(world, "own"), make_prompt(world, "parent")
    child, sibling = make_prompt(world, "child"), make_prompt(world, "sibling")
    assert ids(api("member").get("/api/prompts")) == {own.pk, parent.pk}
    # the supervisor of "own" also follows up, read-only, what the unit above sends down
    assert ids(api("supervisor").get("/api/prompts")) == {own.pk, child.pk, parent.pk}
    assert ids(api("observer").get("/api/prompts")) == set()
    assert sibling.pk not in ids(api("secretary").get("/api/prompts"))


def test_list_filters(world, api):
    q1 = make_prompt(world, "own", quarter=1)
    q3 = make_prompt(world, "own", quarter=3, title="第三季度")
    old = make_prompt(world, "own", year=this_year() - 1)
    pending = make_prompt(world, "own", status="draft")
    client = api("supervisor")
    assert ids(client.get("/api/prompts", {"quarter": 3})) == {q3.pk}
    assert ids(client.get("/api/prompts", {"year": this_year() - 1})) == {old.pk}
    assert ids(client.get("/api/prompts", {"status": "draft"})) == {pending.pk}
    assert ids(client.get("/api/prompts", {"q": "第三"})) == {q3.pk}
    assert q1.pk in ids(client.get("/api/prompts", {"issuer_unit": world.units["own"].pk}))


def test_secretary_acknowledges_once_and_the_supervisor_tracks_it(world, api):
    prompt = make_prompt(world, "own")
    path = f"/api/prompts/{prompt.pk}"
    assert api("member").post(f"{path}/acknowledge", {}).status_code == 403
    response = api("secretary").post(f"{path}/acknowledge", {})
    assert response.status_code == 201, response.content
    assert response.json()["group_id"] == world.groups["own"].pk
    assert response.json()["acknowledged_by"] == "secretary"
    assert PromptAck.objects.filter(prompt=prompt, group=world.groups["own"]).exists()
    assert AuditEntry.objects.filter(action="acknowledge", username="secretary").exists()
    again = api("leader").post(f"{path}/acknowledge", {})
    assert again.status_code == 400
    assert again.json()["detail"] == "本中心组已签收该学习提示"
    assert api("member").get(path).json()["acknowledged"] is True

    tracking = api("supervisor").get(f"{path}/acks")
    assert tracking.status_code == 200, tracking.content
    body = tracking.json()
    assert (body["total"], body["acknowledged"], body["pending"]) == (2, 1, 1)
    states = {row["group_id"]: row["state"] for row in body["items"]}
    assert states == {world.groups["own"].pk: "on_time", world.groups["child"].pk: "pending"}
    pending = api("supervisor").get(f"{path}/acks", {"state": "pending"}).json()
    assert [r["group_id"] for r in pending["items"]] == [world.groups["child"].pk]
    assert api("secretary").get(f"{path}/acks").status_code == 403


def test_supervisor_below_the_issuer_tracks_only_its_own_groups(world, api):
    prompt = make_prompt(world, "parent")
    for rel in ("own", "sibling"):
        PromptAck.objects.create(
            prompt=prompt, group=world.groups[rel], acknowledged_by=world.users["secretary"]
        )
    body = api("supervisor").get(f"/api/prompts/{prompt.pk}/acks").json()
    assert (body["total"], body["acknowledged"], body["pending"]) == (2, 1, 1)
    assert {r["group_id"] for r in body["items"]} == {
        world.groups["own"].pk,
        world.groups["child"].pk,
    }
    patch = api("supervisor").patch(f"/api/prompts/{prompt.pk}", {"version": 1, "title": "改"})
    assert patch.status_code == 403


def test_acknowledge_for_a_group_not_led(world, api):
    prompt = make_prompt(world, "parent")
    path = f"/api/prompts/{prompt.pk}/acknowledge"
    response = api("secretary").post(path, {"group": world.groups["sibling"].pk})
    assert (response.status_code, response.json()["field"]) == (400, "group")
    response = api("secretary").post(path, {"group": world.groups["own"].pk})
    assert response.status_code == 201
