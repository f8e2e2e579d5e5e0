import base64
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhongxinzu.accounts.tests.helpers import password_login, totp_now
from zhongxinzu.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
SETUP = reverse("accounts:otp_setup")
VERIFY = reverse("accounts:otp_verify")


@pytest.mark.parametrize("role", ["sys_admin", "sec_admin", "audit_admin"])
def test_admin_must_pass_totp_after_password(world, client, role):
    assert password_login(client, role)["Location"] == "/"
    assert client.get("/")["Location"] == VERIFY
    assert client.get(reverse("accounts:user_list"))["Location"].startswith(VERIFY + "?next=")
    response = client.post(VERIFY, {"token": totp_now(world.devices[role])})
    assert response["Location"] == "/"
    assert client.get("/").status_code == 302
    assert not client.get("/")["Location"].startswith(VERIFY)


def test_admin_without_device_is_sent_to_setup(world, client):
    world.devices["audit_admin"].delete()
    password_login(client, "audit_admin")
    assert client.get("/")["Location"] == SETUP
    assert client.get(VERIFY)["Location"].startswith(SETUP)
    assert client.get(reverse("audit:entry_list"))["Location"].startswith(SETUP)


def test_setup_shows_qr_svg_and_secret_then_confirms(world, client):
    world.devices["audit_admin"].delete()
    password_login(client, "audit_admin")
    page = client.get(SETUP).content.decode()
    data = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page).group(1)
    assert base64.b64decode(data).lstrip().startswith(b"<svg")
    device = TOTPDevice.objects.get(user=world.users["audit_admin"], confirmed=False)
    secret = base64.b32encode(device.bin_key).decode()
    assert secret[:4] in page
    assert client.get(SETUP).status_code == 200
    assert TOTPDevice.objects.filter(user=world.users["audit_admin"]).count() == 1  # reused
    response = client.post(SETUP, {"token": totp_now(device)})
    assert response["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("audit:entry_list")).status_code == 200
    entry = AuditEntry.objects.get(action="otp_setup")
    assert entry.outcome == "success" and entry.username == "audit_admin"


def test_wrong_codes_are_refused_and_audited(world, client):
    with time_machine.travel("2026-03-02 09:00:00+00:00", tick=False) as clock:
        password_login(client, "sys_admin")
        response = client.post(VERIFY, {"token": "000000"})
        assert response.status_code == 200 and "动态口令不正确" in response.content.decode()
        assert "验证失败次数过多" in client.post(VERIFY, {"token": "000001"}).content.decode()
        clock.shift(10)
        device = world.devices["sys_admin"]
        device.refresh_from_db()
        assert client.post(VERIFY, {"token": totp_now(device)}).status_code == 302
    failures = AuditEntry.objects.filter(action="otp_failed")
    assert failures.count() == 2 and {e.outcome for e in failures} == {"failure"}
    assert all("000000" not in str(e.detail) for e in failures)


def test_setup_with_wrong_code_is_audited(world, client):
    world.login(client, "member")
    client.get(SETUP)
    response = client.post(SETUP, {"token": "123456"})
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="otp_setup")
    assert entry.outcome == "failure" and entry.username == "member"


def test_totp_is_optional_for_business_roles(world, client):
    password_login(client, "member")
    assert client.get(reverse("org:person_list")).status_code == 200
    assert "绑定动态口令" in client.get(reverse("accounts:password_change")).content.decode()


def test_business_user_with_device_must_verify(world, client):
    device = TOTPDevice.objects.create(user=world.users["member"], name="phone", confirmed=True)
    password_login(client, "member")
    assert client.get(reverse("org:person_list"))["Location"].startswith(VERIFY)
    client.post(VERIFY, {"token": totp_now(device)})
    assert client.get(reverse("org:person_list")).status_code == 200


def test_unverified_user_cannot_rebind_a_device(world, client):
    TOTPDevice.objects.create(user=world.users["member"], name="phone", confirmed=True)
    client.force_login(world.users["member"])
    assert client.get(SETUP)["Location"] == VERIFY


def test_sys_admin_clears_a_lost_device(world):
    admin = world.login(Client(), "sys_admin")
    member = world.users["member"]
    TOTPDevice.objects.create(user=member, name="phone", confirmed=True)
    response = admin.post(reverse("accounts:user_otp_reset", args=[member.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert AuditEntry.objects.filter(action="otp_reset", object_repr="member").count() == 1
