import datetime as dt

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.accounts.models import User
from zhongxinzu.accounts.tests.helpers import password_login
from zhongxinzu.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_login_page_renders(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_login_rotates_session_and_records_start(world, client):
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key
    response = password_login(client, "member")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session.session_key != before
    assert isinstance(client.session["login_at"], float)
    assert client.get("/").status_code == 302  # home redirects the member to their group


def test_login_follows_safe_next_only(world, client):
    response = client.post(
        reverse("accounts:login") + "?next=/org/people/",
        {"username": "member", "password": "Zxz@2026test", "next": "/org/people/"},
    )
    assert response["Location"] == "/org/people/"
    client.post(reverse("accounts:logout"))
    response = client.post(
        reverse("accounts:login"),
        {"username": "member", "password": "Zxz@2026test", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_wrong_password_shows_chinese_error(world, client):
    response = password_login(client, "member", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logged_in_user_visiting_login_goes_home(world, client):
    world.login(client, "member")
    assert client.get(reverse("accounts:login"))["Location"] == "/"


def test_logout_is_post_only(world, client):
    world.login(client, "member")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    assert client.get("/")["Location"].startswith(reverse("accounts:login"))


def test_expired_flag_shows_message(client):
    response = client.get(reverse("accounts:login") + "?expired=1")
    assert "请重新登录" in response.content.decode()


def test_inactive_account_cannot_log_in(world, client):
    User.objects.filter(username="member").update(is_active=False)
    assert password_login(client, "member").status_code == 200
    assert "_auth_user_id" not in client.session


@override_settings(DEMO_MODE=False)
def test_demo_account_refused_outside_demo_mode(world, client):
    User.objects.filter(username="member").update(is_demo=True)
    response = password_login(client, "member")
    assert response.status_code == 200 and "_auth_user_id" not in client.session


@override_settings(DEMO_MODE=False)
def test_demo_session_dies_when_demo_mode_is_off(world, client):
    User.objects.filter(username="member").update(is_demo=True)
    world.login(client, "member")
    assert client.get("/")["Location"].startswith(reverse("accounts:login"))


@override_settings(DEMO_MODE=True)
def test_demo_account_allowed_in_demo_mode(world, client):
    User.objects.filter(username="member").update(is_demo=True)
    assert password_login(client, "member").status_code == 302


def _make_dormant(username, days=91):
    old = timezone.now() - dt.timedelta(days=days)
    User.objects.filter(username=username).update(last_login=old, date_joined=old)


def test_dormant_account_cannot_log_in(world, client):
    _make_dormant("member")
    assert password_login(client, "member").status_code == 200
    _make_dormant("leader", days=80)
    assert password_login(client, "leader").status_code == 302


def test_disable_dormant_deactivates_and_audits(world, capsys):
    _make_dormant("member")
    _make_dormant("observer", days=89)
    User.objects.filter(username="leader").update(
        last_login=None, date_joined=timezone.now() - dt.timedelta(days=120)
    )
    User.objects.filter(username="secretary").update(
        is_demo=True, last_login=None, date_joined=timezone.now() - dt.timedelta(days=400)
    )
    call_command("disable_dormant")
    active = dict(User.objects.values_list("username", "is_active"))
    assert active["member"] is False and active["leader"] is False
    assert active["observer"] is True and active["secretary"] is True  # demo accounts spared
    entries = AuditEntry.objects.filter(action="deactivate")
    assert sorted(e.object_repr for e in entries) == ["leader", "member"]
    assert all(e.detail["reason"] == "dormant" and e.username == "system" for e in entries)
    assert "共停用 2 个" in capsys.readouterr().out


def test_reactivated_dormant_account_can_log_in(world, client):
    from zhongxinzu.accounts.services import user_set_active

    _make_dormant("member")
    call_command("disable_dormant")
    user_set_active(
        actor=world.users["sys_admin"], user=User.objects.get(username="member"), active=True
    )
    assert password_login(client, "member").status_code == 302
