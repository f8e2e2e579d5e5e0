"""/api/score-sheets: an observer fills in and submits their sheet, the team's average, the
statistics and the templates, within the scope of the pages."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import PASSWORD
from zhongxinzu.accounts.models import Role, RoleGrant, User
from zhongxinzu.api.services import token_issue
from zhongxinzu.api.tests.helpers import ApiClient, ids
from zhongxinzu.api.tests.test_query_counts import count_queries
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.org.models import StudyGroup, Unit
from zhongxinzu.supervision.models import (
    Expert,
    ObservationTeam,
    ObservationVisit,
    ScoreEntry,
    ScoreSheet,
    ScoreTemplate,
    TeamMember,
)

# The platform default template: 学习准备 10, … eight items, 100 points in all.
FULL = [10, 15, 10, 20, 15, 10, 10, 10]


def observer(username: str) -> User:
    user = User.objects.create_user(
        username, password=PASSWORD, first_name=username, password_changed_at=timezone.now()
    )
    RoleGrant.objects.create(user=user, role=Role.OBSERVER)
    return user


def client_for(user) -> ApiClient:
    raw, _ = token_issue(user=user)
    return ApiClient(raw)


def make_team(world, *users, name="第一旁听组", rel="own"):
    team = ObservationTeam.objects.create(owner_unit=world.units[rel], year=2026, name=name)
    for n, user in enumerate(users):
        expert = Expert.objects.create(
            owner_unit=world.units[rel], user=user, name=f"{name}专家{n}"
        )
        TeamMember.objects.create(team=team, expert=expert, is_leader=n == 0)
    return team


def make_visit(world, team, rel="own", on=dt.date(2026, 5, 10)):
    return ObservationVisit.objects.create(group=world.groups[rel], team=team, planned_on=on)


def items():
    return list(ScoreTemplate.objects.get(owner_unit__isnull=True).items.all())


def entries(values):
    return [
        {"item": i.pk, "score": v, "remark": "" if v == i.points else "扣分：准备不足"}
        for i, v in zip(items(), values, strict=True)
    ]


def test_observer_saves_submits_and_sees_the_team_average(world, api):
    colleague = observer("observer2")
    visit = make_visit(world, make_team(world, world.users["observer"], colleague))
    mine = api("observer")
    draft = mine.post(
        "/api/score-sheets",
        {"visit": visit.pk, "entries": entries(FULL)[:2], "remarks": "准备较充分"},
    )
    assert draft.status_code == 201, draft.content
    sheet = draft.json()
    assert (sheet["submitted_at"], sheet["grade"], sheet["total"], sheet["mine"]) == (
        None,
        "",
        25.0,
        True,
    )
    assert [e["score"] for e in sheet["entries"]] == [
        10.0,
        15.0,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    assert sheet["entries"][0]["title"] == "学习准备" and sheet["entries"][0]["points"] == 10
    # a draft is the observer's own: colleagues and supervisors do not see it yet
    assert client_for(colleague).get(f"/api/score-sheets/{sheet['id']}").status_code == 404
    assert ids(api("supervisor").get("/api/score-sheets")) == set()
    submitted = mine.post(
        "/api/score-sheets",
        {
            "visit": visit.pk,
            "entries": entries([9, 14, 9, 18, 13, 9, 9, 8.5]),
            "remarks": "总体较好",
            "submit": True,
            "version": sheet["version"],
        },
    )
    assert submitted.status_code == 200, submitted.content
    assert (submitted.json()["total"], submitted.json()["grade"]) == (89.5, "较好")
    assert submitted.json()["submitted_at"]
    other = client_for(colleague).post(
        "/api/score-sheets",
        {"visit": visit.pk, "entries": entries([10, 15, 10, 20, 15, 10, 10, 5.5]), "submit": True},
    )
    assert other.status_code == 201, other.content
    for client in (mine, api("supervisor")):
        scores = client.get(f"/api/score-sheets/visits/{visit.pk}")
        assert scores.status_code == 200, scores.content
        body = scores.json()
        assert (body["average"], body["grade"]) == (92.5, "好")
        assert (body["sheet_count"], body["submitted_count"]) == (2, 2)
        assert body["items"][0] == {
            "item_id": items()[0].pk,
            "title": "学习准备",
            "points": 10,
            "average": 9.5,
        }
        assert {s["observer_name"] for s in body["sheets"]} == {
            "第一旁听组专家0",
            "第一旁听组专家1",
        }
    assert mine.get(f"/api/score-sheets/visits/{visit.pk}").json()["can_fill"] is True
    assert api("supervisor").get(f"/api/score-sheets/visits/{visit.pk}").json()["can_fill"] is False
    actions = AuditEntry.objects.filter(object_type="supervision.ScoreSheet")
    assert set(actions.values_list("action", flat=True)) == {
        "score_sheet_save",
        "score_sheet_submit",
    }
    # submitted: locked
    locked = mine.post(
        "/api/score-sheets",
        {"visit": visit.pk, "entries": entries(FULL), "version": submitted.json()["version"]},
    )
    assert locked.status_code == 400 and "已提交" in locked.json()["detail"]


def test_only_the_teams_observers_write_and_only_their_own_sheet(world, api):
    colleague, stranger = observer("observer2"), observer("observer3")
    visit = make_visit(world, make_team(world, world.users["observer"], colleague))
    make_team(world, stranger, name="第二旁听组")
    body = {"visit": visit.pk, "entries": entries(FULL), "submit": True}
    first = api("observer").post("/api/score-sheets", {**body, "remarks": "本人意见"})
    assert first.status_code == 201
    for role in ("supervisor", "secretary", "leader", "member", "sys_admin"):
        response = api(role).post("/api/score-sheets", body)
        assert response.status_code == 403, role
        assert response.json()["detail"] == "只有旁听组成员可以填写评分表"
    outsider = client_for(stranger).post("/api/score-sheets", body)
    assert (outsider.status_code, outsider.json()["field"]) == (400, "visit")
    # a colleague's save is their own sheet; the observer's stays as it was
    assert (
        client_for(colleague).post("/api/score-sheets", {**body, "remarks": "另一份"}).status_code
        == 201
    )
    theirs = ScoreSheet.objects.get(pk=first.json()["id"])
    assert (theirs.remarks, theirs.version) == ("本人意见", first.json()["version"])
    assert ScoreSheet.objects.filter(visit=visit).count() == 2


def test_bad_scores_are_refused_naming_the_item_and_nothing_is_saved(world, api):
    visit = make_visit(world, make_team(world, world.users["observer"]))
    client = api("observer")
    too_high = client.post(
        "/api/score-sheets",
        {"visit": visit.pk, "entries": entries([11, 14, 9, 18, 13, 9, 9, 8]), "submit": True},
    )
    assert too_high.status_code == 400
    assert "“学习准备”的得分不能超过该项分值10分" in too_high.json()["detail"]
    missing = client.post(
        "/api/score-sheets", {"visit": visit.pk, "entries": entries(FULL)[1:], "submit": True}
    )
    assert "请填写“学习准备”的得分" in missing.json()["detail"]
    assert not ScoreSheet.objects.exists()
    unknown = client.post(
        "/api/score-sheets", {"visit": visit.pk, "entries": [{"item": 999_999, "score": 1}]}
    )
    assert (unknown.status_code, unknown.json()["field"]) == (400, "entries")
    twice = entries(FULL)[:1] * 2
    assert (
        client.post("/api/score-sheets", {"visit": visit.pk, "entries": twice}).json()["field"]
        == "entries"
    )
    assert not ScoreSheet.objects.exists()
    saved = client.post("/api/score-sheets", {"visit": visit.pk, "entries": entries(FULL)[:3]})
    version = saved.json()["version"]
    negative = client.post(
        "/api/score-sheets",
        {"visit": visit.pk, "entries": entries([-1, *FULL[1:]]), "version": version},
    )
    assert "“学习准备”的得分不能为负数" in negative.json()["detail"]
    assert ScoreEntry.objects.filter(sheet_id=saved.json()["id"]).count() == 3
    no_version = client.post("/api/score-sheets", {"visit": visit.pk, "entries": entries(FULL)})
    assert (no_version.status_code, no_version.json()["field"]) == (400, "version")
    stale = client.post(
        "/api/score-sheets", {"visit": visit.pk, "entries": entries(FULL), "version": version + 5}
    )
    assert stale.status_code == 409
    assert ScoreSheet.objects.get().version == version


def test_observer_reads_only_their_teams_visits(world, api):
    mine = make_visit(world, make_team(world, world.users["observer"]))
    other_team = make_team(world, observer("observer2"), name="第二旁听组", rel="sibling")
    theirs = make_visit(world, other_team, rel="sibling")
    ScoreSheet.objects.create(
        visit=theirs,
        observer=other_team.memberships.get().expert,
        template=ScoreTemplate.objects.get(owner_unit__isnull=True),
        total=90,
        grade="好",
        submitted_at=timezone.now(),
    )
    client = api("observer")
    client.post("/api/score-sheets", {"visit": mine.pk, "entries": entries(FULL), "submit": True})
    own_sheet = ScoreSheet.objects.get(visit=mine)
    assert ids(client.get("/api/score-sheets")) == {own_sheet.pk}
    assert client.get(f"/api/score-sheets/visits/{theirs.pk}").status_code == 404
    assert client.get(f"/api/score-sheets/{theirs.sheets.get().pk}").status_code == 404
    # the own subtree's supervisor does not reach the sibling's visit either
    supervisor = api("supervisor")
    assert ids(supervisor.get("/api/score-sheets")) == {own_sheet.pk}
    assert supervisor.get(f"/api/score-sheets/visits/{theirs.pk}").status_code == 404
    for role in ("secretary", "leader", "member", "sys_admin", "audit_admin"):
        assert ids(api(role).get("/api/score-sheets")) == set(), role
        assert api(role).get(f"/api/score-sheets/{own_sheet.pk}").status_code == 404, role


def test_list_filters(world, api):
    colleague = observer("observer2")
    team = make_team(world, world.users["observer"], colleague)
    may, june = make_visit(world, team), make_visit(world, team, "child", dt.date(2025, 6, 1))
    client = api("observer")
    for visit in (may, june):
        client.post(
            "/api/score-sheets", {"visit": visit.pk, "entries": entries(FULL), "submit": True}
        )
    client_for(colleague).post("/api/score-sheets", {"visit": may.pk, "entries": entries(FULL)})
    sheets = {
        s.visit_id: s.pk for s in ScoreSheet.objects.filter(observer__user=world.users["observer"])
    }
    supervisor = api("supervisor")
    assert ids(supervisor.get("/api/score-sheets", {"year": 2025})) == {sheets[june.pk]}
    assert ids(supervisor.get("/api/score-sheets", {"group": world.groups["own"].pk})) == {
        sheets[may.pk]
    }
    assert ids(supervisor.get("/api/score-sheets", {"visit": june.pk})) == {sheets[june.pk]}
    assert len(ids(supervisor.get("/api/score-sheets", {"team": team.pk}))) == 2
    colleague_client = client_for(colleague)
    drafts = colleague_client.get("/api/score-sheets", {"submitted": False})
    assert ids(drafts) == set(
        ScoreSheet.objects.filter(submitted_at__isnull=True).values_list("pk", flat=True)
    )
    assert ids(colleague_client.get("/api/score-sheets", {"mine": False})) == set(sheets.values())


def test_statistics_per_group_and_team(world, api):
    colleague = observer("observer2")
    team = make_team(world, world.users["observer"], colleague)
    visit, low = make_visit(world, team), make_visit(world, team, "child", dt.date(2026, 9, 1))
    api("observer").post(
        "/api/score-sheets", {"visit": visit.pk, "entries": entries(FULL), "submit": True}
    )
    client_for(colleague).post(
        "/api/score-sheets",
        {"visit": visit.pk, "entries": entries([10, 15, 10, 20, 15, 10, 10, 0]), "submit": True},
    )
    api("observer").post(
        "/api/score-sheets",
        {"visit": low.pk, "entries": entries([5, 10, 5, 15, 10, 5, 5, 5]), "submit": True},
    )
    response = api("supervisor").get("/api/score-sheets/stats")
    assert response.status_code == 200, response.content
    stats = response.json()
    assert (stats["visits"], stats["average"], stats["threshold"]) == (2, 77.5, 85)
    assert {g["label"]: g["count"] for g in stats["grades"]} == {
        "好": 1,
        "较好": 0,
        "一般": 1,
        "差": 0,
    }
    own = next(r for r in stats["by_group"] if r["id"] == world.groups["own"].pk)
    assert (own["visits"], own["average"], own["minimum"], own["below"]) == (1, 95.0, 95.0, 0)
    assert stats["by_team"] == [
        {
            "id": team.pk,
            "name": "第一旁听组",
            "visits": 2,
            "average": 77.5,
            "minimum": 60.0,
            "below": 1,
            "grades": [{"label": "好", "count": 1}, {"label": "一般", "count": 1}],
        }
    ]
    summer = (
        api("supervisor")
        .get(
            "/api/score-sheets/stats", {"start": "2026-06-01", "end": "2026-12-31", "threshold": 50}
        )
        .json()
    )
    assert (summer["visits"], summer["by_team"][0]["below"]) == (1, 0)
    bad = api("supervisor").get(
        "/api/score-sheets/stats", {"start": "2026-06-01", "end": "2026-01-01"}
    )
    assert (bad.status_code, bad.json()["field"]) == (400, "end")
    for role in ("observer", "secretary", "sys_admin"):
        assert api(role).get("/api/score-sheets/stats").status_code == 403, role


def test_templates_for_supervisors(world, api):
    owned = ScoreTemplate.objects.create(
        owner_unit=world.units["own"], name="本局评分表", grades=[["好", 90], ["差", 0]]
    )
    owned.items.create(order=1, title="学习效果", points=100, guidance="联系实际")
    ScoreTemplate.objects.create(owner_unit=world.units["sibling"], name="他局评分表")
    response = api("supervisor").get("/api/score-sheets/templates")
    assert response.status_code == 200, response.content
    rows = {t["name"]: t for t in response.json()["items"]}
    assert set(rows) == {ScoreTemplate.objects.get(owner_unit__isnull=True).name, "本局评分表"}
    mine = rows["本局评分表"]
    assert (mine["can_edit"], mine["owner_unit_name"]) == (True, "市教育局党委")
    assert mine["items"] == [
        {
            "id": owned.items.get().pk,
            "order": 1,
            "title": "学习效果",
            "points": 100,
            "guidance": "联系实际",
        }
    ]
    assert mine["grades"] == [{"label": "好", "minimum": 90}, {"label": "差", "minimum": 0}]
    default = next(t for t in rows.values() if t["owner_unit_id"] is None)
    assert [i["points"] for i in default["items"]] == FULL and default["can_edit"] is False
    for role in ("observer", "secretary", "sec_admin"):
        assert api(role).get("/api/score-sheets/templates").status_code == 403, role


def _grow(world, n: int) -> None:
    """n more visits in the supervisor's subtree, each with a submitted sheet."""
    parent = Unit.objects.get(pk=world.units["child"].pk)
    template = ScoreTemplate.objects.get(owner_unit__isnull=True)
    for i in range(n):
        unit = Unit.objects.add_child(
            parent, {"code": f"S{n}-{i}", "name": f"单位{i}", "kind": "党支部"}
        )
        group = StudyGroup.objects.create(unit=unit, name=f"单位{i}中心组")
        team = ObservationTeam.objects.create(owner_unit=unit, year=2026, name=f"旁听组{i}")
        expert = Expert.objects.create(owner_unit=unit, name=f"专家{i}")
        TeamMember.objects.create(team=team, expert=expert)
        visit = ObservationVisit.objects.create(
            group=group, team=team, planned_on=dt.date(2026, 4, 1)
        )
        sheet = ScoreSheet.objects.create(
            visit=visit,
            observer=expert,
            template=template,
            total=90,
            grade="好",
            submitted_at=timezone.now(),
        )
        ScoreEntry.objects.create(sheet=sheet, item=template.items.first(), score=9)
        owned = ScoreTemplate.objects.create(owner_unit=unit, name=f"模板{i}")
        owned.items.create(order=1, title="项目", points=100)
        parent = Unit.objects.get(pk=parent.pk)


@pytest.mark.parametrize("path", ["/api/score-sheets", "/api/score-sheets/templates"])
def test_list_query_count_does_not_grow(world, api, path):
    client = api("supervisor")
    _grow(world, 3)
    small = count_queries(client, path)
    size = client.get(path).json()["count"]
    _grow(world, 12)
    large = count_queries(client, path)
    assert client.get(path).json()["count"] >= size + 12
    assert small == large
