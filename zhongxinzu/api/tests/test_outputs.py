import datetime as dt

from django.utils import timezone

from zhongxinzu.api.tests.helpers import ids
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.outputs.models import Conversion, Output
from zhongxinzu.plans.tests.helpers import make_session


def hand_in(api, world, role="member", **fields):
    body = {
        "group": world.groups["own"].pk,
        "kind": "reflection",
        "title": "学习心得",
        "body": "正文",
    }
    return api(role).post("/api/outputs", {**body, **fields})


def output_of(world, rel="own", **fields):
    author = world.users["member"].person if rel == "own" else world.people[rel]
    defaults = dict(
        author=author,
        kind="notes",
        title="学习笔记",
        body="笔记",
        year=timezone.localdate().year,
        status="submitted",
        submitted_at=timezone.now(),
    )
    return Output.objects.create(group=world.groups[rel], **{**defaults, **fields})


def test_member_hands_in_an_output(world, api):
    response = hand_in(api, world)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["author_name"], body["status_label"], body["review_state"]) == (
        "member人",
        "已提交",
        None,
    )
    assert AuditEntry.objects.filter(
        action="create", object_type="outputs.Output", username="member"
    ).exists()


def test_hand_in_refusals(world, api):
    assert hand_in(api, world, "supervisor").status_code == 403
    assert hand_in(api, world, "observer").status_code == 403
    other = hand_in(api, world, group=world.groups["child"].pk)
    assert (other.status_code, other.json()["field"]) == (400, "group")
    empty = hand_in(api, world, body="")
    assert (empty.status_code, empty.json()["field"]) == (400, "body")
    unknown = hand_in(api, world, session=999999)
    assert (unknown.status_code, unknown.json()["field"]) == (400, "session")
    past = make_session(world.groups["own"], days_from_now=-1)
    late = hand_in(api, world, kind="speech", session=past.pk)
    assert (late.status_code, late.json()["field"]) == (400, "session")
    huge = hand_in(api, world, body="学" * 300_000)
    assert huge.status_code in (400, 422) and huge.json()["field"] == "body"
    two_lines = hand_in(api, world, title="心得\r\n附件.exe")
    assert two_lines.status_code in (400, 422) and two_lines.json()["field"] == "title"
    assert not Output.objects.exists()


def test_the_services_refuse_what_every_path_must_refuse(world):
    """Forms and API schemas bound their fields; the services hold the same line for any
    other caller (imports, jobs, the shell)."""
    import pytest
    from django.core.exceptions import ValidationError

    from zhongxinzu.outputs import services

    with pytest.raises(ValidationError) as e:
        services.output_create(
            actor=world.users["member"],
            group=world.groups["own"],
            kind="article",
            title="\u202e心得exe.docx",
            body="学" * 300_000,
        )
    assert set(e.value.message_dict) == {"title", "body"}
    assert "20000" in e.value.message_dict["body"][0]
    assert not Output.objects.exists()


def test_who_sees_which_outputs(world, api):
    mine = output_of(world)
    colleague = output_of(world, author=world.people["own"])
    child = output_of(world, "child")
    assert ids(api("member").get("/api/outputs")) == {mine.pk}
    assert ids(api("secretary").get("/api/outputs")) == {mine.pk, colleague.pk}
    assert ids(api("supervisor").get("/api/outputs")) == {mine.pk, colleague.pk, child.pk}
    assert api("member").get(f"/api/outputs/{colleague.pk}").status_code == 404
    assert ids(api("supervisor").get("/api/outputs", {"group": world.groups["child"].pk})) == {
        child.pk
    }
    assert ids(api("member").get("/api/outputs", {"mine": "true"})) == {mine.pk}
    assert ids(api("supervisor").get("/api/outputs", {"mine": "true"})) == set()


