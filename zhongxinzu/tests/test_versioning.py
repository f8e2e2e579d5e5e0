"""A form POST or an API write without the version it was read with is refused: it would
otherwise overwrite a newer edit unseen (issue 8, point 5g)."""

import pytest
from django.test import Client
from django.urls import reverse

from zhongxinzu.lib.versioning import VERSION_MISSING
from zhongxinzu.org.models import Person

pytestmark = pytest.mark.django_db


def edit(world, **changes):
    person = world.people["own"]
    data = {
        "name": person.name,
        "gender": person.gender,
        "post": person.post,
        "post_category": person.post_category,
        "rank_order": person.rank_order,
        "phone": "",
        **changes,
    }
    client = world.login(Client(), "secretary")
    return client.post(reverse("org:person_edit", args=[person.pk]), data), person


def test_a_form_post_without_the_version_changes_nothing(world):
    response, person = edit(world, post="局长")
    assert VERSION_MISSING in response.content.decode()
    assert Person.objects.get(pk=person.pk).post == person.post


def test_a_form_post_with_a_stale_version_is_a_conflict_and_the_current_one_saves(world):
    person = world.people["own"]
    Person.objects.filter(pk=person.pk).update(version=person.version + 1)  # someone else
    response, _ = edit(world, post="局长", version=person.version)
    assert "已被他人修改" in response.content.decode()
    assert Person.objects.get(pk=person.pk).post == person.post
    response, _ = edit(world, post="局长", version=person.version + 1)
    assert response.status_code == 302
    assert Person.objects.get(pk=person.pk).post == "局长"
