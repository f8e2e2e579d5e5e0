"""/api/visits: who sees which visit, the stages through the API, the deadlines, the
feedback letter, and the supervision lists' query counts."""

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document

from zhongxinzu.api.tests.helpers import ids
from zhongxinzu.api.tests.test_query_counts import count_queries
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.org.models import StudyGroup, Unit
from zhongxinzu.supervision.models import ObservationVisit, VisitPlan
from zhongxinzu.supervision.tests.helpers import expert, published_visit, team


@pytest.fixture
def visits(world):
    """Visits of A's two teams (the observer is on the first): to A and to A1, published;
    to A in a draft plan; and the sibling's own visit to B."""
    own, today = world.units["own"], timezone.localdate()
    mine = team(own, "第一旁听组", experts=[expert(own, "李专家", user=world.users["observer"])])
    other = team(own, "第二旁听组", experts=[expert(own, "张专家")])
    day = today + dt.timedelta(days=10)
    due = {"materials_due": day - dt.timedelta(days=5), "summary_due": day + dt.timedelta(days=7)}
    draft = VisitPlan.objects.create(
        owner_unit=own,
        year=day.year,
        title="草稿计划",
        period_start=today,
        period_end=today + dt.timedelta(days=60),
        created_by=world.users["supervisor"],
    )
    beside = team(world.units["sibling"], "兄弟旁听组")
    return {
        "own": published_visit(world, world.groups["own"], mine, day, **due),
        "child": published_visit(world, world.groups["child"], other, day, **due),
        "child_mine": published_visit(world, world.groups["child"], mine, day, **due),
        "draft": ObservationVisit.objects.create(
            plan=draft, group=world.groups["own"], team=mine, planned_on=day, **due
        ),
        "sibling": published_visit(world, world.groups["sibling"], beside, day, **due),
        "teams": (mine, other),
    }


def test_observer_sees_only_their_teams_published_visits(world, api, visits):
    client = api("observer")
    assert ids(client.get("/api/visits")) == {visits["own"].pk, visits["child_mine"].pk}
    detail = client.get(f"/api/visits/{visits['own'].pk}").json()
    assert detail["is_team_member"] and detail["can_write_team_notes"]
    assert detail["checklist"]["items"][0] == {
        "key": "plan",
        "label": "学习方案（时间、地点、议程）",
        "ok": None,
    }
    assert detail["team_members"] == [{"name": "李专家", "is_leader": True}]
    for key in ("child", "draft", "sibling"):
        assert client.get(f"/api/visits/{visits[key].pk}").status_code == 404, key
        assert (
            client.post(f"/api/visits/{visits[key].pk}/onsite", {"comments": "点评"}).status_code
            == 404
        )
    # Nothing else: not the pool, the teams (not even their own) or the plans.
    mine, _ = visits["teams"]
    plan = visits["own"].plan
    for path in ("/api/experts", "/api/teams", "/api/visit-plans"):
        assert ids(client.get(path)) == set(), path
    for path in (f"/api/teams/{mine.pk}", f"/api/visit-plans/{plan.pk}"):
        assert client.get(path).status_code == 404, path
    expert_id = mine.memberships.get().expert_id
    assert client.get(f"/api/experts/{expert_id}").status_code == 404


def test_secretary_sees_their_groups_published_visits_only(world, api, visits):
    for role in ("secretary", "leader"):
        client = api(role)
        assert ids(client.get("/api/visits")) == {visits["own"].pk}, role
        for key in ("child", "draft", "sibling"):
            assert client.get(f"/api/visits/{visits[key].pk}").status_code == 404, (role, key)
    detail = api("secretary").get(f"/api/visits/{visits['own'].pk}").json()
    # The host sees the schedule and deadlines, not the team's notes.
    assert [d["stage"] for d in detail["deadlines"]] == ["before", "during", "after", "feedback"]
    assert (detail["checklist"], detail["onsite_comments"], detail["summary"]) == (None, None, None)
    assert detail["can_send_materials"] and not detail["can_write_team_notes"]
    assert ids(api("member").get("/api/visits")) == set()
    assert api("member").get(f"/api/visits/{visits['own'].pk}").status_code == 404


