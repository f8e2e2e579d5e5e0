"""Filing fixtures on the shared `world`: a supervisor of R (the parent unit) who sets tasks
for A, A1 and B; an approved year plan for A; sessions held by a group."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import PASSWORD
from zhongxinzu.accounts.models import Role, RoleGrant, User
from zhongxinzu.filings import services
from zhongxinzu.filings.models import FilingTask
from zhongxinzu.meetings.models import StudySession
from zhongxinzu.plans.models import YearPlan


def this_year() -> int:
    return timezone.localdate().year


@pytest.fixture
def top(world):
    user = User.objects.create_user(
        "top", password=PASSWORD, first_name="市委督导", password_changed_at=timezone.now()
    )
    RoleGrant.objects.create(user=user, role=Role.SUPERVISOR, unit=world.units["parent"])
    world.users["top"] = user
    return user


@pytest.fixture
def annual_task(world, top):
    """R's annual materials task, due in ten days (so submitting today is on time)."""
    return services.task_create(
        actor=top,
        owner_unit=world.units["parent"],
        year=this_year(),
        kind=FilingTask.Kind.ANNUAL,
        title=f"{this_year()}年度学习有关材料报送",
        due_on=timezone.localdate() + dt.timedelta(days=10),
    )


@pytest.fixture
def plan(world):
    return YearPlan.objects.create(
        group=world.groups["own"],
        year=this_year(),
        title=f"{this_year()}年度理论学习中心组学习计划",
        status=YearPlan.Status.APPROVED,
    )


@pytest.fixture
def held_session(world):
    def make(rel="own", *, on: dt.date, title="学习贯彻党的二十届四中全会精神", **fields):
        tz = timezone.get_default_timezone()
        starts = dt.datetime.combine(on, dt.time(9), tzinfo=tz)
        return StudySession.objects.create(
            group=world.groups[rel],
            kind=fields.pop("kind", StudySession.Kind.COLLECTIVE_STUDY),
            title=title,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=3),
            place="局机关三楼会议室",
            status=fields.pop("status", StudySession.Status.RECORDED),
            **fields,
        )

    return make


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """submission_submit with the on-commit file writes run (the documents land on disk)."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.submission_submit(**kwargs)

    return run
