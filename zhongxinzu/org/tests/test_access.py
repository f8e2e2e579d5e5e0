import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from zhongxinzu.org import access
from zhongxinzu.org.models import Unit


def codes(qs):
    return set(qs.values_list("code", flat=True))


def test_supervisor_sees_own_subtree_only(world):
    assert codes(access.scoped_units(world.users["supervisor"])) == {"A", "A1"}


def test_secretary_sees_own_unit_only(world):
    assert codes(access.scoped_units(world.users["secretary"])) == {"A"}


def test_member_sees_own_group_roster_and_self(world):
    member = world.users["member"]
    people = set(access.scoped_people(member).values_list("unit__code", flat=True))
    assert people == {"A"}
    assert access.scoped_people(member).filter(pk=member.person_id).exists()
    assert not access.scoped_people(member).filter(pk=world.people["child"].pk).exists()


def test_observer_and_admins_see_no_business_data(world):
    for role in ("observer", "sec_admin", "audit_admin", "sys_admin"):
        user = world.users[role]
        assert not access.scoped_people(user).exists(), role
        assert not access.scoped_groups(user).exists(), role
        assert not access.scoped_memberships(user).exists(), role


def test_sys_admin_sees_bare_unit_tree(world):
    assert codes(access.scoped_units(world.users["sys_admin"])) == {"R", "A", "A1", "B", "X"}


def test_out_of_scope_is_404_and_read_only_is_403(world):
    with pytest.raises(Http404):
        access.get_group_for(world.users["secretary"], world.groups["sibling"].pk)
    with pytest.raises(PermissionDenied):
        access.get_group_for(world.users["leader"], world.groups["own"].pk, write=True)
    assert access.get_group_for(world.users["secretary"], world.groups["own"].pk, write=True)


def test_garbage_primary_key_is_404(world):
    with pytest.raises(Http404):
        access.get_unit_for(world.users["supervisor"], "not-a-number")


def test_subtree_is_one_indexed_range_query(world):
    supervisor = world.users["supervisor"]
    access.principal_of(supervisor)
    with CaptureQueriesContext(connection) as ctx:
        list(access.scoped_units(supervisor))
    assert len(ctx.captured_queries) == 1
    sql = ctx.captured_queries[0]["sql"]
    assert '"path" >=' in sql and '"path" <' in sql and "LIKE" not in sql


def test_subtree_range_covers_deep_and_wide_trees(db):
    root = Unit.objects.add_root({"code": "P", "name": "省", "kind": "部门"})
    last = None
    for i in range(40):  # more than 36 children: the path step carries over a base-36 digit
        last = Unit.objects.add_child(
            Unit.objects.get(pk=root.pk), {"code": f"C{i}", "name": f"市{i}", "kind": "党委"}
        )
    Unit.objects.add_child(
        Unit.objects.get(pk=last.pk), {"code": "D", "name": "县", "kind": "党委"}
    )
    other = Unit.objects.add_root({"code": "Q", "name": "外省", "kind": "部门"})
    in_tree = Unit.objects.filter(access.subtree_q([Unit.objects.get(pk=root.pk)]))
    assert in_tree.count() == 42
    assert not in_tree.filter(pk=other.pk).exists()
    ninth = Unit.objects.get(code="C8")
    assert set(Unit.objects.filter(access.subtree_q([ninth])).values_list("code", flat=True)) == {
        "C8"
    }


def test_next_path_carries():
    assert access._next_path("0001") == "0002"
    assert access._next_path("000Z") == "0010"
    assert access._next_path("ZZZZ") is None


def test_full_phone_only_within_own_unit(world):
    own_person, child_person = world.people["own"], world.people["child"]
    assert access.can_see_full_phone(world.users["secretary"], own_person)
    assert not access.can_see_full_phone(world.users["supervisor"], child_person)


def test_a_plain_member_sees_colleagues_phones_masked(world):
    colleague = world.people["own"]
    assert not access.can_see_full_phone(world.users["member"], colleague)
    assert access.can_see_full_phone(world.users["secretary"], colleague)
