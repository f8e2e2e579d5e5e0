"""/api/rectifications: the secretary reports progress, only the supervisor closes (销号)
or sends back; the list with its filters and the overdue flag, within the pages' scope."""

import datetime as dt

from django.utils import timezone

from zhongxinzu.api.tests.helpers import ids
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.supervision import problems
from zhongxinzu.supervision.models import Rectification, RectificationReport


def rectification(world, rel="own", **kw) -> Rectification:
    today = timezone.localdate()
    problem = problems.problem_create(
        actor=world.users["supervisor"],
        group=world.groups[rel],
        source="supervision",
        category="学习制度",
        description=kw.pop("description", "研讨发言念稿"),
        found_on=kw.pop("found_on", today),
        measures="脱稿交流",
        deadline=kw.pop("deadline", today + dt.timedelta(days=30)),
        **kw,
    )
    return problem.rectification


def report(api, rect, version=1, **fields):
    return api("secretary").post(
        f"/api/rectifications/{rect.pk}/reports",
        {"version": version, "text": "已组织脱稿研讨", **fields},
    )


def test_secretary_reports_progress_and_cannot_close(world, api):
    rect = rectification(world)
    response = report(api, rect, evidence="5月10日研讨记录、发言提纲")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["status_label"], body["version"]) == ("reported", "待销号", 2)
    assert body["reports"][0]["text"] == "已组织脱稿研讨\n佐证材料：5月10日研讨记录、发言提纲"
    assert (body["reports"][0]["reported_by"], body["reports"][0]["has_file"]) == (
        "secretary",
        False,
    )
    assert (body["can_report"], body["can_decide"]) == (True, False)
    assert AuditEntry.objects.filter(action="rectification_report", object_id=str(rect.pk)).exists()
    closing = api("secretary").post(f"/api/rectifications/{rect.pk}/close", {"version": 2})
    assert closing.status_code == 403
    assert closing.json()["detail"] == "只有督导单位可以销号或退回整改"
    refused = api("secretary").post(
        f"/api/rectifications/{rect.pk}/return", {"version": 2, "note": "自己退回"}
    )
    assert refused.status_code == 403
    assert Rectification.objects.get(pk=rect.pk).status == "reported"


def test_only_the_groups_secretary_reports(world, api):
    rect = rectification(world)
    for role in ("supervisor", "leader"):
        response = api(role).post(
            f"/api/rectifications/{rect.pk}/reports", {"version": 1, "text": "已整改"}
        )
        assert response.status_code == 403, role
        assert response.json()["detail"] == "只有本中心组学习秘书可以报送整改进展"
    for role in ("member", "observer", "sys_admin"):
        response = api(role).post(
            f"/api/rectifications/{rect.pk}/reports", {"version": 1, "text": "已整改"}
        )
        assert response.status_code == 404, role
    child = rectification(world, "child")
    assert report(api, child).status_code == 404
    empty = report(api, rect, text=" ")
    assert (empty.status_code, empty.json()["field"]) == (400, "text")
    assert not RectificationReport.objects.exists()


def test_supervisor_closes_after_the_report(world, api):
    rect = rectification(world)
    supervisor = api("supervisor")
    early = supervisor.post(f"/api/rectifications/{rect.pk}/close", {"version": 1})
    assert early.status_code == 400 and "报送整改进展后方可销号" in early.json()["detail"]
    assert report(api, rect).status_code == 201
    stale = supervisor.post(f"/api/rectifications/{rect.pk}/close", {"version": 1})
    assert stale.status_code == 409
    assert Rectification.objects.get(pk=rect.pk).status == "reported"
    closed = supervisor.post(f"/api/rectifications/{rect.pk}/close", {"version": 2})
    assert closed.status_code == 200, closed.content
    body = closed.json()
    assert (body["status"], body["status_label"], body["closed_by"]) == (
        "closed",
        "已销号",
        "supervisor",
    )
    assert body["closed_at"] and body["can_decide"] is False
    entry = AuditEntry.objects.get(action="rectification_close")
    assert (entry.object_type, entry.object_id) == ("supervision.Rectification", str(rect.pk))
    assert entry.user_id == world.users["supervisor"].pk


def test_supervisor_returns_with_a_note_and_the_secretary_reports_again(world, api):
    rect = rectification(world)
    assert report(api, rect).status_code == 201
    supervisor = api("supervisor")
    no_note = supervisor.post(f"/api/rectifications/{rect.pk}/return", {"version": 2, "note": " "})
    assert (no_note.status_code, no_note.json()["field"]) == (400, "note")
    returned = supervisor.post(
        f"/api/rectifications/{rect.pk}/return",
        {"version": 2, "note": "佐证材料不足，请补充学习记录"},
    )
    assert returned.status_code == 200, returned.content
    assert (returned.json()["status"], returned.json()["return_note"]) == (
        "returned",
        "佐证材料不足，请补充学习记录",
    )
    entry = AuditEntry.objects.get(action="rectification_return")
    assert entry.detail == {"note": "佐证材料不足，请补充学习记录"}
    assert report(api, rect, version=3, text="已补充学习记录").json()["status"] == "reported"
    assert (
        supervisor.post(f"/api/rectifications/{rect.pk}/close", {"version": 4}).status_code == 200
    )
    after = report(api, rect, version=5)
    assert after.status_code == 400 and "已销号" in after.json()["detail"]
    assert RectificationReport.objects.filter(rectification=rect).count() == 2


def test_list_filters_and_overdue(world, api):
    today = timezone.localdate()
    late = rectification(
        world, found_on=today - dt.timedelta(days=40), deadline=today - dt.timedelta(days=1)
    )
    fresh = rectification(world, "child")
    old = rectification(
        world, found_on=dt.date(today.year - 1, 3, 1), deadline=dt.date(today.year - 1, 4, 1)
    )
    Rectification.objects.filter(pk=old.pk).update(status="closed", closed_at=timezone.now())
    client = api("supervisor")
    rows = {r["id"]: r for r in client.get("/api/rectifications").json()["items"]}
    assert {k: r["overdue"] for k, r in rows.items()} == {
        late.pk: True,
        fresh.pk: False,
        old.pk: False,
    }
    assert rows[fresh.pk]["group_id"] == world.groups["child"].pk
    assert ids(client.get("/api/rectifications", {"overdue": True})) == {late.pk}
    assert ids(client.get("/api/rectifications", {"overdue": False})) == {fresh.pk, old.pk}
    assert ids(client.get("/api/rectifications", {"status": "closed"})) == {old.pk}
    assert ids(client.get("/api/rectifications", {"year": today.year - 1})) == {old.pk}
    assert ids(client.get("/api/rectifications", {"group": world.groups["child"].pk})) == {fresh.pk}
    detail = client.get(f"/api/rectifications/{late.pk}").json()
    assert (detail["overdue"], detail["description"], detail["source_label"]) == (
        True,
        "研讨发言念稿",
        "督导检查",
    )


def test_scope(world, api):
    own, child = rectification(world), rectification(world, "child")
    assert ids(api("secretary").get("/api/rectifications")) == {own.pk}
    assert ids(api("leader").get("/api/rectifications")) == {own.pk}
    assert api("leader").get(f"/api/rectifications/{child.pk}").status_code == 404
    for role in ("observer", "member", "sys_admin", "sec_admin", "audit_admin"):
        assert ids(api(role).get("/api/rectifications")) == set(), role
        assert api(role).get(f"/api/rectifications/{own.pk}").status_code == 404, role
        assert (
            api(role).post(f"/api/rectifications/{own.pk}/close", {"version": 1}).status_code == 404
        ), role
