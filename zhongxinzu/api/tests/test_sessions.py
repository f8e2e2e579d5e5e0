import datetime as dt

from django.utils import timezone

from zhongxinzu.api.tests.helpers import ids
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.meetings import services
from zhongxinzu.meetings.models import StudySession
from zhongxinzu.org.models import Person
from zhongxinzu.plans.tests.helpers import make_item


def session_of(world, rel="own", *, hours_ago=1, minutes=180, **fields):
    starts = timezone.now() - dt.timedelta(hours=hours_ago)
    return StudySession.objects.create(
        group=world.groups[rel],
        kind=fields.pop("kind", "study"),
        title=fields.pop("title", "学习贯彻全会精神"),
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=minutes),
        place="三楼会议室",
        **fields,
    )


def plan_body(world, **fields):
    body = {
        "group": world.groups["own"].pk,
        "kind": "discussion",
        "title": "学习贯彻全国两会精神",
        "starts_at": "2026-03-10T09:00:00",
        "ends_at": "2026-03-10T11:00:00",
        "place": "三楼会议室",
    }
    return {**body, **fields}


def roll_everyone(world, session, changes=None):
    rows = {p.pk: ("present", "") for p in Person.objects.filter(unit=world.units["own"])}
    rows.update(changes or {})
    services.attendance_save(actor=world.users["secretary"], session=session, rows=rows)


