import pytest
from django.test import Client
from django.urls import reverse

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.org.models import Membership, Person, Unit


@pytest.fixture
def as_role(world):
    def login(role):
        return world.login(Client(), role)

    return login


def test_supervisor_unit_list_shows_subtree_with_member_counts(world, as_role):
    response = as_role("supervisor").get(reverse("org:unit_list"))
    html = response.content.decode()
    assert "市教育局党委" in html and "市第一中学党委" in html
    assert "市卫健委党组" not in html and "市委宣传部" not in html


def test_unit_list_filters_by_name(world, as_role):
    response = as_role("supervisor").get(reverse("org:unit_list"), {"q": "第一中学"})
    html = response.content.decode()
    assert "市第一中学党委" in html and "市教育局党委</a>" not in html


def test_supervisor_adds_child_unit_through_the_form(world, as_role):
    own = world.units["own"]
    response = as_role("supervisor").post(
        f"{reverse('org:unit_create')}?parent={own.pk}",
        {"name": "市实验小学党支部", "code": "A3", "kind": "党支部", "order": 3},
    )
    unit = Unit.objects.get(code="A3")
    assert response.status_code == 302 and response["Location"] == reverse(
        "org:unit_detail", args=[unit.pk]
    )
    assert Unit.objects.get_parent(unit).pk == own.pk


def test_unit_form_shows_chinese_error_and_changes_nothing(world, as_role):
    before = Unit.objects.count()
    response = as_role("supervisor").post(
        f"{reverse('org:unit_create')}?parent={world.units['own'].pk}",
        {"name": "重复", "code": "A1", "kind": "党委", "order": 1},
    )
    assert response.status_code == 200
    assert "单位编码“A1”已被使用" in response.content.decode()
    assert Unit.objects.count() == before


def test_editing_with_a_stale_version_reports_a_conflict(world, as_role):
    unit = world.units["child"]
    client = as_role("supervisor")
    data = {"name": "甲", "code": "A1", "kind": "党委", "order": 1, "version": 1}
    assert client.post(reverse("org:unit_edit", args=[unit.pk]), data).status_code == 302
    response = client.post(reverse("org:unit_edit", args=[unit.pk]), {**data, "name": "乙"})
    assert "已被他人修改" in response.content.decode()
    assert Unit.objects.get(pk=unit.pk).name == "甲"


def test_supervisor_moves_child_unit_by_code(world, as_role):
    child = world.units["child"]
    response = as_role("sys_admin").post(
        reverse("org:unit_move", args=[child.pk]), {"parent_code": "B"}
    )
    assert response.status_code == 302
    assert Unit.objects.get_parent(Unit.objects.get(pk=child.pk)).code == "B"
    assert AuditEntry.objects.filter(action="move", object_id=str(child.pk)).exists()


def test_roster_page_lists_members_in_official_order_with_masked_phones(world, as_role):
    response = as_role("secretary").get(reverse("org:group_detail", args=[world.groups["own"].pk]))
    html = response.content.decode()
    html = html[html.index('id="roster"') :]
    assert html.index("组长") < html.index("学习秘书")
    assert "139****0002" in html and "13900000002" not in html


def test_roster_on_a_past_date(world, as_role):
    m = Membership.objects.get(person=world.people["own"])
    m.end_date = m.start_date
    m.save()
    client = as_role("secretary")
    url = reverse("org:group_detail", args=[world.groups["own"].pk])
    assert "成员own" in client.get(url, {"on": m.start_date.isoformat()}).content.decode()
    assert "成员own" not in client.get(url).content.decode()


def test_secretary_adds_and_ends_a_membership(world, as_role):
    client = as_role("secretary")
    person = Person.objects.create(
        unit=world.units["own"], name="新成员", gender="男", post="副局长"
    )
    group = world.groups["own"]
    response = client.post(
        reverse("org:membership_create", args=[group.pk]),
        {"person": person.pk, "role": "member", "start_date": "2026-01-05"},
    )
    assert response.status_code == 302
    m = Membership.objects.get(person=person)
    response = client.post(
        reverse("org:membership_end", args=[m.pk]), {"end_date": "2026-09-30", "version": m.version}
    )
    m.refresh_from_db()
    assert response.status_code == 302 and str(m.end_date) == "2026-09-30"


def test_membership_person_choices_are_limited_to_the_group_unit(world, as_role):
    client = as_role("supervisor")
    group = world.groups["own"]
    response = client.post(
        reverse("org:membership_create", args=[group.pk]),
        {"person": world.people["child"].pk, "role": "member", "start_date": "2026-01-05"},
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(group=group, person=world.people["child"]).exists()


def test_person_page_shows_full_phone_only_to_own_unit(world, as_role):
    person = world.people["own"]
    url = reverse("org:person_detail", args=[person.pk])
    assert "13800000001" in as_role("secretary").get(url).content.decode()
    assert "13800000001" not in as_role("supervisor").get(url).content.decode()


def test_person_deactivate_keeps_the_record(world, as_role):
    person = world.people["own"]
    response = as_role("secretary").post(reverse("org:person_deactivate", args=[person.pk]))
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.is_active
    assert Membership.objects.get(person=person).end_date is not None


def test_supervisor_adds_roster_requirement_and_sees_the_flag(world, as_role):
    client = as_role("supervisor")
    response = client.post(
        reverse("org:requirement_list"),
        {
            "scope": world.units["own"].pk,
            "label": "党群部门负责人",
            "post_category": "party_affairs_head",
        },
    )
    assert response.status_code == 302
    html = client.get(reverse("org:unit_list")).content.decode()
    assert "缺少：党群部门负责人" in html


@pytest.mark.parametrize(
    "name,method",
    [
        ("org:unit_list", "post"),
        ("org:unit_set_active", "get"),
        ("org:person_deactivate", "get"),
        ("org:group_detail", "post"),
    ],
)
def test_wrong_method_is_405(world, as_role, name, method):
    kwargs = {} if name == "org:unit_list" else {"pk": world.units["own"].pk}
    if name in ("org:group_detail",):
        kwargs = {"pk": world.groups["own"].pk}
    if name == "org:person_deactivate":
        kwargs = {"pk": world.people["own"].pk}
    response = getattr(as_role("supervisor"), method)(reverse(name, kwargs=kwargs or None))
    assert response.status_code == 405


def test_pages_with_personal_information_are_not_cached(world, as_role):
    client = as_role("secretary")
    person = Person.objects.filter(unit=world.units["own"]).first()
    for url in [
        reverse("org:person_list"),
        reverse("org:person_detail", args=[person.pk]),
        reverse("org:group_detail", args=[world.groups["own"].pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
