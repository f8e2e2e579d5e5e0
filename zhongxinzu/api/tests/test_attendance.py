import datetime as dt

from django.utils import timezone

from zhongxinzu.api.tests.helpers import ids
from zhongxinzu.api.tests.test_sessions import session_of
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.meetings.models import Attendance, LeaveRequest, MakeUp


def roster(world):
    return {
        "secretary": world.users["secretary"].person.pk,
        "leader": world.users["leader"].person.pk,
        "member": world.users["member"].person.pk,
        "plain": world.people["own"].pk,
    }


def roll_call(api, world, session, **statuses):
    people = roster(world)
    rows = [
        {"person": people[name], "status": status, "reason": "出差" if status != "present" else ""}
        for name, status in {
            "secretary": "present",
            "leader": "present",
            "member": "present",
            "plain": "present",
            **statuses,
        }.items()
    ]
    return api("secretary").post("/api/attendance/roll-call", {"session": session.pk, "rows": rows})


def test_secretary_takes_the_roll_and_make_ups_follow(world, api):
    session = session_of(world)
    response = roll_call(api, world, session, plain="absent", member="leave")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 4
    statuses = {r["person_name"]: (r["status"], r["is_attendee"]) for r in body["items"]}
    assert statuses["secretary人"] == ("present", True)  # the secretary sits in (列席)
    assert statuses["成员own"] == ("absent", False)
    owed = MakeUp.objects.filter(attendance__session=session)
    assert sorted(owed.values_list("attendance__person__name", flat=True)) == [
        "member人",
        "成员own",
    ]
    session.refresh_from_db()
    assert session.status == "held"  # the roll of a session under way marks it held
    assert AuditEntry.objects.filter(action="attendance", username="secretary").exists()


def test_roll_call_refusals(world, api):
    session = session_of(world)
    people = roster(world)
    no_reason = api("secretary").post(
        "/api/attendance/roll-call",
        {"session": session.pk, "rows": [{"person": people["plain"], "status": "absent"}]},
    )
    assert no_reason.status_code == 400
    assert no_reason.json()["detail"] == "成员own：请假或缺席须填写原因"
    twice = api("secretary").post(
        "/api/attendance/roll-call",
        {
            "session": session.pk,
            "rows": [{"person": people["plain"], "status": "present"}] * 2,
        },
    )
    assert (twice.status_code, twice.json()["field"]) == (400, "rows")
    stranger = api("secretary").post(
        "/api/attendance/roll-call",
        {
            "session": session.pk,
            "rows": [{"person": world.people["child"].pk, "status": "present"}],
        },
    )
    assert stranger.status_code == 400
    assert (
        api("leader")
        .post(
            "/api/attendance/roll-call",
            {"session": session.pk, "rows": [{"person": people["plain"], "status": "present"}]},
        )
        .status_code
        == 403
    )
    assert not Attendance.objects.exists()


def test_members_see_only_their_own_roll(world, api):
    session = session_of(world)
    roll_call(api, world, session, plain="absent")
    mine = Attendance.objects.get(person=world.users["member"].person)
    assert ids(api("member").get("/api/attendance")) == {mine.pk}
    assert len(ids(api("leader").get("/api/attendance"))) == 4
    absent = api("supervisor").get("/api/attendance", {"status": "absent"}).json()["items"]
    assert [(a["person_name"], a["reason"]) for a in absent] == [("成员own", "出差")]
    other = Attendance.objects.get(person=world.people["own"])
    assert api("member").get(f"/api/attendance/{other.pk}").status_code == 404


def test_leave_asked_and_decided(world, api):
    session = session_of(world, hours_ago=-24)  # tomorrow
    asked = api("member").post("/api/leave-requests", {"session": session.pk, "reason": "出差"})
    assert asked.status_code == 201, asked.content
    leave = asked.json()
    assert (leave["status"], leave["is_late"], leave["person_name"]) == (
        "pending",
        False,
        "member人",
    )
    again = api("member").post("/api/leave-requests", {"session": session.pk, "reason": "再请"})
    assert again.status_code == 400
    path = f"/api/leave-requests/{leave['id']}/decide"
    assert api("member").post(path, {"decision": "approve"}).status_code == 403
    assert api("secretary").post(path, {"decision": "approve"}).status_code == 403
    no_note = api("leader").post(path, {"decision": "refuse"})
    assert (no_note.status_code, no_note.json()["field"]) == (400, "note")
    approved = api("leader").post(path, {"decision": "approve", "note": "同意"})
    assert approved.status_code == 200, approved.content
    assert (approved.json()["status"], approved.json()["decided_by"]) == ("approved", "leader")
    row = Attendance.objects.get(session=session, person=world.users["member"].person)
    assert row.status == "leave" and MakeUp.objects.filter(attendance=row).exists()
    assert AuditEntry.objects.filter(action="approve", object_type="meetings.LeaveRequest").exists()
    assert ids(api("secretary").get("/api/leave-requests", {"status": "approved"})) == {leave["id"]}
    assert ids(api("member").get("/api/leave-requests")) == {leave["id"]}


