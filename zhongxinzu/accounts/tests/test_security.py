"""Headers, CSRF, and the no-inline-script rule on the pages of this app."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD

pytestmark = pytest.mark.django_db

ADMIN_PAGES = {
    "sys_admin": ["accounts:user_list", "accounts:user_create"],
    "sec_admin": ["accounts:grant_list", "accounts:grant_create", "accounts:lockout_list"],
    "audit_admin": ["audit:entry_list"],
    "member": ["accounts:password_change", "accounts:otp_setup"],
}


def _directives(header: str) -> dict[str, str]:
    return {d.split()[0]: d.strip() for d in header.split(";") if d.strip()}


def test_csp_forbids_inline_code_and_framing(client):
    response = client.get(reverse("accounts:login"))
    header = response["Content-Security-Policy"]
    directives = _directives(header)
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header
    assert directives["object-src"] == "object-src 'none'"
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives["script-src"] == "script-src 'self'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_login_post_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "member", "password": PASSWORD})
    assert response.status_code == 403
    assert "CSRF" in response.content.decode() and "操作未执行" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_with_csrf_token_works(world):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("accounts:login"))
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("accounts:login"),
        {"username": "member", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


@pytest.mark.parametrize("name", ["accounts:logout", "accounts:password_change"])
def test_signed_in_posts_need_the_token(world, name):
    client = world.login(Client(enforce_csrf_checks=True), "member")
    assert client.post(reverse(name)).status_code == 403
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize(("role", "names"), ADMIN_PAGES.items())
def test_pages_have_no_inline_script_or_style(world, role, names):
    client = world.login(Client(), role)
    for name in names:
        page = client.get(reverse(name)).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), name
        assert not re.search(r"\sstyle=|<style", page), name
        assert not re.search(r"\son[a-z]+=", page), name
