"""The overview's snapshot totals follow every write at once (issue 8, point 2): a write that
changes a group's figures brings that group's snapshot up to date when it commits, for this
year and for the previous year until that year's assessment is published."""

import datetime as dt
import io

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from zhongxinzu.assessment.models import AssessmentScheme
from zhongxinzu.compliance import selectors
from zhongxinzu.compliance.engine import Period, evaluate
from zhongxinzu.compliance.models import GroupCompliance
from zhongxinzu.compliance.services import snapshot_refresh
from zhongxinzu.compliance.tests import factories as f
from zhongxinzu.meetings import services as meetings
from zhongxinzu.meetings.models import MakeUp
from zhongxinzu.org import services as org
from zhongxinzu.org.models import Membership, Person
from zhongxinzu.outputs import services as outputs
from zhongxinzu.supervision import problems

TODAY = f.at(2026, 3, 10, 9, 0)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def year(world, monkeypatch):
    """Last year's records for two groups, their snapshots computed, overview in snapshot
    mode (as for a subtree above LIVE_LIMIT groups)."""
    built = f.build_year(world, 2025)
    monkeypatch.setattr(selectors, "LIVE_LIMIT", 0)
    snapshot_refresh(year=2025)
    snapshot_refresh(year=2026)
    return built


def totals(world, year: int):
    args = dict(root=world.units["own"], period=Period.year(year), as_of=TODAY.date())
    cached = selectors.overview(**args)
    assert not cached.live
    return cached


def live_totals(world, year: int, monkeypatch):
    monkeypatch.setattr(selectors, "LIVE_LIMIT", 10_000)
    args = dict(root=world.units["own"], period=Period.year(year), as_of=TODAY.date())
    live = selectors.overview(**args)
    monkeypatch.setattr(selectors, "LIVE_LIMIT", 0)
    assert live.live
    return live


def snapshot_matches_live(group, year: int) -> bool:
    row = GroupCompliance.objects.get(group=group, year=year)
    live = evaluate([f.fresh(group)], Period.year(year), as_of=TODAY.date())[group.pk]
    return row.statuses == {k: c.status for k, c in live.checks.items()}


def party_affairs_head(group) -> Person:
    return Person.objects.create(
        unit=group.unit, name="党群部长甲", gender="女", post="党群工作部部长", rank_order=30
    )


def test_a_roster_change_moves_the_root_totals_at_once(
    world, year, monkeypatch, django_capture_on_commit_callbacks
):
    before = totals(world, 2025).by_check["roster"]
    with django_capture_on_commit_callbacks(execute=True):
        org.membership_create(
            actor=world.users["supervisor"],
            group=year.bad,
            person=party_affairs_head(year.bad),
            role=Membership.Role.MEMBER,
            start_date=dt.date(2025, 1, 1),
        )
    after = totals(world, 2025).by_check["roster"]
    assert after != before
    assert after == live_totals(world, 2025, monkeypatch).by_check["roster"]


def staff(world, group):
    """The world's secretary account as secretary of `group` too."""
    Membership.objects.create(
        group=group,
        person=world.users["secretary"].person,
        role=Membership.Role.SECRETARY,
        role_rank=Membership.rank_of("secretary"),
        start_date=dt.date(2020, 1, 1),
    )
    return world.users["secretary"]


def write_session(world, year):
    meetings.session_create(
        actor=staff(world, year.bad),
        group=year.bad,
        kind="study",
        title="三月集体学习",
        starts_at=f.at(2026, 3, 20, 9, 0),
        ends_at=f.at(2026, 3, 20, 12, 0),
        place="三楼会议室",
    )


def write_makeup_confirmed(world, year):
    makeup = MakeUp.objects.filter(attendance__session__group=year.bad).first()
    MakeUp.objects.filter(pk=makeup.pk).update(status=MakeUp.Status.SUBMITTED)
    makeup.refresh_from_db()
    meetings.makeup_confirm(actor=staff(world, year.bad), makeup=makeup)


def write_output(world, year):
    outputs.output_create(
        actor=staff(world, year.bad),
        group=year.bad,
        kind="article",
        title="学习心得",
        body="学习体会正文。",
    )


def write_problem(world, year):
    problems.problem_create(
        actor=world.users["supervisor"],
        group=year.bad,
        source="supervision",
        category="学习制度",
        description="学习研讨次数偏少",
        found_on=dt.date(2026, 3, 1),
        measures="按计划补足集体学习",
        deadline=dt.date(2026, 6, 30),
    )


def write_membership_end(world, year):
    membership = Membership.objects.filter(group=year.bad, role="member").first()
    org.membership_end(
        actor=world.users["supervisor"], membership=membership, end_date=dt.date(2026, 3, 1)
    )


