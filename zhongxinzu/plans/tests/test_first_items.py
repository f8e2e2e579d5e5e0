import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.org.models import StudyGroup
from zhongxinzu.plans import selectors, services
from zhongxinzu.plans.models import FirstItem
from zhongxinzu.plans.tests.helpers import add_groups, make_item, make_session

TODAY = timezone.localdate


def _create(world, role="supervisor", rel="own", **fields):
    data = dict(
        title="习近平在中央城市工作会议上的重要讲话",
        kind="speech",
        released_on=TODAY() - dt.timedelta(days=3),
        source="新华社",
    )
    data.update(fields)
    return services.first_item_create(actor=world.users[role], owner_unit=world.units[rel], **data)


def test_supervisor_records_an_item_for_a_unit_of_the_subtree(world):
    item = _create(world, rel="child")
    assert item.owner_unit == world.units["child"]
    assert AuditEntry.objects.filter(action="create", object_id=str(item.pk)).exists()


def test_secretary_records_only_for_the_own_unit(world):
    assert _create(world, "secretary", "own").owner_unit == world.units["own"]
    with pytest.raises(PermissionDenied):
        _create(world, "secretary", "parent")
    with pytest.raises(PermissionDenied):
        _create(world, "leader", "own")
    with pytest.raises(PermissionDenied):
        _create(world, "supervisor", "sibling")


def test_item_validation(world):
    with pytest.raises(ValidationError) as e:
        _create(world, title="", kind="x", released_on=TODAY() + dt.timedelta(days=1))
    assert e.value.message_dict == {
        "title": ["请填写题目"],
        "kind": ["类别不正确"],
        "released_on": ["发布日期不能晚于今天"],
    }
    assert not FirstItem.objects.exists()


def test_pool_is_visible_to_the_subtree_below_the_owner(world):
    above = make_item(world, "parent")
    own = make_item(world, "own")
    child = make_item(world, "child")
    sibling = make_item(world, "sibling")
    assert set(selectors.first_items_visible(world.users["member"])) == {above, own}
    assert set(selectors.first_items_visible(world.users["supervisor"])) == {above, own, child}
    assert sibling not in set(selectors.first_items_visible(world.users["secretary"]))


def test_first_item_status_counts_only_held_sessions_and_the_first_study(world):
    item = make_item(world, released_days_ago=20)
    own, child, sibling = world.groups["own"], world.groups["child"], world.groups["sibling"]
    make_session(own, days_from_now=-15, status="recorded", first_item=item)
    make_session(own, days_from_now=-5, status="held", first_item=item)
    make_session(child, days_from_now=2, status="planned", first_item=item)
    status = selectors.first_item_status(StudyGroup.objects.all(), FirstItem.objects.all())
    first = timezone.localtime(timezone.now() - dt.timedelta(days=15)).date()
    assert status == {(own.pk, item.pk): first}
    assert selectors.first_item_lag(item, first) == 5
    assert (child.pk, item.pk) not in status and (sibling.pk, item.pk) not in status


def test_first_item_status_is_one_query_for_any_number_of_groups(world):
    items = [make_item(world, released_days_ago=d) for d in (5, 10)]
    groups = add_groups(world.units["own"], 5)
    for g in groups:
        make_session(g, days_from_now=-1, first_item=items[0])
    with CaptureQueriesContext(connection) as ctx:
        status = selectors.first_item_status(StudyGroup.objects.all(), FirstItem.objects.all())
    assert len(ctx.captured_queries) == 1
    assert len(status) == 5


def test_tracking_page_shows_who_studied_it_after_how_many_days(world, as_role):
    item = make_item(world, released_days_ago=40)
    make_session(world.groups["own"], days_from_now=-38, first_item=item)
    html = as_role("supervisor").get(reverse("plans:first_item_detail", args=[item.pk])).content
    html = html.decode()
    assert (
        "共 2 个中心组：已作为第一议题学习 <strong>1</strong> 个，尚未学习 <strong>1</strong> 个"
        in html
    )
    table = html[html.index('id="study"') :]
    assert "2天" in table and "按期学习" in table
    assert world.groups["child"].name in table and "逾期未学习" in table
    assert "30天内" in table  # the rule first_item_lag_days


def test_tracking_page_filters_the_groups_that_have_not_studied(world, as_role):
    item = make_item(world, released_days_ago=5)
    make_session(world.groups["child"], days_from_now=-1, first_item=item)
    response = as_role("supervisor").get(
        reverse("plans:first_item_detail", args=[item.pk]), {"state": "pending"}
    )
    table = response.content.decode().split('id="study"')[1]
    assert world.groups["own"].name in table and world.groups["child"].name not in table
    assert "未学习" in table and "逾期" not in table


