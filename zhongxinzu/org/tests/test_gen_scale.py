"""manage.py gen_scale: a valid, deterministic synthetic province."""

import io
import re
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from zhongxinzu.accounts.models import RoleGrant, User
from zhongxinzu.org import access, scale
from zhongxinzu.org.models import Membership, Person, RosterRequirement, StudyGroup, Unit

pytestmark = pytest.mark.django_db


def gen(groups=40, **options) -> str:
    """The org steps only (the study steps have their own tests: test_gen_scale_study.py)."""
    out = io.StringIO()
    call_command("gen_scale", groups=groups, stdout=out, **{"years": 0, **options})
    return out.getvalue()


def wipe() -> None:
    """Remove everything gen_scale made (not the audit log, which cannot be deleted)."""
    RoleGrant.objects.all().delete()
    User.objects.all().delete()
    Membership.objects.all().delete()
    Person.objects.all().delete()
    RosterRequirement.objects.all().delete()
    StudyGroup.objects.all().delete()
    Unit.objects.all().delete()


def snapshot() -> list[tuple]:
    return list(
        Person.objects.order_by("unit__path", "rank_order", "id").values_list(
            "unit__name", "name", "gender", "post", "phone"
        )
    )


def test_small_province_is_a_valid_tree():
    gen(40)
    assert Unit.objects.count() == 40
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    root = Unit.objects.get(depth=1)
    assert root.name == "省委宣传部"
    assert Unit.objects.get_descendants(root).count() == 39
    assert Unit.objects.filter(depth__gte=4).exists()
    for unit in Unit.objects.filter(numchild__gt=0):
        children = list(Unit.objects.get_children(unit))
        assert len(children) == unit.numchild
        # paths agree with the model's sibling order, so treebeard's sorted inserts work
        assert children == sorted(children, key=lambda u: (u.order, u.code))
    assert StudyGroup.objects.count() == 40


def test_every_group_has_an_official_roster():
    gen(40)
    for group in StudyGroup.objects.all():
        current = list(
            access.active_memberships(on=timezone.localdate())
            .filter(group=group)
            .select_related("person")
        )
        assert 8 <= len(current) <= 15, group
        roles = Counter(m.role for m in current)
        assert roles[Membership.Role.LEADER] == 1
        assert 1 <= roles[Membership.Role.DEPUTY] <= 2
        assert roles[Membership.Role.SECRETARY] == 1
        assert all(m.person.unit_id == group.unit_id for m in current)
    people = Person.objects.all()
    assert all(re.fullmatch(r"1[3-9]\d{9}", p.phone) for p in people)
    assert all(2 <= len(p.name) <= 3 for p in people)


def test_accounts_see_their_scope():
    gen(40)
    supervisor = User.objects.get(username=scale.SUPERVISOR_USERNAME)
    assert access.scoped_units(supervisor).count() == 40
    secretary = User.objects.get(username=scale.SECRETARY_USERNAME)
    assert access.principal_of(secretary).secretary_group_ids()


def test_treebeard_keeps_working_on_the_generated_tree():
    gen(40)
    county = Unit.objects.filter(depth=3, numchild__gt=0).first()
    Unit.objects.add_child(county, {"code": "NEW1", "name": "新增单位", "kind": "党委"})
    county.refresh_from_db()
    assert "NEW1" in [u.code for u in Unit.objects.get_children(county)]
    assert Unit.objects.find_problems() == ([], [], [], [], [])


def test_same_seed_same_province_other_seed_another():
    gen(40, seed=7)
    first = snapshot()
    wipe()
    gen(40, seed=7)
    assert snapshot() == first
    wipe()
    gen(40, seed=8)
    assert snapshot() != first


def test_existing_scale_data_is_left_alone():
    gen(40)
    people = Person.objects.count()
    assert "未做任何改动" in gen(40)
    assert Person.objects.count() == people


def test_refuses_a_database_with_other_units_unless_forced():
    Unit.objects.add_root({"code": "DEMO", "name": "演示市委宣传部", "kind": "部门"})
    with pytest.raises(CommandError):
        gen(20)
    assert Unit.objects.count() == 1
    gen(20, force=True)
    assert Unit.objects.count() == 21
    assert Unit.objects.get(code=f"{scale.CODE_PREFIX}000001").path == "0002"
    assert Unit.objects.find_problems() == ([], [], [], [], [])
