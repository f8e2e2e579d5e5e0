"""List endpoints cost the same number of queries whatever the size of the data."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from zhongxinzu.org.models import Membership, Person, StudyGroup, Unit


def grow(world, n: int) -> None:
    """n more units (with groups), people and memberships inside the supervisor's subtree."""
    parent = Unit.objects.get(pk=world.units["child"].pk)
    for i in range(n):
        unit = Unit.objects.add_child(
            parent, {"code": f"G{n}-{i}", "name": f"单位{i}", "kind": "党支部"}
        )
        group = StudyGroup.objects.create(unit=unit, name=f"单位{i}中心组")
        person = Person.objects.create(unit=unit, name=f"人员{i}", gender="男", phone="13800001111")
        Membership.objects.create(
            group=group, person=person, role="member", role_rank=2, start_date="2025-01-01"
        )
        parent = Unit.objects.get(pk=parent.pk)


def count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "path", ["/api/units", "/api/people", "/api/groups", "/api/memberships", "/api/units?parent=0"]
)
@pytest.mark.parametrize("auth", ["bearer", "session"])
def test_list_query_count_does_not_grow(world, api, path, auth):
    client = api("supervisor") if auth == "bearer" else world.login(Client(), "supervisor")
    path = path.replace("parent=0", f"parent={world.units['child'].pk}")
    grow(world, 3)
    small = count_queries(client, path)
    small_size = client.get(path).json()["count"]
    grow(world, 27)
    large = count_queries(client, path)
    assert client.get(path).json()["count"] >= small_size + 27
    assert small == large
