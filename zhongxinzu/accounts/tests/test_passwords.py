import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from zhongxinzu.accounts.models import ApiToken, PasswordHistory, User
from zhongxinzu.accounts.services import user_set_password
from zhongxinzu.accounts.tests.helpers import password_login
from zhongxinzu.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
URL = reverse("accounts:password_change")


def _change(client, new, old=PASSWORD):
    return client.post(URL, {"old_password": old, "password": new, "password2": new})


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_new_passwords_are_hashed_with_argon2id(world):
    user = world.users["member"]
    user_set_password(actor=user, user=user, raw_password="Neu#Kennwort9")
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("Neu#Kennwort9")


def test_production_hasher_is_argon2():
    from zhongxinzu import settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!", "密码太短"),
        ("abcdefgh12", "三类"),
        ("Password1", "太常见"),
        ("member2026!", "太相似"),
        ("20261234", "只包含数字"),
    ],
)
def test_policy_messages_are_chinese(world, client, password, message):
    world.login(client, "member")
    response = _change(client, password)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.get(username="member").check_password(PASSWORD)


def test_policy_messages_stay_chinese_for_an_english_browser(world, client):
    world.login(client, "member")
    response = client.post(
        URL,
        {"old_password": PASSWORD, "password": "short", "password2": "short"},
        HTTP_ACCEPT_LANGUAGE="en-US,en",
    )
    assert "密码太短" in response.content.decode()


def test_wrong_old_password_and_mismatch(world, client):
    world.login(client, "member")
    assert "当前密码不正确" in _change(client, "Neu#Kennwort9", old="nope").content.decode()
    response = client.post(
        URL, {"old_password": PASSWORD, "password": "Neu#Kennwort9", "password2": "Neu#Kennwort8"}
    )
    assert "两次输入的新密码不一致" in response.content.decode()


def test_last_five_passwords_cannot_be_reused(world):
    user = world.users["member"]
    for n in range(1, 6):
        user_set_password(actor=user, user=user, raw_password=f"Kennwort#{n}x")
    assert PasswordHistory.objects.filter(user=user).count() == 5
    for old in [PASSWORD, "Kennwort#1x", "Kennwort#5x"]:
        with pytest.raises(ValidationError) as e:
            user_set_password(actor=user, user=user, raw_password=old)
        assert "最近5次" in str(e.value)
    user_set_password(actor=user, user=user, raw_password="Kennwort#6x")
    assert PasswordHistory.objects.filter(user=user).count() == 5  # trimmed


def test_change_keeps_this_session_and_ends_others(world, client):
    password_login(client, "member")
    other = Client()
    password_login(other, "member")
    assert other.get("/").status_code == 302
    assert not other.get("/")["Location"].startswith("/accounts/login")
    response = _change(client, "Neu#Kennwort9")
    assert response.status_code == 302
    assert not client.get("/")["Location"].startswith("/accounts/login")
    assert other.get("/")["Location"].startswith("/accounts/login")
    user = User.objects.get(username="member")
    assert user.check_password("Neu#Kennwort9")
    assert user.password_changed_at > timezone.now() - dt.timedelta(minutes=1)
    assert PasswordHistory.objects.filter(user=user).count() == 1


def test_change_is_audited_without_the_password(world, client):
    world.login(client, "member")
    _change(client, "Neu#Kennwort9")
    entry = AuditEntry.objects.get(action="password_change")
    assert entry.username == "member" and entry.object_repr == "member"
    assert "Kennwort" not in str(entry.detail) and PASSWORD not in str(entry.detail)


def test_change_revokes_api_tokens(world):
    user = world.users["member"]
    ApiToken.objects.create(user=user, key_hash="a" * 64, expires_at=timezone.now())
    user_set_password(actor=user, user=user, raw_password="Neu#Kennwort9")
    assert not ApiToken.objects.filter(user=user).exists()


@pytest.mark.parametrize("changed_days_ago", [None, 91])
def test_old_or_initial_password_forces_the_change_page(world, client, changed_days_ago):
    changed = (
        None if changed_days_ago is None else timezone.now() - dt.timedelta(days=changed_days_ago)
    )
    User.objects.filter(username="member").update(password_changed_at=changed)
    world.login(client, "member")
    response = client.get(reverse("org:person_list"))
    assert response["Location"] == f"{URL}?next=%2Forg%2Fpeople%2F"
    assert client.get(URL).status_code == 200
    response = client.post(
        URL + "?next=/org/people/",
        {
            "old_password": PASSWORD,
            "password": "Neu#Kennwort9",
            "password2": "Neu#Kennwort9",
            "next": "/org/people/",
        },
    )
    assert response["Location"] == "/org/people/"
    assert client.get(reverse("org:person_list")).status_code == 200


def test_password_younger_than_90_days_is_not_forced(world, client):
    User.objects.filter(username="member").update(
        password_changed_at=timezone.now() - dt.timedelta(days=89)
    )
    world.login(client, "member")
    assert client.get(reverse("org:person_list")).status_code == 200


def test_admin_reset_password_must_be_changed_at_next_login(world):
    member = world.users["member"]
    user_set_password(actor=world.users["sys_admin"], user=member, raw_password="Temp#Pass123")
    member.refresh_from_db()
    assert member.password_changed_at is None
    assert AuditEntry.objects.filter(action="password_reset", object_repr="member").count() == 1


def test_nobody_else_sets_an_admin_password(world):
    with pytest.raises(ValidationError, match="只能由本人修改"):
        user_set_password(
            actor=world.users["sys_admin"],
            user=world.users["audit_admin"],
            raw_password="Temp#Pass123",
        )
