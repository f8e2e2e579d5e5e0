"""Completeness (one record per security event, every field filled) and immutability."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from zhongxinzu.accounts.services import grant_role
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.audit.services import audit_record
from zhongxinzu.org.access import principal_of

pytestmark = pytest.mark.django_db


def _login(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def _only(action) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(action=action))
    assert len(entries) == 1, f"{action}: {len(entries)} records"
    return entries[0]


def _assert_full(entry, *, username, roles, unit, outcome="success"):
    assert entry.user is not None and entry.user.username == username
    assert entry.username == username
    assert entry.roles == roles
    assert entry.unit == unit
    assert entry.client_ip == "127.0.0.1"
    assert len(entry.request_id) == 36
    assert entry.outcome == outcome
    assert entry.at is not None and timezone.is_aware(entry.at)


def test_login_logout_and_failure(world):
    client = Client()
    _login(client, "supervisor", "Wrong#pass1")
    _assert_full(
        _only("login_failed"),
        username="supervisor",
        roles="督导",
        unit="市教育局党委",
        outcome="failure",
    )
    response = _login(client, "supervisor")
    _assert_full(_only("login"), username="supervisor", roles="督导", unit="市教育局党委")
    assert _only("login").request_id == response["X-Request-ID"]
    client.post(reverse("accounts:logout"))
    _assert_full(_only("logout"), username="supervisor", roles="督导", unit="市教育局党委")


def test_failed_login_for_unknown_name(world):
    _login(Client(), "nobody", "Wrong#pass1")
    entry = _only("login_failed")
    assert entry.user is None and entry.username == "nobody" and entry.client_ip == "127.0.0.1"
    assert entry.outcome == "failure" and entry.request_id


def test_lockout(world):
    client = Client()
    for _ in range(5):
        _login(client, "member", "Wrong#pass1")
    entry = _only("lockout")
    p = principal_of(world.users["member"])
    assert p.roles_label and p.unit_label
    _assert_full(entry, username="member", roles=p.roles_label, unit=p.unit_label, outcome="denied")
    assert AuditEntry.objects.filter(action="login_failed").count() == 5


def test_password_change(world):
    client = world.login(Client(), "leader")
    client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "password": "Neu#Kennwort9", "password2": "Neu#Kennwort9"},
    )
    entry = _only("password_change")
    p = principal_of(world.users["leader"])
    assert "组长" in p.roles_label
    _assert_full(entry, username="leader", roles=p.roles_label, unit=p.unit_label)
    assert entry.object_repr == "leader"


def test_role_change_and_unlock(world):
    client = world.login(Client(), "sec_admin")
    client.post(
        reverse("accounts:grant_create"),
        {"username": "observer", "role": "supervisor", "unit_code": "A1"},
    )
    entry = _only("role_change")
    _assert_full(entry, username="sec_admin", roles="安全管理员", unit="")
    assert entry.object_repr == "observer"
    for _ in range(5):
        _login(Client(), "member", "Wrong#pass1")
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.get(username="member")
    client.post(reverse("accounts:lockout_unlock", args=[attempt.pk]))
    entry = _only("unlock")
    _assert_full(entry, username="sec_admin", roles="安全管理员", unit="")
    assert entry.detail == {"username": "member", "ip": "127.0.0.1"}


def test_no_secrets_in_detail(world):
    entry = audit_record(
        action="update",
        detail={"password": "Secret#1", "token": "abc", "otp_token": "123456", "name": "x"},
    )
    assert entry.detail == {"password": "***", "token": "***", "otp_token": "***", "name": "x"}
    client = Client()
    _login(client, "member", "Wrong#pass1")
    _login(client, "member")
    client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "password": "Neu#Kennwort9", "password2": "Neu#Kennwort9"},
    )
    for e in AuditEntry.objects.all():
        text = f"{e.detail} {e.object_repr}"
        assert "Wrong#pass1" not in text and PASSWORD not in text and "Kennwort" not in text


def test_a_failed_audit_write_fails_the_action(world, monkeypatch):
    from zhongxinzu.accounts import services
    from zhongxinzu.accounts.models import RoleGrant

    def broken(**kwargs):
        raise DatabaseError("audit table unavailable")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(DatabaseError):
        grant_role(
            actor=None, user=world.users["observer"], role="supervisor", unit=world.units["own"]
        )
    assert not RoleGrant.objects.filter(user=world.users["observer"], role="supervisor").exists()


# --- immutability ----------------------------------------------------------------------


@pytest.fixture
def entry(db):
    return audit_record(action="login", username="someone")


def test_orm_cannot_update_or_delete(entry):
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    entry.action = "x"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "login"


def test_raw_sql_cannot_update(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = 'x' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "login"


def test_raw_sql_cannot_delete_a_young_record(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def _insert_at(when: dt.datetime, action: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditentry (at, username, roles, unit, action, object_type,"
            " object_id, object_repr, outcome, request_id, detail)"
            " VALUES (%s, 'old', '', '', %s, '', '', '', 'success', '', %s)",
            [connection.ops.adapt_datetimefield_value(when), action, "{}"],
        )
    return AuditEntry.objects.get(action=action).pk


def test_purge_removes_only_records_older_than_184_days(world):
    now = timezone.now()
    old = _insert_at(now - dt.timedelta(days=200), "old_one")
    edge = _insert_at(now - dt.timedelta(days=183), "young_one")
    recent = audit_record(action="login", username="recent").pk
    call_command("purge_audit")
    remaining = set(AuditEntry.objects.values_list("pk", flat=True))
    assert old not in remaining
    assert {edge, recent} <= remaining
    purge = AuditEntry.objects.get(action="audit_purge")
    assert purge.detail["deleted"] == 1


def test_purge_keeps_184_days_even_if_configured_shorter(world, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    young = _insert_at(timezone.now() - dt.timedelta(days=100), "hundred_days")
    call_command("purge_audit")
    assert AuditEntry.objects.filter(pk=young).exists()
