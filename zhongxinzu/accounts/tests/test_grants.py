"""三员分立 and role grants."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhongxinzu.accounts.models import Role, RoleGrant, User
from zhongxinzu.accounts.services import grant_role, revoke_role
from zhongxinzu.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def sec(world):
    return world.users["sec_admin"]


def _plain(username="plain"):
    return User.objects.create_user(username, first_name="普通账号")


@pytest.mark.parametrize("admin", ["sys_admin", "sec_admin", "audit_admin"])
@pytest.mark.parametrize("other", ["sys_admin", "sec_admin", "audit_admin"])
def test_admin_roles_exclude_each_other(world, admin, other):
    holder = _plain()
    grant_role(actor=None, user=holder, role=admin)
    match = "已持有此角色" if other == admin else "三员分立"
    with pytest.raises(ValidationError, match=match):
        grant_role(actor=None, user=holder, role=other)


@pytest.mark.parametrize("admin", ["sys_admin", "sec_admin", "audit_admin"])
def test_admin_account_gets_no_business_role(world, admin):
    holder = world.users[admin]
    with pytest.raises(ValidationError, match="三员分立"):
        grant_role(actor=None, user=holder, role=Role.OBSERVER)
    with pytest.raises(ValidationError, match="三员分立"):
        grant_role(actor=None, user=holder, role=Role.SUPERVISOR, unit=world.units["own"])
    assert set(holder.grants.values_list("role", flat=True)) == {admin}


@pytest.mark.parametrize("holder", ["supervisor", "observer"])
def test_granted_business_role_excludes_admin_roles(world, sec, holder):
    with pytest.raises(ValidationError, match="三员分立"):
        grant_role(actor=sec, user=world.users[holder], role=Role.AUDIT_ADMIN)


@pytest.mark.parametrize("holder", ["secretary", "leader", "member"])
def test_roster_access_excludes_admin_roles(world, sec, holder):
    with pytest.raises(ValidationError, match="已关联人员"):
        grant_role(actor=sec, user=world.users[holder], role=Role.SYS_ADMIN)
    assert not RoleGrant.objects.filter(user=world.users[holder]).exists()


def test_supervisor_needs_a_unit_and_others_take_none(world, sec):
    user = _plain()
    with pytest.raises(ValidationError, match="须指定督导范围"):
        grant_role(actor=sec, user=user, role=Role.SUPERVISOR)
    with pytest.raises(ValidationError, match="只有督导角色"):
        grant_role(actor=sec, user=user, role=Role.OBSERVER, unit=world.units["own"])
    with pytest.raises(ValidationError, match="只有督导角色"):
        grant_role(actor=sec, user=user, role=Role.AUDIT_ADMIN, unit=world.units["own"])
    grant_role(actor=sec, user=user, role=Role.SUPERVISOR, unit=world.units["own"])
    grant_role(actor=sec, user=user, role=Role.SUPERVISOR, unit=world.units["sibling"])
    grant_role(actor=sec, user=user, role=Role.OBSERVER)
    assert user.grants.count() == 3


def test_a_person_may_hold_several_business_roles(world, sec):
    member = world.users["member"]
    grant_role(actor=sec, user=member, role=Role.OBSERVER)
    grant_role(actor=sec, user=member, role=Role.SUPERVISOR, unit=world.units["child"])
    assert set(member.grants.values_list("role", flat=True)) == {"observer", "supervisor"}


def test_own_roles_cannot_be_changed(world, sec):
    with pytest.raises(ValidationError, match="本人"):
        grant_role(actor=sec, user=sec, role=Role.OBSERVER)
    with pytest.raises(ValidationError, match="本人"):
        revoke_role(actor=sec, grant=RoleGrant.objects.get(user=sec))


def test_grant_and_revoke_through_the_pages_are_audited(world):
    client = world.login(Client(), "sec_admin")
    response = client.post(
        reverse("accounts:grant_create"),
        {"username": "observer", "role": "supervisor", "unit_code": "B"},
    )
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=world.users["observer"], role="supervisor")
    assert grant.unit == world.units["sibling"]
    client.post(reverse("accounts:grant_revoke", args=[grant.pk]))
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    entries = AuditEntry.objects.filter(action="role_change").order_by("id")
    assert [e.detail["op"] for e in entries] == ["grant", "revoke"]
    assert all(
        e.username == "sec_admin" and e.object_repr == "observer" and e.roles == "安全管理员"
        for e in entries
    )
    assert entries[0].detail == {"op": "grant", "role": "supervisor", "unit": "B"}


def test_grant_form_reports_problems_in_chinese(world):
    client = world.login(Client(), "sec_admin")
    page = client.post(
        reverse("accounts:grant_create"),
        {"username": "nobody", "role": "supervisor", "unit_code": "ZZZ"},
    ).content.decode()
    assert "未找到该用户名的账号" in page and "未找到该单位编码" in page
    page = client.post(
        reverse("accounts:grant_create"), {"username": "member", "role": "audit_admin"}
    ).content.decode()
    assert "三员分立" in page


def test_grant_list_shows_roles_with_constant_queries(world):
    client = world.login(Client(), "sec_admin")
    page = client.get(reverse("accounts:grant_list"), {"role": "supervisor"}).content.decode()
    assert "?username=supervisor" in page and "市教育局党委" in page
    assert "?username=observer" not in page

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("accounts:grant_list")).status_code == 200
        return len(ctx)

    small = count()
    for n in range(5):
        user = _plain(f"extra{n}")
        RoleGrant.objects.create(user=user, role=Role.SUPERVISOR, unit=world.units["child"])
        RoleGrant.objects.create(user=user, role=Role.OBSERVER)
    assert count() == small
