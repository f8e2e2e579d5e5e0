"""Rate limits (issue 8, 5e): login, token, API, downloads and uploads answer 429 in Chinese
once a client address or an account is over its limit; a username-only lockout stage sits
above django-axes' username+address one."""

import json

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

import zhongxinzu.settings as production
from conftest import PASSWORD

HIGH = {"ip": "1000/m", "account": "1000/m"}


@pytest.fixture
def limits(settings):
    """Rate limits on (the suite runs with them off), every limit high unless a test
    lowers one; fresh counters."""
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMITS = {k: dict(HIGH) for k in ("login", "token", "api", "export", "upload")}
    settings.RATELIMIT_LOGIN_FAILURES = "1000/30m"
    caches["ratelimit"].clear()
    yield settings.RATELIMITS
    caches["ratelimit"].clear()


def login_post(client, username, password="wrong-password", ip="198.51.100.1"):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_production_defaults_are_on_and_shared_by_workers():
    assert production.RATELIMIT_ENABLE is True
    backend = production.CACHES[production.RATELIMIT_USE_CACHE]["BACKEND"]
    assert backend.endswith("FileBasedCache")  # one host's workers share it, no extra server
    assert set(production.RATELIMITS) == {"login", "token", "api", "export", "upload"}


def test_login_per_address(world, limits):
    limits["login"]["ip"] = "3/m"
    client = Client()
    for name in ("a", "b", "c"):
        assert login_post(client, name).status_code == 200
    refused = login_post(client, "d")
    assert refused.status_code == 429
    assert "操作过于频繁" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    # another address is not affected
    assert login_post(client, "d", ip="198.51.100.2").status_code == 200


def test_login_per_account_across_addresses(world, limits):
    limits["login"]["account"] = "2/m"
    client = Client()
    assert login_post(client, "member", ip="198.51.100.1").status_code == 200
    assert login_post(client, "MEMBER", ip="198.51.100.2").status_code == 200
    assert login_post(client, "member", ip="198.51.100.3").status_code == 429


def test_address_is_the_trusted_proxy_client_address(world, limits, settings):
    settings.TRUSTED_PROXIES = {"127.0.0.1"}
    limits["login"]["ip"] = "1/m"
    client = Client()

    def via_proxy(forwarded):
        return client.post(
            reverse("accounts:login"),
            {"username": "x", "password": "y"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    assert via_proxy("203.0.113.7").status_code == 200
    assert via_proxy("203.0.113.8").status_code == 200  # another client behind the proxy
    assert via_proxy("203.0.113.7").status_code == 429


def test_username_only_lockout_above_the_username_and_address_stage(world, limits, settings):
    settings.RATELIMIT_LOGIN_FAILURES = "3/30m"
    client = Client()
    # three failures from three addresses: axes (username+address) locks none of them
    for i in range(3):
        assert login_post(client, "member", ip=f"198.51.100.{10 + i}").status_code == 200
    locked = login_post(client, "member", PASSWORD, ip="198.51.100.99")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    # other accounts still log in
    assert login_post(client, "secretary", PASSWORD, ip="198.51.100.99").status_code == 302


def test_token_endpoint_answers_429_in_json(world, limits):
    limits["token"]["account"] = "2/m"
    client = Client()
    body = json.dumps({"username": "member", "password": "wrong"})
    for _ in range(2):
        response = client.post("/api/auth/token", body, content_type="application/json")
        assert response.status_code != 429
    refused = client.post("/api/auth/token", body, content_type="application/json")
    assert refused.status_code == 429
    assert "操作过于频繁" in refused.json()["detail"]


def test_api_per_account(world, limits):
    limits["api"]["account"] = "2/m"
    client = world.login(Client(), "supervisor")
    assert client.get("/api/units").status_code == 200
    assert client.get("/api/units").status_code == 200
    refused = client.get("/api/units")
    assert refused.status_code == 429 and "操作过于频繁" in refused.json()["detail"]
    # another account is not affected
    assert world.login(Client(), "secretary").get("/api/units").status_code == 200


def test_downloads_per_account(world, limits):
    limits["export"]["account"] = "2/m"
    client = world.login(Client(), "sys_admin")
    url = reverse("org:unit_export")
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    refused = client.get(url)
    assert refused.status_code == 429
    assert "操作过于频繁" in refused.content.decode()
    # pages that are not downloads still open
    assert client.get(reverse("org:unit_list")).status_code == 200


def test_uploads_per_account(world, limits):
    limits["upload"]["account"] = "2/m"
    client = world.login(Client(), "secretary")
    url = reverse("org:import_roster")
    for _ in range(2):
        response = client.post(url, {"file": SimpleUploadedFile("名册.xlsx", b"not a workbook")})
        assert response.status_code == 422
    refused = client.post(url, {"file": SimpleUploadedFile("名册.xlsx", b"not a workbook")})
    assert refused.status_code == 429