def test_supervisor_sees_the_subtree_with_drafts_and_filters(world, api, visits):
    client = api("supervisor")
    subtree = {visits[k].pk for k in ("own", "child", "child_mine", "draft")}
    assert ids(client.get("/api/visits")) == subtree
    assert client.get(f"/api/visits/{visits['sibling'].pk}").status_code == 404
    mine, other = visits["teams"]
    assert ids(client.get("/api/visits", {"team": other.pk})) == {visits["child"].pk}
    assert ids(client.get("/api/visits", {"group": world.groups["own"].pk})) == {
        visits["own"].pk,
        visits["draft"].pk,
    }
    assert ids(client.get("/api/visits", {"plan": visits["draft"].plan_id})) == {visits["draft"].pk}
    ObservationVisit.objects.filter(pk=visits["child"].pk).update(stage="during")
    assert ids(client.get("/api/visits", {"stage": "during"})) == {visits["child"].pk}
    year = visits["own"].planned_on.year
    assert ids(client.get("/api/visits", {"year": year})) == subtree
    assert ids(client.get("/api/visits", {"year": year - 1})) == set()


def test_overdue_deadlines_are_flagged(world, api, visits):
    today = timezone.localdate()
    late = visits["child"]
    ObservationVisit.objects.filter(pk=late.pk).update(
        planned_on=today + dt.timedelta(days=2), materials_due=today - dt.timedelta(days=1)
    )
    client = api("supervisor")
    row = client.get(f"/api/visits/{late.pk}").json()
    assert row["overdue"] is True
    assert (row["deadlines"][0]["status"], row["deadlines"][2]["status"]) == ("overdue", "pending")
    assert ids(client.get("/api/visits", {"overdue": True})) == {late.pk}
    assert late.pk not in ids(client.get("/api/visits", {"overdue": False}))


def test_the_visit_stages_through_the_api(world, api, visits):
    visit = visits["own"]
    url = f"/api/visits/{visit.pk}"
    secretary, observer, supervisor = api("secretary"), api("observer"), api("supervisor")
    # Each stage belongs to someone.
    assert secretary.post(f"{url}/checklist", {"checked": ["plan"]}).status_code == 403
    denied = observer.post(f"{url}/materials", {})
    assert (denied.status_code, denied.json()["detail"]) == (
        403,
        "只有被旁听中心组的学习秘书可以报送",
    )
    assert supervisor.post(f"{url}/materials", {}).status_code == 403

    sent = secretary.post(f"{url}/materials", {"note": "已通过邮件报送"})
    assert sent.status_code == 200, sent.content
    assert (sent.json()["stage"], sent.json()["deadlines"][0]["status"]) == ("before", "done")
    assert AuditEntry.objects.filter(action="visit_materials", object_id=str(visit.pk)).exists()
    assert secretary.post(f"{url}/materials", {}).json()["detail"] == "材料已报送"

    bad = observer.post(f"{url}/checklist", {"checked": ["plan", "snacks"]})
    assert (bad.status_code, bad.json()["field"]) == (422, "checked.1")
    checked = observer.post(
        f"{url}/checklist", {"checked": ["plan", "roster"], "note": "缺领学安排"}
    )
    assert checked.status_code == 200, checked.content
    items = {i["key"]: i["ok"] for i in checked.json()["checklist"]["items"]}
    assert (items["plan"], items["roster"], items["lead_reading"]) == (True, True, False)
    assert checked.json()["checklist"]["note"] == "缺领学安排"

    empty = observer.post(f"{url}/onsite", {"comments": "  "})
    assert (empty.status_code, empty.json()["field"]) == (400, "comments")
    onsite = observer.post(f"{url}/onsite", {"comments": "学习准备充分"})
    assert (onsite.json()["stage"], onsite.json()["onsite_comments"]) == ("during", "学习准备充分")
    interview = supervisor.post(f"{url}/interview", {"notes": "访谈三名成员"})
    assert interview.json()["stage"] == "after"

    limit = interview.json()["summary_limit"]
    too_long = observer.post(f"{url}/summary", {"overall": "好" * (limit + 1)})
    assert (too_long.status_code, too_long.json()["field"]) == (400, "overall")
    assert "超过规定的" in too_long.json()["detail"]
    assert ObservationVisit.objects.get(pk=visit.pk).summary_submitted_at is None
    summary = {"overall": "总体较好", "highlights": "联系实际", "problems": "研讨不够深入"}
    submitted = observer.post(f"{url}/summary", summary)
    assert submitted.json()["stage"] == "feedback" and submitted.json()["summary"] == summary
    # The host reads the summary and the letter only once the feedback is sent.
    assert secretary.get(url).json()["summary"] is None
    assert secretary.get(f"{url}/feedback.docx").status_code == 403
    assert observer.post(f"{url}/feedback").status_code == 403

    closed = supervisor.post(f"{url}/feedback")
    assert closed.status_code == 200, closed.content
    assert (closed.json()["stage"], closed.json()["can_write_team_notes"]) == ("closed", False)
    assert AuditEntry.objects.filter(action="visit_feedback", object_id=str(visit.pk)).exists()
    assert secretary.get(url).json()["summary"] == summary
    late = observer.post(f"{url}/onsite", {"comments": "补充点评"})
    assert (late.status_code, late.json()["detail"]) == (400, "该旁听已完成反馈，不能再修改")


