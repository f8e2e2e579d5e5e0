import io

import pytest
from django.core.management import CommandError, call_command

from zhongxinzu.accounts.models import RoleGrant, User
from zhongxinzu.audit.models import AuditEntry


@pytest.mark.django_db
def test_create_admin_makes_an_admin_account_with_a_temporary_password(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Chu$hi2026pw\n"))
    out = io.StringIO()
    call_command(
        "create_admin", "sysadmin1", role="sys_admin", name="张三", password_stdin=True, stdout=out
    )
    user = User.objects.get(username="sysadmin1")
    assert user.check_password("Chu$hi2026pw") and user.password_changed_at is None
    assert RoleGrant.objects.filter(user=user, role="sys_admin").exists()
    assert AuditEntry.objects.filter(action="role_change", object_id=str(user.pk)).exists()
    assert "系统管理员" in out.getvalue()


@pytest.mark.django_db
def test_create_admin_refuses_a_weak_password(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("12345678\n"))
    with pytest.raises(CommandError):
        call_command("create_admin", "sec1", role="sec_admin", name="李四", password_stdin=True)
    assert not User.objects.filter(username="sec1").exists()
