"""Every URL and every API operation × every role × every relation.

Each app declares its entries in `<app>/tests/matrix.py`; this test fails on any URL
pattern or API operation that has no entry.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import zhongxinzu
from conftest import RELATIONS, ROLES
from zhongxinzu.lib.matrix import LOGIN, OK, Api, Page

BASE_OBJECTS = {
    "unit": lambda w, rel: w.units[rel],
    "group": lambda w, rel: w.groups[rel],
    "person": lambda w, rel: w.people[rel],
    "membership": lambda w, rel: w.memberships[rel],
}


def _matrix_modules():
    for info in pkgutil.iter_modules(zhongxinzu.__path__):
        try:
            yield importlib.import_module(f"zhongxinzu.{info.name}.tests.matrix")
        except ModuleNotFoundError:
            continue


ENTRIES = [e for m in _matrix_modules() for e in m.ENTRIES]
OBJECTS = dict(BASE_OBJECTS)
for _m in _matrix_modules():
    OBJECTS.update(getattr(_m, "OBJECTS", {}))
PAGES = [e for e in ENTRIES if isinstance(e, Page)]
APIS = [e for e in ENTRIES if isinstance(e, Api)]


def _url_names(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _url_names(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}"


def _is_api(name: str) -> bool:
    return name.startswith("api-") or name.split(":")[0].startswith("api")


def test_every_url_has_an_entry():
    declared = {e.name for e in PAGES}
    names = {n for n in _url_names(get_resolver().url_patterns) if not _is_api(n)}
    assert names - declared == set(), "URLs without a permission-matrix entry"
    assert declared - names == set(), "matrix entries for URLs that do not exist"


def test_every_api_operation_has_an_entry():
    from zhongxinzu.api.api import api

    schema = api.get_openapi_schema()
    operations = {(m.upper(), path) for path, ops in schema["paths"].items() for m in ops}
    declared = {(e.method, e.path) for e in APIS}
    assert operations - declared == set(), "API operations without a permission-matrix entry"
    assert declared - operations == set(), "matrix entries for API operations that do not exist"


def _expected(entry, role, rel):
    value = entry.expect.get(role, LOGIN if role == "anonymous" else None)
    assert value is not None, f"{entry} has no expectation for {role}"
    return value[rel] if isinstance(value, dict) else value


def _check(response, expected, *, api: bool, where: str):
    code = response.status_code
    if expected == OK:
        assert code < 400 or code == 422 or (code == 400 and api), f"{where}: got {code}"
        if code in (301, 302):
            assert "/accounts/login" not in response["Location"], f"{where}: sent to login"
    elif expected == LOGIN:
        if api:
            assert code == 401, f"{where}: got {code}, expected 401"
        else:
            assert code == 302 and "/accounts/login" in response["Location"], f"{where}: {code}"
    else:
        assert code == expected, f"{where}: got {code}, expected {expected}"


def _run(world, entry, build_request, api: bool):
    relations = RELATIONS if entry.obj else ["own"]
    for role in ROLES:
        for rel in relations:
            expected = _expected(entry, role, rel)
            obj = OBJECTS[entry.obj](world, rel) if entry.obj else None
            with transaction.atomic():
                client = world.login(Client(), role)
                response = build_request(client, obj)
                _check(
                    response,
                    expected,
                    api=api,
                    where=f"{entry.method} {getattr(entry, 'name', None) or entry.path} "
                    f"as {role} on {rel}",
                )
                transaction.set_rollback(True)


@pytest.mark.parametrize("entry", PAGES, ids=lambda e: f"{e.method} {e.name}")
def test_page_access(world, entry):
    def request(client, obj):
        kwargs = dict(entry.kwargs)
        if obj is not None and not entry.param:
            kwargs["pk"] = obj.pk
        url = reverse(entry.name, kwargs=kwargs or None)
        if obj is not None and entry.param:
            url += f"?{entry.param}={obj.pk}"
        return client.generic(
            entry.method,
            url,
            data=_form(entry.data),
            content_type="application/x-www-form-urlencoded",
        )

    _run(world, entry, request, api=False)


def _form(data):
    from urllib.parse import urlencode

    return urlencode(data, doseq=True)


def _fill(path: str, obj) -> str:
    """The object's pk in the last "{…_id}" of the path; any before it from the object's own
    field of that name (an adjustment's scheme_id in /{scheme_id}/adjustments/{adjustment_id})."""
    names = [n for n in re.findall(r"\{(\w+)\}", path) if n.endswith("_id")]
    for name in names[:-1]:
        path = path.replace(f"{{{name}}}", str(getattr(obj, name)))
    return path.replace(f"{{{names[-1]}}}", str(obj.pk))


@pytest.mark.parametrize("entry", APIS, ids=lambda e: f"{e.method} {e.path}")
def test_api_access(world, entry):
    def request(client, obj):
        path = _fill(entry.path, obj) if obj is not None else entry.path
        body = json.dumps(entry.body) if entry.body is not None else ""
        return client.generic(entry.method, path, data=body, content_type="application/json")

    _run(world, entry, request, api=True)
