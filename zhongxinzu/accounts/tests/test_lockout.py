import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from zhongxinzu.accounts.tests.helpers import password_login
from zhongxinzu.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _fail(client, times, username="member"):
    return [password_login(client, username, "Wrong#pass1") for _ in range(times)]


def test_four_failures_do_not_lock(world, client):
    responses = _fail(client, 4)
    assert [r.status_code for r in responses] == [200] * 4
    assert password_login(client, "member").status_code == 302


def test_fifth_failure_locks_username_and_ip(world, client):
    responses = _fail(client, 5)
    assert responses[-1].status_code == 429
    page = responses[-1].content.decode()
    assert "临时锁定" in page and "安全管理员" in page
    # the right password does not help while locked
    response = password_login(client, "member")
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    # another address is not locked (lockout is on username + IP)
    assert password_login(client, "member", REMOTE_ADDR="10.1.2.3").status_code == 302


def test_lockout_is_audited_once(world, client):
    _fail(client, 5)
    password_login(client, "member")  # refused while locked
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions.count("login_failed") == 5
    assert actions.count("lockout") == 1
    assert actions.count("login_blocked") == 1
    assert "login" not in actions


def test_sec_admin_sees_and_unlocks(world, client):
    from django.test import Client

    _fail(client, 5)
    admin = world.login(Client(), "sec_admin")
    page = admin.get(reverse("accounts:lockout_list")).content.decode()
    assert "member" in page and "127.0.0.1" in page
    attempt = AccessAttempt.objects.get(username="member")
    response = admin.post(reverse("accounts:lockout_unlock", args=[attempt.pk]))
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="member").exists()
    entry = AuditEntry.objects.get(action="unlock")
    assert entry.username == "sec_admin" and entry.detail["username"] == "member"
    assert password_login(client, "member").status_code == 302


def test_lockout_list_hides_attempts_below_the_limit(world, client):
    _fail(client, 3)
    admin = world.login(client.__class__(), "sec_admin")
    page = admin.get(reverse("accounts:lockout_list")).content.decode()
    assert "当前没有被锁定的登录" in page
