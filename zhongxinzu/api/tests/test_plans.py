import io

from docx import Document

from zhongxinzu.api.tests.helpers import ids
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.org.models import Person
from zhongxinzu.plans.models import PlanTopic, YearPlan
from zhongxinzu.plans.tests.helpers import make_plan, make_prompt, this_year


def create(api, world, **fields):
    return api("secretary").post(
        "/api/plans", {"group": world.groups["own"].pk, "year": this_year(), **fields}
    )


def test_secretary_creates_a_plan_from_the_years_prompts(world, api):
    make_prompt(world, "parent", quarter=2, themes="一、学习党的创新理论\n（二）深化改革")
    response = create(api, world, from_prompts=True)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == f"{world.groups['own'].name}{this_year()}年度学习计划"
    assert [(t["title"], t["quarter"]) for t in body["topics"]] == [
        ("学习党的创新理论", 2),
        ("深化改革", 2),
    ]
    assert body["due_date"] == f"{this_year()}-01-31"
    assert AuditEntry.objects.filter(action="create", object_type="plans.YearPlan").exists()
    again = create(api, world)
    assert (again.status_code, again.json()["field"]) == (400, "year")


def test_only_the_secretary_creates_for_their_group(world, api):
    for role in ("leader", "member", "supervisor", "observer"):
        response = api(role).post("/api/plans", {"group": world.groups["own"].pk, "year": 2026})
        assert response.status_code == 403, role
    response = api("secretary").post(
        "/api/plans", {"group": world.groups["child"].pk, "year": 2026}
    )
    assert (response.status_code, response.json()["field"]) == (400, "group")


def test_topics_with_a_lead_from_the_roster(world, api):
    plan = make_plan(world, "own")
    leader = world.users["leader"].person
    client = api("secretary")
    response = client.post(
        f"/api/plans/{plan.pk}/topics",
        {"title": "学习全会精神", "month": 5, "form": "集体学习", "lead": leader.pk},
    )
    assert response.status_code == 201, response.content
    topic = response.json()
    assert (topic["quarter"], topic["lead_name"], topic["order"]) == (2, "leader人", 1)
    stranger = Person.objects.create(unit=world.units["own"], name="外人", gender="男")
    refused = client.post(
        f"/api/plans/{plan.pk}/topics", {"title": "专题", "lead": stranger.pk, "quarter": 1}
    )
    assert (refused.status_code, refused.json()["field"]) == (400, "lead")
    bad_form = client.post(
        f"/api/plans/{plan.pk}/topics", {"title": "专题", "quarter": 1, "form": "聚餐"}
    )
    assert (bad_form.status_code, bad_form.json()["field"]) == (400, "form")
    # changing the month alone moves the quarter with it
    moved = client.patch(f"/api/plans/topics/{topic['id']}", {"month": 11})
    assert moved.status_code == 200, moved.content
    assert (moved.json()["month"], moved.json()["quarter"], moved.json()["lead_id"]) == (
        11,
        4,
        leader.pk,
    )
    cleared = client.patch(f"/api/plans/topics/{topic['id']}", {"lead": None, "quarter": 1})
    assert (cleared.json()["lead_id"], cleared.json()["month"]) == (None, None)
    assert api("leader").delete(f"/api/plans/topics/{topic['id']}").status_code == 403
    assert client.delete(f"/api/plans/topics/{topic['id']}").status_code == 204
    assert not PlanTopic.objects.filter(plan=plan).exists()


