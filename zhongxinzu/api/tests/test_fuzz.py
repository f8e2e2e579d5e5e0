"""Schemathesis fuzzes every operation of the OpenAPI description, per role.

Checks: never a 5xx; a 2xx never returns a record outside the caller's scope; and nothing
outside the scope changes. Path parameters and record references in bodies are pointed
at real records of every relation (own, child, parent, sibling, unrelated) half the
time, so the scope checks meet real cross-unit attempts, not only unknown ids.

Examples are derandomized (the same on every run) and few per operation to stay fast;
each runs in a transaction that is rolled back.
"""

import json
import os
from urllib.parse import urlencode, urlsplit

import pytest
import schemathesis
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import RELATIONS
from zhongxinzu.api.api import api
from zhongxinzu.api.services import token_issue
from zhongxinzu.org.models import Membership, Person, StudyGroup, Unit

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
# Per operation, role and generation mode; FUZZ_EXAMPLES=50 for a deeper run by hand.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 3))

# path parameter or body field -> the collection its id belongs to
REFERENCES = {
    "unit_id": "units",
    "group_id": "groups",
    "person_id": "people",
    "membership_id": "memberships",
    "parent": "units",
    "unit": "units",
    "group": "groups",
    "person": "people",
}
WORLD_ATTR = {
    "units": "units",
    "groups": "groups",
    "people": "people",
    "memberships": "memberships",
}


def allowed_unit_ids(world, role) -> set[int]:
    own = Unit.objects.get(pk=world.units["own"].pk)
    if role == "supervisor":
        return set(Unit.objects.filter(path__startswith=own.path).values_list("pk", flat=True))
    return {own.pk}


def allowed_ids(units: set[int]) -> dict[str, set[int]]:
    return {
        "units": units,
        "groups": set(StudyGroup.objects.filter(unit__in=units).values_list("pk", flat=True)),
        "people": set(Person.objects.filter(unit__in=units).values_list("pk", flat=True)),
        "memberships": set(
            Membership.objects.filter(group__unit__in=units).values_list("pk", flat=True)
        ),
    }


def outside(world, role):
    """Everything outside the scope, as it stands (tree paths aside: a reorder inside the
    scope may renumber a sibling's path without changing it)."""
    units = allowed_unit_ids(world, role)
    return (
        list(
            Unit.objects.exclude(pk__in=units)
            .order_by("pk")
            .values_list("pk", "version", "name", "code", "kind", "order", "is_active")
        ),
        list(
            StudyGroup.objects.exclude(unit__in=units)
            .order_by("pk")
            .values_list("pk", "version", "name", "is_active")
        ),
        list(
            Person.objects.exclude(unit__in=units)
            .order_by("pk")
            .values_list("pk", "version", "unit_id", "name", "post", "phone", "is_active")
        ),
        list(
            Membership.objects.exclude(group__unit__in=units)
            .order_by("pk")
            .values_list("pk", "version", "group_id", "person_id", "role", "end_date")
        ),
    )


def check_in_scope(collection: str, body, allowed: dict[str, set[int]], where: str):
    items = body["items"] if isinstance(body, dict) and "items" in body else [body]
    for item in items:
        if not isinstance(item, dict) or "id" not in item:
            continue
        assert item["id"] in allowed[collection], f"{where}: {collection} {item['id']} out of scope"
        for field, ref in [
            ("parent_id", "units"),
            ("unit_id", "units"),
            ("group_id", "groups"),
            ("person_id", "people"),
        ]:
            value = item.get(field)
            assert value is None or value in allowed[ref], f"{where}: {field}={value}"


@pytest.mark.parametrize("role", ["supervisor", "secretary", "member"])
def test_fuzz_every_operation(world, role):
    # One world per role, every operation on it: building the world dominates otherwise.
    raw, _ = token_issue(user=world.users[role])
    client = Client()
    pools = {
        c: [getattr(world, attr)[rel].pk for rel in RELATIONS] for c, attr in WORLD_ATTR.items()
    }
    for operation in OPERATIONS:
        fuzz(world, role, operation, client, {"Authorization": f"Bearer {raw}"}, pools)


def fuzz(world, role, operation, client, headers, pools):
    collection = operation.path.split("/")[2]
    strategy = st.one_of(
        operation.as_strategy(), operation.as_strategy(schemathesis.GenerationMode.NEGATIVE)
    )

    @settings(
        max_examples=EXAMPLES * 2,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, data=st.data())
    def run(case, data):
        for name in list(case.path_parameters):
            if name in REFERENCES and data.draw(st.booleans()):
                case.path_parameters[name] = data.draw(st.sampled_from(pools[REFERENCES[name]]))
        if isinstance(case.body, dict):
            for name in set(case.body) & set(REFERENCES):
                if data.draw(st.booleans()):
                    case.body[name] = data.draw(st.sampled_from(pools[REFERENCES[name]]))
            if "version" in case.body and data.draw(st.booleans()):
                case.body["version"] = 1  # the records' current version, so updates can land
        kwargs = case.as_transport_kwargs(base_url="http://testserver")
        payload = json.dumps(kwargs["json"]) if "json" in kwargs else kwargs.get("data") or ""
        url = urlsplit(kwargs["url"])
        where = f"{role} {kwargs['method']} {url.path} {kwargs.get('params')} {payload!r:.300}"
        writes = kwargs["method"] not in ("GET", "HEAD")
        with transaction.atomic():
            before = outside(world, role) if writes else None
            response = client.generic(
                kwargs["method"],
                url.path,
                data=payload,
                content_type=kwargs["headers"].get("Content-Type", "application/json"),
                headers=headers,
                QUERY_STRING=urlencode(kwargs.get("params") or {}, doseq=True),
            )
            assert response.status_code < 500, where
            if 200 <= response.status_code < 300 and response.content and collection != "auth":
                allowed = allowed_ids(allowed_unit_ids(world, role))
                check_in_scope(collection, response.json(), allowed, where)
            if writes:
                assert outside(world, role) == before, f"{where}: changed outside the scope"
            transaction.set_rollback(True)

    run()
