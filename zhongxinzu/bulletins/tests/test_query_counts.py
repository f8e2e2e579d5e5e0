import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhongxinzu.bulletins.tests.matrix import make_bulletin

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["supervisor", "secretary"])
def test_list_and_detail_query_counts_do_not_grow_with_bulletins(world, client, role):
    world.login(client, role)
    list_url = reverse("bulletins:list")
    first = make_bulletin(world, "own")
    one = _queries(client, list_url)
    detail_one = _queries(client, reverse("bulletins:detail", args=[first.pk]))
    make_bulletin(world, "own", status="draft")
    make_bulletin(world, "child")
    third = make_bulletin(world, "parent")
    assert _queries(client, list_url) == one
    if role == "secretary":
        assert _queries(client, reverse("bulletins:detail", args=[third.pk])) == detail_one