def test_the_whole_workflow(world, api):
    plan = make_plan(world, "own")
    path = f"/api/plans/{plan.pk}"
    secretary, leader = api("secretary"), api("leader")
    empty = secretary.post(f"{path}/submit", {"version": 1})
    assert empty.status_code == 400
    assert "专题" in empty.json()["detail"]
    PlanTopic.objects.create(plan=plan, title="专题一", quarter=1)
    assert leader.post(f"{path}/submit", {"version": 1}).status_code == 403
    assert secretary.post(f"{path}/submit", {"version": 1}).json()["status"] == "submitted"
    assert secretary.post(f"{path}/approve", {"version": 2}).status_code == 403
    no_comment = leader.post(f"{path}/return", {"version": 2, "comment": " "})
    assert (no_comment.status_code, no_comment.json()["field"]) == (400, "comment")
    returned = leader.post(f"{path}/return", {"version": 2, "comment": "请补充第三季度专题"})
    assert (returned.json()["status"], returned.json()["return_comment"]) == (
        "draft",
        "请补充第三季度专题",
    )
    edited = secretary.patch(path, {"version": 3, "guidance": "坚持学思用贯通"})
    assert (edited.json()["guidance"], edited.json()["title"]) == ("坚持学思用贯通", plan.title)
    assert secretary.post(f"{path}/submit", {"version": 3}).status_code == 409
    assert secretary.post(f"{path}/submit", {"version": 4}).status_code == 200
    approved = leader.post(f"{path}/approve", {"version": 5})
    assert (approved.json()["status"], approved.json()["approved_by"]) == ("approved", "leader")
    filed = secretary.post(f"{path}/file", {"version": 6})
    assert filed.json()["status"] == "filed" and filed.json()["filed_at"]
    assert filed.json()["filing_state"] in ("on_time", "late")
    locked = secretary.patch(path, {"version": 7, "title": "改"})
    assert locked.status_code == 400
    reopened = secretary.post(f"{path}/reopen", {"version": 7, "reason": "调整专题"})
    assert reopened.json()["status"] == "draft"
    actions = list(
        AuditEntry.objects.filter(object_type="plans.YearPlan").values_list("action", flat=True)
    )
    assert {"submit", "return", "update", "approve", "file", "reopen"} <= set(actions)


def test_members_read_their_groups_plans(world, api):
    own, child = make_plan(world, "own"), make_plan(world, "child")
    assert ids(api("member").get("/api/plans")) == {own.pk}
    assert ids(api("supervisor").get("/api/plans")) == {own.pk, child.pk}
    assert ids(api("supervisor").get("/api/plans", {"group": world.groups["child"].pk})) == {
        child.pk
    }
    assert ids(api("supervisor").get("/api/plans", {"status": "filed"})) == set()
    assert api("member").get(f"/api/plans/{child.pk}").status_code == 404


def test_docx_download_is_audited(world, api):
    plan = make_plan(world, "own", title="市教育局党委中心组学习计划")
    PlanTopic.objects.create(plan=plan, title="学习全会精神", quarter=1)
    response = api("member").get(f"/api/plans/{plan.pk}/plan.docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "市教育局党委中心组学习计划" in text
    entry = AuditEntry.objects.get(action="document", object_type="plans.YearPlan")
    assert (entry.username, entry.detail["document"]) == ("member", "year_plan")


def test_filing_overview_for_supervisors(world, api):
    YearPlan.objects.create(
        group=world.groups["child"],
        year=2020,
        title="计划",
        status="filed",
        filed_at="2020-01-10T09:00:00+08:00",
    )
    response = api("supervisor").get("/api/plans/filing", {"year": 2020})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["total"], body["filed"], body["unfiled"]) == (2, 1, 1)
    states = {r["group_id"]: r["state"] for r in body["items"]}
    assert states == {world.groups["own"].pk: "missing", world.groups["child"].pk: "on_time"}
    unfiled = api("supervisor").get("/api/plans/filing", {"year": 2020, "state": "unfiled"})
    assert [r["group_id"] for r in unfiled.json()["items"]] == [world.groups["own"].pk]
    assert api("secretary").get("/api/plans/filing").status_code == 403


def test_reopen_needs_a_reason(world, api):
    plan = make_plan(world, "own", status="filed")
    response = api("secretary").post(f"/api/plans/{plan.pk}/reopen", {"version": 1, "reason": ""})
    assert (response.status_code, response.json()["field"]) == (400, "reason")
    assert YearPlan.objects.get(pk=plan.pk).status == "filed"
