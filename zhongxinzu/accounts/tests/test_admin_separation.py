"""Issue 8 §5 a, b, f: admins cannot grant themselves business rights, cannot silence
each other, and get no API token before binding TOTP."""

import pytest
from django.core.exceptions import ValidationError
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from zhongxinzu.accounts import services
from zhongxinzu.accounts.models import ApiToken, User
from zhongxinzu.api.tests.helpers import ApiClient

pytestmark = pytest.mark.django_db


def test_system_admin_cannot_link_an_account_to_a_person(world):
    """Linking grants the person's group roles: the system admin may not do it."""
    person = world.people["child"]
    with pytest.raises(ValidationError) as e:
        services.user_create(
            actor=world.users["sys_admin"],
            username="proxy",
            full_name="代理",
            raw_password="Init#Pass2026",
            person_id=person.pk,
        )
    assert "安全管理员" in str(e.value)
    assert not User.objects.filter(username="proxy").exists()
    account = services.user_create(
        actor=world.users["sys_admin"],
        username="proxy",
        full_name="代理",
        raw_password="Init#Pass2026",
    )
    with pytest.raises(ValidationError):
        services.user_update(
            actor=world.users["sys_admin"], user=account, full_name="代理", person_id=person.pk
        )
    account.refresh_from_db()
    assert account.person_id is None


def test_security_admin_may_link_an_account_to_a_person(world):
    person = world.people["child"]
    account = services.user_create(
        actor=world.users["sys_admin"],
        username="proxy",
        full_name="代理",
        raw_password="Init#Pass2026",
    )
    services.user_update(
        actor=world.users["sec_admin"], user=account, full_name="代理", person_id=person.pk
    )
    account.refresh_from_db()
    assert account.person_id == person.pk


def test_security_admin_links_a_person_on_its_page_and_the_grant_list_shows_the_roles(world):
    from django.test import Client
    from django.urls import reverse

    from zhongxinzu.audit.models import AuditEntry

    person = world.people["child"]
    account = services.user_create(
        actor=world.users["sys_admin"],
        username="proxy",
        full_name="代理",
        raw_password="Init#Pass2026",
    )
    sec = world.login(Client(), "sec_admin")
    grants = sec.get(reverse("accounts:grant_list"), {"q": "proxy"}).content.decode()
    assert reverse("accounts:person_link", args=[account.pk]) in grants
    r = sec.post(reverse("accounts:person_link", args=[account.pk]), {"person_id": person.pk})
    assert r.status_code == 302
    account.refresh_from_db()
    assert account.person_id == person.pk
    assert AuditEntry.objects.filter(
        user=world.users["sec_admin"], action="update", object_id=str(account.pk)
    ).exists()
    grants = sec.get(reverse("accounts:grant_list"), {"q": "proxy"}).content.decode()
    assert f"名册：{world.groups['child'].name}·成员" in grants
    # A person already linked elsewhere is refused with the form's message; nothing changes.
    other = services.user_create(
        actor=world.users["sys_admin"],
        username="proxy2",
        full_name="代理二",
        raw_password="Init#Pass2026",
    )
    r = sec.post(reverse("accounts:person_link", args=[other.pk]), {"person_id": person.pk})
    assert "该人员已关联账号“proxy”" in r.content.decode()
    other.refresh_from_db()
    assert other.person_id is None


@pytest.mark.parametrize("target", ["audit_admin", "sec_admin"])
def test_system_admin_cannot_disable_another_admin(world, target):
    victim = world.users[target]
    with pytest.raises(ValidationError):
        services.user_set_active(actor=world.users["sys_admin"], user=victim, active=False)
    victim.refresh_from_db()
    assert victim.is_active


@pytest.mark.parametrize("target", ["audit_admin", "sec_admin"])
def test_system_admin_cannot_delete_another_admins_totp(world, target):
    victim = world.users[target]
    with pytest.raises(ValidationError):
        services.user_otp_reset(actor=world.users["sys_admin"], user=victim)
    assert TOTPDevice.objects.filter(user=victim, confirmed=True).exists()


def test_business_accounts_can_still_be_disabled_and_reset(world):
    member = world.users["member"]
    services.user_otp_reset(actor=world.users["sys_admin"], user=member)
    services.user_set_active(actor=world.users["sys_admin"], user=member, active=False)
    member.refresh_from_db()
    assert not member.is_active


def test_admin_without_a_bound_device_gets_no_token(world):
    TOTPDevice.objects.filter(user=world.users["audit_admin"]).delete()
    response = ApiClient().post(
        "/api/auth/token", {"username": "audit_admin", "password": PASSWORD}
    )
    assert response.status_code == 401
    assert "绑定动态口令" in response.json()["detail"]
    assert not ApiToken.objects.filter(user=world.users["audit_admin"]).exists()


def test_database_refuses_a_second_admin_role_on_one_account(world):
    from django.db import IntegrityError, transaction

    from zhongxinzu.accounts.models import RoleGrant

    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrant.objects.create(user=world.users["sys_admin"], role="audit_admin")


def test_database_refuses_a_username_differing_only_in_case(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("MEMBER")


def test_grant_list_shows_roles_that_come_from_the_person_link(world):
    from django.test import Client
    from django.urls import reverse

    member = world.users["member"]
    assert not member.grants.exists() and member.person_id
    page = (
        world.login(Client(), "sec_admin")
        .get(reverse("accounts:grant_list"), {"q": "member"})
        .content.decode()
    )
    row = page[page.index(">member<") :].split("</tr>")[0]
    assert "名册：" in row and "无" not in row