WRITES = [write_session, write_makeup_confirmed, write_output, write_problem, write_membership_end]


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.__name__)
def test_each_kind_of_write_refreshes_the_groups_snapshot_for_both_years(
    world, year, write, django_capture_on_commit_callbacks
):
    stale = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    GroupCompliance.objects.filter(group=year.bad).update(statuses={}, computed_at=stale)
    with django_capture_on_commit_callbacks(execute=True):
        write(world, year)
    for y in (2025, 2026):
        row = GroupCompliance.objects.get(group=year.bad, year=y)
        assert row.computed_at > stale
        assert snapshot_matches_live(year.bad, y)
    # The other group's rows are not touched.
    assert GroupCompliance.objects.filter(group=year.good, computed_at__lt=stale).count() == 0


def test_a_rolled_back_write_refreshes_nothing(world, year, django_capture_on_commit_callbacks):
    from django.db import transaction

    stale = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    GroupCompliance.objects.filter(group=year.bad).update(computed_at=stale)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        write_output(world, year)
        raise RuntimeError
    assert set(
        GroupCompliance.objects.filter(group=year.bad).values_list("computed_at", flat=True)
    ) == {stale}


def test_last_years_snapshot_stops_following_once_its_assessment_is_published(
    world, year, django_capture_on_commit_callbacks
):
    AssessmentScheme.objects.create(
        owner_unit=world.units["own"],
        year=2025,
        name="2025年度考核",
        status=AssessmentScheme.Status.PUBLISHED,
    )
    stale = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    GroupCompliance.objects.filter(group=year.bad).update(computed_at=stale)
    with django_capture_on_commit_callbacks(execute=True):
        write_output(world, year)
    assert GroupCompliance.objects.get(group=year.bad, year=2025).computed_at == stale
    assert GroupCompliance.objects.get(group=year.bad, year=2026).computed_at > stale


def test_the_overview_shows_the_oldest_snapshot_time(world, year, as_supervisor):
    old = dt.datetime(2026, 3, 1, 2, 5, tzinfo=dt.UTC)  # 10:05 in China
    GroupCompliance.objects.filter(group=year.good, year=2025).update(computed_at=old)
    assert totals(world, 2025).computed_at == old
    html = as_supervisor.get(reverse("compliance:overview"), {"year": 2025}).content.decode()
    assert "最早一个统计于 2026-03-01 10:05" in html


@pytest.fixture
def as_supervisor(world):
    return world.login(Client(), "supervisor")


def test_the_timer_refreshes_this_year_and_last(world, year):
    from django.core.management import call_command

    GroupCompliance.objects.all().delete()
    call_command("refresh_compliance", stdout=io.StringIO())
    assert {*GroupCompliance.objects.values_list("year", flat=True)} == {2025, 2026}


def issue_prompt(world):
    from zhongxinzu.plans import services as plans

    supervisor = world.users["supervisor"]
    prompt = plans.prompt_create(
        actor=supervisor,
        issuer_unit=world.units["own"],
        year=2026,
        quarter=1,
        title="一季度学习提示",
        themes="学习贯彻全会精神",
    )
    plans.prompt_issue(actor=supervisor, prompt=prompt, expected_version=prompt.version)


def test_a_prompt_issued_to_a_small_subtree_refreshes_its_groups_at_once(
    world, year, django_capture_on_commit_callbacks
):
    stale = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    GroupCompliance.objects.update(computed_at=stale)
    with django_capture_on_commit_callbacks(execute=True):
        issue_prompt(world)
    for group in (year.good, year.bad):
        row = GroupCompliance.objects.get(group=group, year=2026)
        assert row.computed_at > stale and snapshot_matches_live(group, 2026)


def test_a_prompt_issued_to_a_large_subtree_queues_a_recount_of_it(
    world, year, monkeypatch, django_capture_on_commit_callbacks
):
    from zhongxinzu.compliance import services
    from zhongxinzu.jobs.models import Job
    from zhongxinzu.jobs.testing import run_worker

    monkeypatch.setattr(services, "SNAPSHOT_INLINE_MAX", 1)
    stale = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    GroupCompliance.objects.update(computed_at=stale)
    with django_capture_on_commit_callbacks(execute=True):
        issue_prompt(world)
    jobs = Job.objects.filter(kind="compliance.refresh", unit=world.units["own"])
    assert sorted(jobs.values_list("year", flat=True)) == [2025, 2026]
    assert GroupCompliance.objects.get(group=year.bad, year=2026).computed_at == stale
    run_worker()
    assert set(jobs.values_list("status", flat=True)) == {"done"}
    assert snapshot_matches_live(year.bad, 2026) and snapshot_matches_live(year.bad, 2025)
    assert GroupCompliance.objects.get(group=year.bad, year=2026).computed_at > stale