def test_late_study_is_flagged(world, as_role):
    item = make_item(world, released_days_ago=60)
    make_session(world.groups["own"], days_from_now=-10, first_item=item)
    html = as_role("secretary").get(reverse("plans:first_item_detail", args=[item.pk])).content
    assert "超期学习" in html.decode() and "50天" in html.decode()


def test_member_sees_only_the_title_of_a_restricted_item(world, as_role):
    item = make_item(world, "parent", restricted=True, summary="内部要点", source="内部文件")
    member = as_role("member").get(reverse("plans:first_item_detail", args=[item.pk]))
    assert "内部要点" not in member.content.decode() and item.title in member.content.decode()
    secretary = as_role("secretary").get(reverse("plans:first_item_detail", args=[item.pk]))
    assert "内部要点" in secretary.content.decode()


def test_list_shows_whether_the_own_group_studied_each_item(world, as_role):
    done = make_item(world, "parent", title="已学议题")
    make_item(world, "parent", title="未学议题")
    make_session(world.groups["own"], days_from_now=-1, first_item=done)
    html = as_role("member").get(reverse("plans:first_item_list")).content.decode()
    assert html.count("已学习") == 1 and html.count("未学习") == 1


def test_secretary_adds_edits_and_deletes_through_the_pages(world, as_role):
    client = as_role("secretary")
    response = client.post(
        reverse("plans:first_item_create"),
        {
            "owner_unit": world.units["own"].pk,
            "title": "重要指示",
            "kind": "instruction",
            "released_on": TODAY().isoformat(),
        },
    )
    item = FirstItem.objects.get()
    assert response["Location"] == reverse("plans:first_item_detail", args=[item.pk])
    client.post(
        reverse("plans:first_item_edit", args=[item.pk]),
        {"title": "重要指示批示", "kind": "instruction", "released_on": TODAY().isoformat()},
    )
    item.refresh_from_db()
    assert item.title == "重要指示批示"
    client.post(reverse("plans:first_item_delete", args=[item.pk]))
    assert not FirstItem.objects.exists()


def test_a_studied_item_cannot_be_deleted(world, as_role):
    item = make_item(world)
    make_session(world.groups["own"], days_from_now=-1, first_item=item)
    response = as_role("supervisor").post(
        reverse("plans:first_item_delete", args=[item.pk]), follow=True
    )
    assert "不能删除" in response.content.decode()
    assert FirstItem.objects.filter(pk=item.pk).exists()
    assert not AuditEntry.objects.filter(action="delete", object_id=str(item.pk)).exists()


def test_sub_unit_supervisor_follows_up_an_item_from_above_in_its_own_groups(world, as_role):
    item = make_item(world, "parent", released_days_ago=40)
    make_session(world.groups["own"], days_from_now=-38, first_item=item)
    make_session(world.groups["sibling"], days_from_now=-30, first_item=item)
    client = as_role("supervisor")
    listing = client.get(reverse("plans:first_item_list")).content.decode()
    assert reverse("plans:first_item_detail", args=[item.pk]) in listing
    response = client.get(reverse("plans:first_item_detail", args=[item.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "共 2 个中心组：已作为第一议题学习 <strong>1</strong> 个，尚未学习 <strong>1</strong> 个"
        in html
    )
    table = html[html.index('id="study"') :]
    assert "按期学习" in table and "逾期未学习" in table
    assert world.groups["own"].name in table and world.groups["child"].name in table
    for rel in ("sibling", "parent"):
        assert world.groups[rel].name not in table, rel


def test_sub_unit_supervisor_cannot_change_an_item_from_above(world, as_role):
    item = make_item(world, "parent", title="上级议题")
    client = as_role("supervisor")
    html = client.get(reverse("plans:first_item_detail", args=[item.pk])).content.decode()
    assert reverse("plans:first_item_edit", args=[item.pk]) not in html
    assert reverse("plans:first_item_delete", args=[item.pk]) not in html
    refused = [
        client.get(reverse("plans:first_item_edit", args=[item.pk])),
        client.post(reverse("plans:first_item_edit", args=[item.pk]), {"title": "改"}),
        client.post(reverse("plans:first_item_delete", args=[item.pk])),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    item.refresh_from_db()
    assert item.title == "上级议题"
    with pytest.raises(PermissionDenied):
        services.first_item_delete(actor=world.users["supervisor"], item=item)
