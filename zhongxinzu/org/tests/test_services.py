import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.lib.versioning import ConflictError
from zhongxinzu.org import selectors, services
from zhongxinzu.org.models import Membership, RosterRequirement, StudyGroup, Unit


def test_unit_create_makes_group_and_audits(world):
    actor = world.users["supervisor"]
    unit = services.unit_create(
        actor=actor, parent=world.units["own"], name="市第二中学党委", code="A2", kind="党委"
    )
    assert Unit.objects.get_parent(unit).code == "A"
    assert StudyGroup.objects.get(unit=unit).name == "市第二中学党委理论学习中心组"
    entry = AuditEntry.objects.get(action="create", object_type="org.Unit", object_id=unit.pk)
    assert entry.username == "supervisor" and entry.roles == "督导"


def test_unit_code_must_be_unique_with_chinese_message(world):
    with pytest.raises(ValidationError) as e:
        services.unit_create(
            actor=world.users["supervisor"],
            parent=world.units["own"],
            name="重复",
            code="A1",
            kind="党委",
        )
    assert "已被使用" in e.value.message_dict["code"][0]


def test_unit_move_takes_subtree_along(world):
    services.unit_move(
        actor=world.users["sys_admin"], unit=world.units["own"], new_parent=world.units["sibling"]
    )
    child = Unit.objects.get(code="A1")
    assert [u.code for u in Unit.objects.get_ancestors(child)] == ["R", "B", "A"]


def test_unit_cannot_move_under_its_own_descendant(world):
    with pytest.raises(ValidationError):
        services.unit_move(
            actor=world.users["sys_admin"], unit=world.units["own"], new_parent=world.units["child"]
        )


def test_unit_reorder_resorts_siblings(world):
    parent = world.units["parent"]
    services.unit_update(actor=world.users["sys_admin"], unit=Unit.objects.get(code="B"), order=1)
    services.unit_update(actor=world.users["sys_admin"], unit=Unit.objects.get(code="A"), order=5)
    children = [u.code for u in Unit.objects.get_children(Unit.objects.get(pk=parent.pk))]
    assert children == ["B", "A"]


def test_deactivating_a_unit_with_active_children_is_refused(world):
    with pytest.raises(ValidationError):
        services.unit_set_active(
            actor=world.users["sys_admin"], unit=world.units["own"], active=False
        )
    services.unit_set_active(
        actor=world.users["sys_admin"], unit=world.units["child"], active=False
    )
    assert not StudyGroup.objects.get(unit=world.units["child"]).is_active


def test_stale_version_is_a_conflict(world):
    unit = Unit.objects.get(code="A")
    services.unit_update(
        actor=world.users["sys_admin"], unit=unit, name="改名一", expected_version=1
    )
    stale = Unit.objects.get(code="A")
    with pytest.raises(ConflictError):
        services.unit_update(
            actor=world.users["sys_admin"], unit=stale, name="改名二", expected_version=1
        )
    assert Unit.objects.get(code="A").name == "改名一"


def test_person_validation_messages(world):
    with pytest.raises(ValidationError) as e:
        services.person_create(
            actor=world.users["secretary"],
            unit=world.units["own"],
            name="",
            gender="X",
            phone="123",
        )
    errors = e.value.message_dict
    assert set(errors) == {"name", "gender", "phone"}
    assert "11位" in errors["phone"][0]


def test_person_deactivation_ends_memberships_but_keeps_records(world):
    person = world.people["own"]
    services.person_deactivate(
        actor=world.users["secretary"], person=person, on=dt.date(2026, 3, 1)
    )
    m = Membership.objects.get(person=person)
    assert m.end_date == dt.date(2026, 3, 1)
    person.refresh_from_db()
    assert not person.is_active


def test_overlapping_membership_is_refused(world):
    person = world.people["own"]
    with pytest.raises(ValidationError) as e:
        services.membership_create(
            actor=world.users["secretary"],
            group=world.groups["own"],
            person=person,
            role="deputy",
            start_date=dt.date.today(),
        )
    assert "已是本中心组成员" in e.value.message_dict["person"][0]


