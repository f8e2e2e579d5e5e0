from zhongxinzu.api.tests.helpers import ids
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.org.models import Membership, Person


def roster_of(world, rel):
    return set(
        Membership.objects.filter(group=world.groups[rel]).values_list("person_id", flat=True)
    )


def test_supervisor_lists_people_of_the_subtree(world, api):
    expected = set(
        Person.objects.filter(unit__in=[world.units["own"], world.units["child"]]).values_list(
            "pk", flat=True
        )
    )
    assert ids(api("supervisor").get("/api/people", {"limit": 200})) == expected
    assert world.people["sibling"].pk not in expected


def test_member_sees_only_the_own_group_roster(world, api):
    assert ids(api("member").get("/api/people")) == roster_of(world, "own")


def test_observer_and_admins_see_no_people(world, api):
    for role in ("observer", "sys_admin", "sec_admin", "audit_admin"):
        assert api(role).get("/api/people").json() == {"items": [], "count": 0}


def test_phones_masked_outside_the_callers_unit(world, api):
    person = world.people["own"]
    assert api("supervisor").get(f"/api/people/{person.pk}").json()["phone"] == "138****0001"
    assert api("secretary").get(f"/api/people/{person.pk}").json()["phone"] == "13800000001"
    listed = {p["id"]: p["phone"] for p in api("supervisor").get("/api/people").json()["items"]}
    assert listed[person.pk] == "138****0001"


def test_filters(world, api):
    client = api("supervisor")
    child = world.people["child"]
    assert ids(client.get("/api/people", {"unit": world.units["child"].pk})) == {child.pk}
    assert ids(client.get("/api/people", {"q": "党委书记"})) == {
        Person.objects.get(name="leader人").pk
    }
    Person.objects.filter(pk=child.pk).update(is_active=False)
    assert ids(client.get("/api/people", {"active": "false"})) == {child.pk}


def test_detail_out_of_scope_is_404(world, api):
    for rel in ("parent", "sibling", "unrelated"):
        assert api("supervisor").get(f"/api/people/{world.people[rel].pk}").status_code == 404
    assert api("member").get(f"/api/people/{world.people['child'].pk}").status_code == 404


def test_secretary_adds_a_person_to_the_own_unit(world, api):
    response = api("secretary").post(
        "/api/people",
        {
            "unit": world.units["own"].pk,
            "name": "王建国",
            "gender": "男",
            "post": "副局长",
            "rank_order": 3,
            "phone": "13700001234",
        },
    )
    assert response.status_code == 201, response.content
    person = Person.objects.get(name="王建国")
    assert response.json()["id"] == person.pk
    assert response.json()["phone"] == "13700001234"
    assert AuditEntry.objects.filter(
        action="create", object_type="org.Person", object_id=str(person.pk), username="secretary"
    ).exists()


def test_create_validation_in_chinese_with_the_field(world, api):
    response = api("secretary").post(
        "/api/people",
        {"unit": world.units["own"].pk, "name": "王建国", "gender": "男", "phone": "12345"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "手机号应为11位数字（或带区号的固定电话）",
        "field": "phone",
        "errors": [{"field": "phone", "message": "手机号应为11位数字（或带区号的固定电话）"}],
    }
    response = api("secretary").post(
        "/api/people", {"unit": world.units["own"].pk, "name": "王\n建国", "gender": "男"}
    )
    assert response.status_code == 400 and response.json()["field"] == "name"
    response = api("secretary").post("/api/people", {"unit": world.units["own"].pk, "name": "王"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "gender", "message": "请填写此项"}]
    assert not Person.objects.filter(name__startswith="王").exists()


def test_secretary_cannot_add_to_another_unit(world, api):
    response = api("secretary").post(
        "/api/people", {"unit": world.units["child"].pk, "name": "王建国", "gender": "男"}
    )
    assert (response.status_code, response.json()["field"]) == (400, "unit")


def test_leader_and_member_cannot_add_people(world, api):
    for role in ("leader", "member"):
        response = api(role).post(
            "/api/people", {"unit": world.units["own"].pk, "name": "王建国", "gender": "男"}
        )
        assert response.status_code == 403, role


def test_update_and_stale_version(world, api):
    person = world.people["own"]
    client = api("secretary")
    response = client.patch(f"/api/people/{person.pk}", {"version": 1, "post": "局长"})
    assert response.status_code == 200, response.content
    assert (response.json()["post"], response.json()["version"]) == ("局长", 2)
    assert AuditEntry.objects.filter(action="update", object_type="org.Person").exists()
    stale = client.patch(f"/api/people/{person.pk}", {"version": 1, "post": "副局长"})
    assert stale.status_code == 409
    assert Person.objects.get(pk=person.pk).post == "局长"


def test_phone_change_is_audited_without_the_number(world, api):
    person = world.people["own"]
    api("secretary").patch(f"/api/people/{person.pk}", {"version": 1, "phone": "13711112222"})
    entry = AuditEntry.objects.get(action="update", object_type="org.Person")
    assert "13711112222" not in str(entry.detail)


def test_leader_reads_but_cannot_update(world, api):
    person = world.people["own"]
    client = api("leader")
    assert client.get(f"/api/people/{person.pk}").status_code == 200
    response = client.patch(f"/api/people/{person.pk}", {"version": 1, "post": "局长"})
    assert response.status_code == 403
    assert response.json()["detail"] == "无权修改该人员"


def test_deactivating_ends_open_memberships(world, api):
    person = world.people["child"]
    response = api("supervisor").patch(
        f"/api/people/{person.pk}", {"version": 1, "is_active": False}
    )
    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is False
    assert Membership.objects.get(person=person).end_date is not None
    assert AuditEntry.objects.filter(action="deactivate", object_id=str(person.pk)).exists()


def test_post_category_is_set_and_returned_from_the_list(world, api):
    client = api("secretary")
    response = client.post(
        "/api/people",
        {
            "unit": world.units["own"].pk,
            "name": "钱组织",
            "gender": "男",
            "post": "组织部部长",
            "post_category": "party_affairs_head",
        },
    )
    assert response.status_code == 201
    assert response.json()["post_category"] == "party_affairs_head"
    assert Person.objects.get(name="钱组织").post_category == "party_affairs_head"
    bad = client.post(
        "/api/people",
        {"unit": world.units["own"].pk, "name": "钱二", "gender": "男", "post_category": "boss"},
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "post_category"


def test_an_api_patch_without_the_version_changes_nothing(world, api):
    person = world.people["own"]
    response = api("secretary").patch(f"/api/people/{person.pk}", {"post": "局长"})
    assert 400 <= response.status_code < 500 and response.json()["field"] == "version"
    assert Person.objects.get(pk=person.pk).post == person.post
