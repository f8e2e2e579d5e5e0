"""QR self sign-in: a code that changes every 30 s, accepted only during the session window,
only for someone on that day's roster."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhongxinzu.accounts.models import User
from zhongxinzu.meetings import services
from zhongxinzu.meetings.models import Attendance, MakeUp
from zhongxinzu.meetings.tests.conftest import at

pytestmark = pytest.mark.django_db

START = at(2026, 3, 10, 9, 0)
SLOT = dt.timedelta(seconds=services.SIGN_IN_SLOT_SECONDS)


@pytest.fixture
def session(make_session):
    return make_session(starts_at=START)


def sign_in_url(token):
    return reverse("meetings:sign_in", kwargs={"token": token})


# --- the token -------------------------------------------------------------------------------


def test_token_of_this_and_the_previous_slot_pass_two_slots_ago_fails(session):
    shown = START - dt.timedelta(minutes=5)
    token = services.sign_in_token(session_id=session.pk, at=shown)
    assert services.sign_in_token_check(token, now=shown) == session.pk
    assert services.sign_in_token_check(token, now=shown + SLOT) == session.pk
    with pytest.raises(ValidationError, match="二维码已失效"):
        services.sign_in_token_check(token, now=shown + 2 * SLOT)


def test_token_changes_every_slot(session):
    t = START
    tokens = {services.sign_in_token(session_id=session.pk, at=t + i * SLOT) for i in range(4)}
    assert len(tokens) == 4


def test_another_sessions_code_does_not_pass_for_this_one(session, make_session):
    other = make_session(starts_at=START)
    token = services.sign_in_token(session_id=other.pk, at=START)
    forged = f"{session.pk}-{token.partition('-')[2]}"
    with pytest.raises(ValidationError, match="二维码已失效"):
        services.sign_in_token_check(forged, now=START)
    for bad in ("", "abc", "12", "x-y", f"{session.pk}-"):
        with pytest.raises(ValidationError):
            services.sign_in_token_check(bad, now=START)


# --- the service -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "offset, outcome",
    [
        (dt.timedelta(minutes=-31), "window"),
        (dt.timedelta(minutes=-29), "present"),
        (dt.timedelta(minutes=10), "present"),
        (dt.timedelta(minutes=11), "late"),
        (dt.timedelta(minutes=180), "late"),
        (dt.timedelta(minutes=181), "window"),
    ],
)
def test_window_and_lateness(world, session, offset, outcome):
    member = world.users["member"]
    if outcome == "window":
        with pytest.raises(ValidationError, match="不在签到时间内"):
            services.attendance_sign_in(actor=member, session=session, now=START + offset)
        assert not Attendance.objects.exists()
    else:
        a = services.attendance_sign_in(actor=member, session=session, now=START + offset)
        assert (a.status, a.method, a.signed_in_at) == (outcome, "qr", START + offset)


def test_only_people_on_the_roster_that_day(world, session):
    outsider = User.objects.create_user("outsider", person=world.people["sibling"])
    for actor in (outsider, world.users["supervisor"]):
        with pytest.raises(ValidationError, match="不在本次学习的参学名单中"):
            services.attendance_sign_in(actor=actor, session=session, now=START)
    assert not Attendance.objects.exists()


def test_second_scan_keeps_the_first_time_and_leave_turns_into_presence(world, session, people):
    member = world.users["member"]
    first = services.attendance_sign_in(actor=member, session=session, now=START)
    again = services.attendance_sign_in(actor=member, session=session, now=START + SLOT * 30)
    assert again.pk == first.pk and again.signed_in_at == START and again.status == "present"
    # Someone on approved leave who turns up after all: present, no make-up owed.
    services.attendance_save(
        actor=world.users["secretary"],
        session=session,
        rows={people["plain"].pk: ("leave", "出差")},
        now=START,
    )
    plain = User.objects.create_user("plain", person=people["plain"])
    row = services.attendance_sign_in(actor=plain, session=session, now=START + SLOT)
    assert row.status == "present" and not hasattr(row, "makeup")
    assert not MakeUp.objects.exists()


def test_secretary_signs_in_as_attendee(world, session):
    a = services.attendance_sign_in(actor=world.users["secretary"], session=session, now=START)
    assert a.is_attendee


# --- the pages -------------------------------------------------------------------------------


def test_member_scans_confirms_and_is_signed_in(world, session, as_role):
    client = as_role("member")
    with time_machine.travel(START - dt.timedelta(minutes=2), tick=False):
        token = services.sign_in_token(session_id=session.pk)
        page = client.get(sign_in_url(token))
        assert page.status_code == 200 and "确认签到" in page.content.decode()
        assert not Attendance.objects.exists()  # a GET changes nothing
    # The code on the screen has changed twice since: the pass from the scan still holds.
    with time_machine.travel(START - dt.timedelta(minutes=1), tick=False):
        done = client.post(sign_in_url(token))
    assert done.status_code == 200 and "签到成功" in done.content.decode()
    row = Attendance.objects.get(session=session)
    assert (row.person, row.status, row.method) == (world.users["member"].person, "present", "qr")


def test_screenshot_from_earlier_fails_with_chinese_message(world, session, as_role):
    token = services.sign_in_token(session_id=session.pk, at=START - dt.timedelta(minutes=5))
    with time_machine.travel(START, tick=False):
        for method in ("get", "post"):
            response = getattr(as_role("member"), method)(sign_in_url(token))
            assert response.status_code == 400
            assert "二维码已失效" in response.content.decode()
    assert not Attendance.objects.exists()


def test_previous_slot_accepted_by_the_page(world, session, as_role):
    token = services.sign_in_token(session_id=session.pk, at=START)
    with time_machine.travel(START + SLOT, tick=False):
        response = as_role("member").post(sign_in_url(token))
    assert response.status_code == 200 and Attendance.objects.count() == 1


def test_code_shown_outside_the_window_fails(world, session, as_role):
    early = START - dt.timedelta(hours=2)
    with time_machine.travel(early, tick=False):
        token = services.sign_in_token(session_id=session.pk)
        response = as_role("member").post(sign_in_url(token))
    assert response.status_code == 400 and "不在签到时间内" in response.content.decode()


def test_code_of_a_session_in_another_group_is_not_found(world, make_session, as_role):
    sibling = make_session("sibling", starts_at=START)
    with time_machine.travel(START, tick=False):
        token = services.sign_in_token(session_id=sibling.pk)
        response = as_role("member").post(sign_in_url(token))
    assert response.status_code == 404 and not Attendance.objects.exists()


def test_scan_before_login_survives_the_login(world, session):
    client = Client()
    with time_machine.travel(START, tick=False):
        token = services.sign_in_token(session_id=session.pk)
        response = client.get(sign_in_url(token))
        assert response.status_code == 302 and "/accounts/login" in response["Location"]
        world.login(client, "member")
    with time_machine.travel(START + 3 * SLOT, tick=False):  # the code has long changed
        response = client.post(sign_in_url(token))
    assert response.status_code == 200 and Attendance.objects.count() == 1


def test_sign_in_request_is_cheap(world, session, as_role):
    client = as_role("member")
    with time_machine.travel(START, tick=False):
        token = services.sign_in_token(session_id=session.pk)
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(sign_in_url(token))
    assert response.status_code == 200
    # The middleware (session, user, grants, memberships); the session; the roster line;
    # the attendance read and insert; audit with its chain head (lock, update); the page's nav
    # (unread reminders); session save.
    sql = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(sql) <= 13, sql


def test_qr_page_shows_an_svg_image_and_the_refresh_fragment(world, session, as_role):
    client = as_role("secretary")
    with time_machine.travel(START, tick=False):
        page = client.get(reverse("meetings:sign_in_qr", args=[session.pk]))
        data = client.get(reverse("meetings:sign_in_qr_image", args=[session.pk])).json()
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html and "meetings-qr.js" in html
    assert data["src"].startswith("data:image/svg+xml;base64,")
    assert 1 <= data["expires_in"] <= services.SIGN_IN_SLOT_SECONDS
    assert page["Cache-Control"].startswith("max-age=0")


def test_someone_who_sees_the_session_but_is_not_on_its_roster_is_refused(world, session):
    from zhongxinzu.accounts.models import Role, RoleGrant
    from zhongxinzu.org.models import Membership

    # A supervisor of the unit who is a member of another group: sees the session, but is
    # not on its roster.
    person = world.people["sibling"]
    user = User.objects.create_user("dual", person=person, password_changed_at=START)
    RoleGrant.objects.create(user=user, role=Role.SUPERVISOR, unit=world.units["own"])
    assert Membership.objects.filter(person=person, group=world.groups["sibling"]).exists()
    client = Client()
    client.force_login(user, backend="zhongxinzu.accounts.backends.PolicyModelBackend")
    with time_machine.travel(START, tick=False):
        token = services.sign_in_token(session_id=session.pk)
        response = client.post(sign_in_url(token))
    assert response.status_code == 400
    assert "不在本次学习的参学名单中" in response.content.decode()
    assert not Attendance.objects.exists()