def test_speech_draft_reviewed_by_the_leader_before_the_session(world, api):
    session = make_session(world.groups["own"], days_from_now=3, status="planned")
    created = hand_in(api, world, kind="speech", title="发言提纲", session=session.pk).json()
    assert (created["status"], created["review_state"]) == ("submitted", "pending")
    path = f"/api/outputs/{created['id']}"
    assert ids(api("leader").get("/api/outputs", {"review": "true"})) == {created["id"]}
    assert (
        api("member").post(f"{path}/review", {"version": 1, "decision": "approve"}).status_code
        == 403
    )
    no_comment = api("leader").post(f"{path}/review", {"version": 1, "decision": "return"})
    assert (no_comment.status_code, no_comment.json()["field"]) == (400, "comment")
    returned = api("leader").post(
        f"{path}/review", {"version": 1, "decision": "return", "comment": "请结合实际"}
    )
    assert returned.json()["status"] == "returned"
    revised = api("member").patch(path, {"version": 2, "body": "修改后的发言提纲"})
    assert revised.status_code == 200, revised.content
    assert (revised.json()["status"], revised.json()["body"]) == ("submitted", "修改后的发言提纲")
    approved = api("leader").post(f"{path}/review", {"version": 3, "decision": "approve"})
    assert (approved.json()["status"], approved.json()["review_state"]) == ("approved", "ok")
    assert approved.json()["reviewed_by"] == "leader"
    locked = api("member").patch(path, {"version": 4, "title": "再改"})
    assert locked.status_code == 400
    actions = set(
        AuditEntry.objects.filter(object_type="outputs.Output").values_list("action", flat=True)
    )
    assert {"create", "return", "update", "approve"} <= actions


def test_only_the_author_changes_or_withdraws(world, api):
    output = output_of(world)
    path = f"/api/outputs/{output.pk}"
    assert api("secretary").patch(path, {"version": 1, "title": "改"}).status_code == 403
    assert api("supervisor").delete(path).status_code == 403
    assert api("member").patch(path, {"version": 9, "title": "改"}).status_code == 409
    assert api("member").delete(path).status_code == 204
    assert not Output.objects.filter(pk=output.pk).exists()


def test_conversions(world, api):
    output = output_of(world, kind="research", title="关于课后服务的调研报告")
    client = api("secretary")
    body = {
        "output": output.pk,
        "kind": "policy",
        "title": "课后服务实施办法",
        "issued_on": str(timezone.localdate() - dt.timedelta(days=5)),
    }
    missing = client.post("/api/conversions", body)
    assert missing.status_code == 400
    assert missing.json()["errors"] == [{"field": "doc_number", "message": "制度文件请填写文号"}]
    created = client.post("/api/conversions", {**body, "doc_number": "教党〔2026〕5号"})
    assert created.status_code == 201, created.content
    conversion = created.json()
    assert (conversion["output_title"], conversion["group_id"]) == (
        "关于课后服务的调研报告",
        world.groups["own"].pk,
    )
    assert AuditEntry.objects.filter(action="create", object_type="outputs.Conversion").exists()
    assert ids(api("member").get("/api/conversions")) == {conversion["id"]}
    assert ids(api("supervisor").get("/api/conversions", {"kind": "measure"})) == set()
    assert api("leader").post("/api/conversions", body).status_code == 403
    path = f"/api/conversions/{conversion['id']}"
    assert api("leader").delete(path).status_code == 403
    assert client.delete(path).status_code == 204
    assert not Conversion.objects.exists()


def test_conversion_only_for_the_secretarys_group(world, api):
    output = output_of(world, "child")
    response = api("secretary").post(
        "/api/conversions",
        {"output": output.pk, "kind": "measure", "title": "举措", "issued_on": "2026-01-05"},
    )
    assert (response.status_code, response.json()["field"]) == (400, "output")


def test_yearly_counts_per_member_and_per_group(world, api):
    year = timezone.localdate().year
    output_of(world, kind="article")
    output_of(world, kind="research")
    output_of(world, kind="notes", status="draft")  # not handed in: not counted
    output_of(world, "child", kind="article")
    response = api("secretary").get("/api/outputs/counts", {"year": year})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["group_id"], body["required"], body["count"]) == (world.groups["own"].pk, 1, 4)
    mine = next(r for r in body["items"] if r["person_name"] == "member人")
    assert (mine["counts"]["total"], mine["counts"]["written"], mine["counts"]["notes"]) == (
        2,
        2,
        0,
    )
    by_group = api("supervisor").get("/api/outputs/counts", {"year": year}).json()
    totals = {r["group_id"]: r["counts"]["total"] for r in by_group["items"]}
    assert totals == {world.groups["own"].pk: 2, world.groups["child"].pk: 1}
    assert by_group["items"][0]["conversions"] == {
        "policy": 0,
        "measure": 0,
        "solved": 0,
        "total": 0,
    }
    child = api("supervisor").get(
        "/api/outputs/counts", {"year": year, "group": world.groups["child"].pk}
    )
    assert child.json()["count"] == 1
    assert api("member").get("/api/outputs/counts").status_code == 403
    hidden = api("secretary").get("/api/outputs/counts", {"group": world.groups["child"].pk})
    assert hidden.status_code == 404