def test_roster_on_any_date_follows_start_and_end(world):
    group, person = world.groups["own"], world.people["own"]
    m = Membership.objects.get(person=person)
    services.membership_end(
        actor=world.users["secretary"], membership=m, end_date=dt.date(2026, 6, 30)
    )
    june = {x.person_id for x in selectors.roster(group, on=dt.date(2026, 6, 30))}
    july = {x.person_id for x in selectors.roster(group, on=dt.date(2026, 7, 1))}
    assert person.pk in june and person.pk not in july


def test_roster_is_in_official_order(world):
    rows = list(selectors.roster(world.groups["own"], on=dt.date.today()))
    assert [m.get_role_display() for m in rows] == ["组长", "成员", "成员", "学习秘书"]


def test_missing_required_post_is_flagged_until_someone_holds_it(world):
    RosterRequirement.objects.create(
        scope=world.units["parent"], label="党群部门负责人", keywords="组织部、党群工作部"
    )
    group = world.groups["own"]
    assert selectors.missing_requirements([group], on=dt.date.today())[group.pk] == [
        "党群部门负责人"
    ]
    person = services.person_create(
        actor=world.users["secretary"],
        unit=world.units["own"],
        name="钱组织",
        gender="男",
        post="组织部部长",
    )
    services.membership_create(
        actor=world.users["secretary"],
        group=group,
        person=person,
        role="member",
        start_date=dt.date.today(),
    )
    assert selectors.missing_requirements([group], on=dt.date.today())[group.pk] == []
    unrelated = world.groups["unrelated"]
    assert selectors.missing_requirements([unrelated], on=dt.date.today())[unrelated.pk] == []


def test_required_post_is_matched_by_post_category_not_post_text(world):
    from zhongxinzu.org.models import PostCategory

    RosterRequirement.objects.create(
        scope=world.units["parent"],
        label="党群部门负责人",
        post_category=PostCategory.PARTY_AFFAIRS_HEAD,
    )
    group = world.groups["own"]
    today = dt.date.today()

    def join(post, category=""):
        person = services.person_create(
            actor=world.users["secretary"],
            unit=world.units["own"],
            name=f"人员{post}",
            gender="男",
            post=post,
            post_category=category,
        )
        services.membership_create(
            actor=world.users["secretary"], group=group, person=person, role="member",
            start_date=today,
        )  # fmt: skip

    join("组织委员、党群部门负责人联络", PostCategory.LEADERSHIP)  # the words, not the post
    assert selectors.missing_requirements([group], on=today)[group.pk] == ["党群部门负责人"]
    join("部长", PostCategory.PARTY_AFFAIRS_HEAD)
    assert selectors.missing_requirements([group], on=today)[group.pk] == []


def test_post_category_is_checked_against_the_list(world):
    with pytest.raises(ValidationError):
        services.person_create(
            actor=None, unit=world.units["own"], name="甲", gender="男", post_category="boss"
        )


def test_only_unambiguous_head_posts_get_a_category_from_their_text():
    from zhongxinzu.org.models import post_category_guess

    assert post_category_guess("县委常委、组织部部长") == "party_affairs_head"
    assert post_category_guess("机关党委书记") == "party_affairs_head"
    assert post_category_guess("组织委员") == ""
    assert post_category_guess("宣传部副部长") == ""
    assert post_category_guess("党委副书记、纪委书记") == "discipline_head"
    assert post_category_guess("党组书记、局长") == "secretary"


def test_phone_numbers_are_encrypted_at_rest(world):
    from django.db import connection

    person = services.person_create(
        actor=None, unit=world.units["own"], name="乙", gender="男", phone="13812341234"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM org_person WHERE id = %s", [person.pk])
        stored = cursor.fetchone()[0]
    assert "13812341234" not in stored and stored.startswith("enc1:")
    from zhongxinzu.org.models import Person

    again = Person.objects.get(pk=person.pk)
    assert again.phone == "13812341234" and again.masked_phone == "138****1234"


def test_the_migration_encrypts_phones_stored_in_plain_text(world):
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    person = services.person_create(
        actor=None, unit=world.units["own"], name="丙", gender="男", phone="13900001111"
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE org_person SET phone = %s WHERE id = %s", ["13900001111", person.pk])
    migration = import_module("zhongxinzu.org.migrations.0004_encrypt_phone")
    migration.encrypt_existing(apps, None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM org_person WHERE id = %s", [person.pk])
        assert cursor.fetchone()[0].startswith("enc1:")
