"""Fixtures for the meetings tests: sessions of the `world` groups, a client per role, and
uploads stored in a temporary folder."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from zhongxinzu.meetings.models import StudySession

TZ = timezone.get_fixed_timezone(8 * 60)


def at(*args) -> dt.datetime:
    """An aware datetime in China time: at(2026, 3, 5, 9, 0)."""
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def as_role(world):
    def login(role):
        return world.login(Client(), role)

    return login


@pytest.fixture
def make_session(world):
    def make(rel="own", *, starts_at=None, length=180, **fields):
        starts_at = starts_at or timezone.now() - dt.timedelta(hours=1)
        return StudySession.objects.create(
            group=world.groups[rel],
            kind=fields.pop("kind", StudySession.Kind.COLLECTIVE_STUDY),
            title=fields.pop("title", "学习贯彻党的二十届四中全会精神"),
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=length),
            place=fields.pop("place", "局机关三楼会议室"),
            **fields,
        )

    return make


@pytest.fixture
def people(world):
    """The own group's roster by name: leader, member (user), plain member, secretary."""
    return {
        "leader": world.users["leader"].person,
        "member": world.users["member"].person,
        "plain": world.people["own"],
        "secretary": world.users["secretary"].person,
    }
