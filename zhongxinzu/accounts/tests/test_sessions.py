"""Idle timeout (30 min, renewed at most once a minute) and absolute timeout (8 h)."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from zhongxinzu.accounts.models import User
from zhongxinzu.accounts.tests.helpers import password_login

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
LOGIN = reverse("accounts:login")


def _signed_in(response) -> bool:
    return not response.get("Location", "").startswith(LOGIN)


def test_settings_match_the_policy():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert settings.SESSION_ABSOLUTE_SECONDS == 8 * 3600


def test_idle_session_expires_after_30_minutes(world, client):
    with time_machine.travel(START, tick=False) as clock:
        User.objects.filter(username="member").update(password_changed_at=START)
        password_login(client, "member")
        clock.shift(dt.timedelta(minutes=29))
        assert _signed_in(client.get("/"))
        clock.shift(dt.timedelta(minutes=31))
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_activity_keeps_session_alive_until_absolute_limit(world, client):
    with time_machine.travel(START, tick=False) as clock:
        User.objects.filter(username="member").update(password_changed_at=START)
        password_login(client, "member")
        for _ in range(19):  # a request every 25 minutes for 7 h 55 min
            clock.shift(dt.timedelta(minutes=25))
            assert _signed_in(client.get("/"))
        clock.shift(dt.timedelta(minutes=10))  # 8 h 05 min after login
        response = client.get("/")
        assert response["Location"] == f"{LOGIN}?expired=1"
        assert "_auth_user_id" not in client.session
        assert "请重新登录" in client.get(response["Location"]).content.decode()


def test_logout_ends_the_session_server_side(world, client):
    from django.contrib.sessions.models import Session

    password_login(client, "member")
    key = client.session.session_key
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()


def test_page_views_within_a_minute_do_not_write_the_session(world, client):
    """A write per page view would queue every reader behind another user's long job."""
    from django.contrib.sessions.models import Session

    with time_machine.travel(START, tick=False) as clock:
        User.objects.filter(username="member").update(password_changed_at=START)
        password_login(client, "member")
        client.get("/")
        key = client.session.session_key
        expiry = Session.objects.get(session_key=key).expire_date
        clock.shift(dt.timedelta(seconds=30))
        client.get("/")
        assert Session.objects.get(session_key=key).expire_date == expiry
        clock.shift(dt.timedelta(seconds=31))
        client.get("/")
        assert Session.objects.get(session_key=key).expire_date > expiry
