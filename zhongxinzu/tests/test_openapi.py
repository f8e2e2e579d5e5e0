"""/api/openapi.json (issue 8, 5j): built once per process, for callers with an account."""

from django.test import Client
from ninja.openapi import schema as ninja_schema

from zhongxinzu.api.api import api
from zhongxinzu.api.services import token_issue


def test_anonymous_callers_get_401_in_json(world):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 401
    assert "登录" in response.json()["detail"]
    assert "paths" not in response.json()


def test_signed_in_and_bearer_callers_get_the_description(world):
    page = world.login(Client(), "member").get("/api/openapi.json")
    assert page.status_code == 200 and "/api/units" in str(page.json()["paths"])
    raw, _ = token_issue(user=world.users["secretary"])
    bearer = Client().get("/api/openapi.json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert bearer.status_code == 200 and bearer.json() == page.json()


def test_the_schema_is_built_once_per_process(world, monkeypatch):
    calls = []
    build = ninja_schema.get_schema

    def counting(**kwargs):
        calls.append(kwargs["path_prefix"])
        return build(**kwargs)

    # ninja's own builder, counted (the library's code, run for real).
    monkeypatch.setattr("ninja.main.get_schema", counting)
    api.__dict__.pop("_schema_cache", None)
    client = world.login(Client(), "member")
    first = client.get("/api/openapi.json").json()
    second = client.get("/api/openapi.json").json()
    assert first == second
    assert len(calls) == 1
    # callers get a copy: changing it does not change what the next caller gets
    api.get_openapi_schema()["info"]["title"] = "changed"
    assert client.get("/api/openapi.json").json()["info"]["title"] == "中心组学习管理平台 API"