def test_secretary_plans_a_session_with_agenda_and_speakers(world, api):
    item = make_item(world, "parent")
    leader, member = world.users["leader"].person, world.users["member"].person
    response = api("secretary").post(
        "/api/sessions",
        plan_body(
            world,
            chair=leader.pk,
            lead_reader=leader.pk,
            first_item=item.pk,
            agenda=["传达上级文件", " 交流研讨 "],
            speakers=[{"person": member.pk, "subtopic": "谈体会"}],
        ),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    # a time without an offset is Beijing time
    assert dt.datetime.fromisoformat(body["starts_at"]) == dt.datetime.fromisoformat(
        "2026-03-10T09:00:00+08:00"
    )
    assert [(a["title"], a["first_item_id"]) for a in body["agenda"]] == [
        (item.title, item.pk),
        ("传达上级文件", None),
        ("交流研讨", None),
    ]
    assert body["speakers"] == [
        {"person_id": member.pk, "person_name": "member人", "subtopic": "谈体会"}
    ]
    assert (body["chair_name"], body["has_first_item"], body["status"]) == (
        "leader人",
        True,
        "planned",
    )
    assert any("少于规定的180分钟" in w for w in body["warnings"])
    assert AuditEntry.objects.filter(action="create", object_type="meetings.StudySession").exists()


def test_planning_refusals(world, api):
    client = api("secretary")
    stranger = Person.objects.create(unit=world.units["own"], name="外人", gender="男")
    not_on_roster = client.post("/api/sessions", plan_body(world, chair=stranger.pk))
    assert (not_on_roster.status_code, not_on_roster.json()["field"]) == (400, "chair")
    outside = client.post("/api/sessions", plan_body(world, lead_reader=world.people["child"].pk))
    assert (outside.status_code, outside.json()["field"]) == (400, "lead_reader")
    sibling_item = make_item(world, "sibling")
    pool = client.post("/api/sessions", plan_body(world, first_item=sibling_item.pk))
    assert (pool.status_code, pool.json()["field"]) == (400, "first_item")
    backwards = client.post("/api/sessions", plan_body(world, ends_at="2026-03-10T08:00:00"))
    assert backwards.json()["errors"] == [{"field": "ends_at", "message": "结束时间应晚于开始时间"}]
    far = client.post("/api/sessions", plan_body(world, starts_at="9999-12-31T23:59:00"))
    assert (far.status_code, far.json()["field"]) == (422, "starts_at")
    child = client.post("/api/sessions", plan_body(world, group=world.groups["child"].pk))
    assert (child.status_code, child.json()["field"]) == (400, "group")
    for role in ("leader", "member", "supervisor"):
        assert api(role).post("/api/sessions", plan_body(world)).status_code == 403, role
    assert not StudySession.objects.exists()


def test_the_session_service_refuses_implausible_dates_and_broken_titles(world):
    import pytest
    from django.core.exceptions import ValidationError

    starts = dt.datetime(9999, 12, 21, 9, 0, tzinfo=dt.UTC)
    with pytest.raises(ValidationError) as e:
        services.session_validate(
            group=world.groups["own"],
            kind="study",
            title="学习\n第二行",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            place="\u200b",
        )
    assert set(e.value.message_dict) == {"title", "starts_at", "place"}
    assert e.value.message_dict["starts_at"][0].startswith("日期不能晚于")


def test_update_keeps_what_is_not_sent(world, api):
    item = make_item(world, "own")
    client = api("secretary")
    created = client.post(
        "/api/sessions", plan_body(world, first_item=item.pk, agenda=["交流研讨"])
    ).json()
    path = f"/api/sessions/{created['id']}"
    moved = client.patch(path, {"version": 1, "place": "报告厅"})
    assert moved.status_code == 200, moved.content
    assert moved.json()["place"] == "报告厅"
    assert [a["title"] for a in moved.json()["agenda"]] == [item.title, "交流研讨"]
    replaced = client.patch(path, {"version": 2, "first_item": None, "agenda": ["读原著"]})
    assert [a["title"] for a in replaced.json()["agenda"]] == ["读原著"]
    assert client.patch(path, {"version": 2, "place": "x"}).status_code == 409
    assert api("leader").patch(path, {"version": 3, "place": "x"}).status_code == 403


def test_who_sees_which_sessions(world, api):
    own, child = session_of(world), session_of(world, "child")
    last_year = session_of(world, hours_ago=24 * 400)
    assert ids(api("member").get("/api/sessions")) == {own.pk, last_year.pk}
    assert ids(api("supervisor").get("/api/sessions")) == {own.pk, child.pk, last_year.pk}
    assert api("member").get(f"/api/sessions/{child.pk}").status_code == 404
    client = api("supervisor")
    this_year = timezone.localtime(own.starts_at).year
    assert last_year.pk not in ids(client.get("/api/sessions", {"year": this_year}))
    assert ids(client.get("/api/sessions", {"group": world.groups["child"].pk})) == {child.pk}
    on = timezone.localtime(own.starts_at).date().isoformat()
    assert own.pk in ids(client.get("/api/sessions", {"on": on}))
    assert ids(client.get("/api/sessions", {"status": "recorded"})) == set()


def test_hold_roll_call_and_record(world, api):
    session = session_of(world)
    path = f"/api/sessions/{session.pk}"
    client = api("secretary")
    held = client.post(f"{path}/held")
    assert held.json()["status"] == "held"
    early = client.post(f"{path}/record", {"version": 1, "content": "学习", "effect": "好"})
    assert early.status_code == 400
    assert early.json()["detail"].startswith("尚未点名")
    roll_everyone(world, session, {world.people["own"].pk: ("absent", "出差")})
    detail = client.get(path).json()
    assert (detail["expected"], detail["attended"]) == (3, 2)
    assert detail["attendance"]["absent"] == 1
    recorded = client.post(
        f"{path}/record", {"version": 1, "content": "学习全会精神", "effect": "统一了思想"}
    )
    assert recorded.status_code == 200, recorded.content
    assert recorded.json()["status"] == "recorded"
    locked = client.patch(path, {"version": 2, "place": "x"})
    assert locked.status_code == 400
    assert "锁定" in locked.json()["detail"]
    assert api("member").get(path).json()["my_attendance"] == "present"


def test_qr_sign_in(world, api):
    session = session_of(world, hours_ago=0)
    token = api("secretary").get(f"/api/sessions/{session.pk}/sign-in-token")
    assert token.status_code == 200, token.content
    code = token.json()
    assert code["open"] is True and code["url"].endswith(f"/meetings/sign-in/{code['token']}/")
    assert api("member").get(f"/api/sessions/{session.pk}/sign-in-token").status_code == 403
    signed = api("member").post("/api/attendance/sign-in", {"token": code["token"]})
    assert signed.status_code == 200, signed.content
    assert (signed.json()["status"], signed.json()["method"]) == ("present", "qr")
    assert AuditEntry.objects.filter(action="sign_in", username="member").exists()
    # a screenshot from two minutes ago fails
    old = services.sign_in_token(session_id=session.pk, at=timezone.now() - dt.timedelta(minutes=2))
    stale = api("leader").post("/api/attendance/sign-in", {"token": old})
    assert (stale.status_code, stale.json()["field"]) == (400, "token")
    # another group's session is not the member's
    other = session_of(world, "child", hours_ago=0)
    code = services.sign_in_token(session_id=other.pk)
    assert api("member").post("/api/attendance/sign-in", {"token": code}).status_code == 404
    assert api("supervisor").post("/api/attendance/sign-in", {"token": code}).status_code == 403