def test_leave_after_the_start_is_flagged_and_others_refused(world, api):
    session = session_of(world)
    late = api("member").post("/api/leave-requests", {"session": session.pk, "reason": "临时有事"})
    assert late.json()["is_late"] is True
    child = session_of(world, "child")
    hidden = api("member").post("/api/leave-requests", {"session": child.pk, "reason": "x"})
    assert (hidden.status_code, hidden.json()["field"]) == (400, "session")
    assert (
        api("supervisor")
        .post("/api/leave-requests", {"session": session.pk, "reason": "x"})
        .status_code
        == 403
    )
    assert LeaveRequest.objects.count() == 1


def test_make_up_evidence_returned_then_confirmed(world, api):
    session = session_of(world)
    roll_call(api, world, session, member="absent")
    makeup = MakeUp.objects.get()
    path = f"/api/makeups/{makeup.pk}"
    listed = api("member").get("/api/makeups").json()["items"]
    assert [(m["id"], m["absence"], m["overdue"]) for m in listed] == [(makeup.pk, "缺席", False)]
    assert api("secretary").post(f"{path}/submit", {"text": "代交"}).status_code == 403
    submitted = api("member").post(f"{path}/submit", {"text": "补学了全会精神，体会是……"})
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted"
    assert api("member").post(f"{path}/review", {"action": "confirm"}).status_code == 403
    no_note = api("secretary").post(f"{path}/review", {"action": "return"})
    assert (no_note.status_code, no_note.json()["field"]) == (400, "note")
    returned = api("secretary").post(f"{path}/review", {"action": "return", "note": "请充实"})
    assert (returned.json()["status"], returned.json()["return_note"]) == ("open", "请充实")
    api("member").post(f"{path}/submit", {"text": "补学了全会精神，并联系实际……"})
    confirmed = api("secretary").post(f"{path}/review", {"action": "confirm"})
    assert confirmed.json()["status"] == "confirmed"
    assert AuditEntry.objects.filter(action="confirm", object_type="meetings.MakeUp").exists()


def test_overdue_make_ups(world, api):
    session = session_of(world)
    roll_call(api, world, session, member="absent", plain="absent")
    late = MakeUp.objects.get(attendance__person=world.people["own"])
    MakeUp.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    overdue = api("supervisor").get("/api/makeups", {"status": "overdue"}).json()["items"]
    assert [(m["id"], m["overdue"]) for m in overdue] == [(late.pk, True)]
    assert ids(api("member").get("/api/makeups", {"status": "overdue"})) == set()


def test_yearly_rates_per_member(world, api):
    session = session_of(world)
    roll_call(api, world, session, plain="absent", member="leave")
    year = timezone.localtime(session.starts_at).year
    response = api("leader").get("/api/attendance/rates", {"year": year})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["rate"] == {"attended": 1, "expected": 3, "percent": 33.3}
    assert body["required"] == 80
    rows = {r["person_name"]: (r["attended"], r["expected"], r["meets"]) for r in body["items"]}
    assert rows == {  # the secretary sits in: no rate
        "leader人": (1, 1, True),
        "member人": (0, 1, False),
        "成员own": (0, 1, False),
    }
    own = api("member").get("/api/attendance/rates", {"year": year}).json()
    assert [r["person_name"] for r in own["items"]] == ["member人"]
    supervisor = api("supervisor")
    assert supervisor.get("/api/attendance/rates").json()["field"] == "group"
    child = supervisor.get("/api/attendance/rates", {"group": world.groups["child"].pk})
    assert child.status_code == 200
    assert (
        api("member").get("/api/attendance/rates", {"group": world.groups["child"].pk}).status_code
        == 404
    )
