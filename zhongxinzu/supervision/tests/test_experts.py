"""The expert pool and observation teams."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.supervision import services
from zhongxinzu.supervision.models import Expert, ObservationTeam, TeamMember
from zhongxinzu.supervision.tests.helpers import expert


def test_supervisor_adds_an_expert_from_the_roster_with_home_unit_defaulting(world):
    client = world.login(Client(), "supervisor")
    response = client.post(
        reverse("supervision:expert_create"),
        {
            "owner_unit": world.units["own"].pk,
            "person": world.people["child"].pk,
            "field": "党史党建",
            "title": "副校长",
            "username": "observer",
        },
    )
    assert response.status_code == 302
    e = Expert.objects.get()
    assert e.name == world.people["child"].name
    assert e.home_unit == world.units["child"]
    assert e.user == world.users["observer"]
    assert AuditEntry.objects.filter(action="create", object_type="supervision.Expert").exists()
    assert "党史党建" in client.get(reverse("supervision:expert_list")).content.decode()


def test_outside_expert_needs_a_name_and_people_out_of_scope_are_refused(world):
    actor, own = world.users["supervisor"], world.units["own"]
    with pytest.raises(ValidationError):
        services.expert_create(actor=actor, owner_unit=own, name="  ")
    with pytest.raises(ValidationError):
        services.expert_create(actor=actor, owner_unit=own, person=world.people["unrelated"])
    with pytest.raises(ValidationError):
        services.expert_create(actor=actor, owner_unit=own, name="某教授", username="nobody")
    with pytest.raises(PermissionDenied):
        services.expert_create(actor=actor, owner_unit=world.units["sibling"], name="某教授")
    e = services.expert_create(actor=actor, owner_unit=own, name="某教授", employer="某大学")
    assert e.home_unit is None and e.employer == "某大学"
    assert Expert.objects.count() == 1


def test_expert_edit_and_deactivate(world):
    e = expert(world.units["own"], "王教授")
    client = world.login(Client(), "supervisor")
    response = client.post(
        reverse("supervision:expert_edit", args=[e.pk]),
        {"owner_unit": world.units["own"].pk, "name": "王教授", "title": "教授", "version": 1},
    )
    assert response.status_code == 302
    e.refresh_from_db()
    assert (e.title, e.version) == ("教授", 2)
    client.post(reverse("supervision:expert_deactivate", args=[e.pk]))
    e.refresh_from_db()
    assert not e.is_active
    listing = client.get(reverse("supervision:expert_list"))
    assert e not in list(listing.context["page_obj"])
    listing = client.get(reverse("supervision:expert_list"), {"all": "1"})
    assert e in list(listing.context["page_obj"])


def test_team_with_a_leader_and_members_from_the_pool(world):
    actor, own = world.users["supervisor"], world.units["own"]
    client = world.login(Client(), "supervisor")
    response = client.post(
        reverse("supervision:team_create"),
        {"owner_unit": own.pk, "year": timezone.localdate().year, "name": "第一旁听组"},
    )
    t = ObservationTeam.objects.get()
    assert response["Location"] == reverse("supervision:team_detail", args=[t.pk])
    a, above = expert(own, "甲专家"), expert(world.units["parent"], "上级专家")
    client.post(reverse("supervision:team_member_add", args=[t.pk]), {"expert": a.pk})
    assert TeamMember.objects.filter(team=t).count() == 1
    services.team_member_add(actor=actor, team=t, expert=expert(own, "乙专家"), is_leader=True)
    # The pool above is out of this supervisor's scope; a pool below the team's unit is not
    # the team's to draw from.
    with pytest.raises(ValidationError):
        services.team_member_add(actor=actor, team=t, expert=above)
    with pytest.raises(ValidationError):
        services.team_member_add(actor=actor, team=t, expert=expert(world.units["child"], "丙"))
    member = TeamMember.objects.get(team=t, expert=a)
    client.post(reverse("supervision:team_leader", args=[member.pk]))
    leaders = TeamMember.objects.filter(team=t, is_leader=True).values_list("expert", flat=True)
    assert list(leaders) == [a.pk]
    page = client.get(reverse("supervision:team_detail", args=[t.pk])).content.decode()
    assert "甲专家" in page and "乙专家" in page and "上级专家" not in page
    client.post(reverse("supervision:team_member_remove", args=[member.pk]))
    assert TeamMember.objects.filter(team=t).count() == 1
    with pytest.raises(ValidationError):
        services.team_create(actor=actor, owner_unit=own, year=t.year, name="第一旁听组")
    listing = client.get(reverse("supervision:team_list")).content.decode()
    assert "第一旁听组" in listing


def test_person_list_shows_one_unit_at_a_time(world):
    client = world.login(Client(), "supervisor")
    url = reverse("supervision:expert_create")
    default = client.get(url).context["form"].fields["person"].queryset
    assert world.people["own"] in default and world.people["child"] not in default
    picked = client.get(url, {"unit": world.units["child"].pk}).context["form"]
    assert list(picked.fields["person"].queryset) == [world.people["child"]]
    outside = client.get(url, {"unit": world.units["unrelated"].pk}).context["form"]
    assert not outside.fields["person"].queryset.exists()