def test_feedback_letter_is_the_pages_letter_and_audited(world, api, visits):
    visit = visits["own"]
    ObservationVisit.objects.filter(pk=visit.pk).update(
        summary_overall="总体较好",
        summary_problems="研讨不够深入",
        summary_submitted_at=timezone.now(),
        feedback_sent_at=timezone.now(),
        stage="closed",
    )
    response = api("secretary").get(f"/api/visits/{visit.pk}/feedback.docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    page = world.login(Client(), "secretary").get(
        reverse("supervision:visit_letter", args=[visit.pk])
    )
    assert response["Content-Disposition"] == page["Content-Disposition"]

    def text(content):
        return [p.text for p in Document(io.BytesIO(content)).paragraphs]

    assert text(response.content) == text(page.content)
    assert "研讨不够深入" in "\n".join(text(response.content))
    entries = AuditEntry.objects.filter(action="document", object_id=str(visit.pk))
    assert [(e.username, e.detail["document"]) for e in entries] == [
        ("secretary", "feedback_letter"),
        ("secretary", "feedback_letter"),
    ]


def test_no_feedback_without_a_summary(world, api, visits):
    client = api("supervisor")
    url = f"/api/visits/{visits['own'].pk}"
    response = client.post(f"{url}/feedback")
    assert (response.status_code, response.json()["detail"]) == (400, "旁听总结尚未提交，不能反馈")
    assert client.get(f"{url}/feedback.docx").status_code == 400
    assert ObservationVisit.objects.get(pk=visits["own"].pk).stage == "planned"


# --- query counts --------------------------------------------------------------------------


def grow(world, n: int) -> None:
    """n more units below A1, each with an expert, a team, a published plan and a visit."""
    parent = Unit.objects.get(pk=world.units["child"].pk)
    day = timezone.localdate()
    for i in range(n):
        unit = Unit.objects.add_child(
            parent, {"code": f"V{n}-{i}", "name": f"单位{i}", "kind": "党支部"}
        )
        group = StudyGroup.objects.create(unit=unit, name=f"单位{i}中心组")
        t = team(world.units["child"], f"旁听组{n}-{i}", experts=[expert(unit, f"专家{i}")])
        visit = published_visit(world, group, t, day, materials_due=day, summary_due=day)
        visit.plan.uncovered = [{"group": group.pk, "reason": "测试"}]
        visit.plan.save(update_fields=["uncovered"])
        parent = Unit.objects.get(pk=parent.pk)


@pytest.mark.parametrize("path", ["/api/experts", "/api/teams", "/api/visit-plans", "/api/visits"])
def test_list_query_count_does_not_grow(world, api, path):
    client = api("supervisor")
    grow(world, 3)
    small = count_queries(client, path)
    small_size = client.get(path).json()["count"]
    grow(world, 27)
    large = count_queries(client, path)
    assert client.get(path).json()["count"] >= small_size + 27
    assert small == large
