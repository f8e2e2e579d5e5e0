"""Late and missing filings in the compliance engine (check "filings"), on the group page's
drill-down, and the stored snapshots' codes when the check was added."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.compliance.engine import (
    AT_RISK,
    CHECKS,
    MET,
    MISSED,
    NA,
    STATUS_CODES,
    Period,
    evaluate,
    evaluate_group,
)
from zhongxinzu.compliance.models import GroupCompliance
from zhongxinzu.filings import services
from zhongxinzu.filings.models import FilingTask, Submission
from zhongxinzu.filings.tests.conftest import this_year

pytestmark = pytest.mark.django_db


def annual(world, top, due: dt.date) -> FilingTask:
    return services.task_create(
        actor=top,
        owner_unit=world.units["parent"],
        year=this_year(),
        kind=FilingTask.Kind.ANNUAL,
        title="年度学习有关材料",
        due_on=due,
    )


def verdict(world, rel="own"):
    return evaluate_group(world.groups[rel], Period.year(this_year())).checks["filings"]


def test_no_task_is_not_applicable(world):
    assert verdict(world).status == NA


def test_missing_after_the_deadline_is_missed(world, top):
    annual(world, top, timezone.localdate() - dt.timedelta(days=1))
    check = verdict(world)
    assert check.status == MISSED and check.value == 1
    assert check.source == "上级报送任务"


def test_submitted_late_is_missed_and_on_time_is_met(world, top):
    today = timezone.localdate()
    task = annual(world, top, today - dt.timedelta(days=5))
    Submission.objects.filter(task=task, group=world.groups["own"]).update(
        status="submitted", submitted_on=today - dt.timedelta(days=6), submitted_at=timezone.now()
    )
    Submission.objects.filter(task=task, group=world.groups["child"]).update(
        status="accepted", submitted_on=today, submitted_at=timezone.now()
    )
    assert verdict(world).status == MET
    assert verdict(world, "child").status == MISSED


def test_returned_and_not_sent_again_counts_as_not_filed(world, top):
    today = timezone.localdate()
    task = annual(world, top, today - dt.timedelta(days=1))
    Submission.objects.filter(task=task, group=world.groups["own"]).update(
        status="returned", submitted_on=today - dt.timedelta(days=3), return_reason="不全"
    )
    assert verdict(world).status == MISSED


def test_due_soon_is_at_risk_and_due_later_is_on_pace(world, top):
    annual(world, top, timezone.localdate() + dt.timedelta(days=3))
    assert verdict(world).status == AT_RISK
    FilingTask.objects.update(due_on=timezone.localdate() + dt.timedelta(days=60))
    Submission.objects.update(due_on=timezone.localdate() + dt.timedelta(days=60))
    check = verdict(world)
    assert check.status == MET and not check.final


def test_the_check_costs_the_same_queries_for_one_group_and_three(world, top):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    annual(world, top, timezone.localdate() - dt.timedelta(days=1))
    groups = [world.groups[r] for r in ("own", "child", "sibling")]
    for g in groups:
        g.unit  # noqa: B018 - loaded as the callers pass them
    with CaptureQueriesContext(connection) as one:
        evaluate(groups[:1], Period.year(this_year()))
    with CaptureQueriesContext(connection) as three:
        results = evaluate(groups, Period.year(this_year()))
    assert len(one.captured_queries) == len(three.captured_queries)
    assert all(r.checks["filings"].status == MISSED for r in results.values())


def test_the_drill_down_lists_the_rows(client, world, top):
    annual(world, top, timezone.localdate() - dt.timedelta(days=1))
    world.login(client, "secretary")
    url = reverse("compliance:records", args=[world.groups["own"].pk, "filings"])
    html = client.get(url, {"year": this_year()}).content.decode()
    assert "年度学习有关材料" in html and "逾期未完成" in html
    assert reverse("filings:group_filings", args=[world.groups["own"].pk]) in html


def test_snapshots_taken_before_the_check_get_its_letter(world):
    import importlib

    from django.apps import apps

    before = {c.key: MET for c in CHECKS if c.key != "filings"}
    snap = GroupCompliance.objects.create(
        group=world.groups["own"],
        year=this_year(),
        worst=MET,
        statuses=before,
        codes="g" * len(before),
        as_of=timezone.localdate(),
        computed_at=timezone.now(),
    )
    migration = importlib.import_module("zhongxinzu.filings.migrations.0002_snapshot_codes")
    migration.pad_snapshots(apps, None)
    snap.refresh_from_db()
    assert len(snap.codes) == len(CHECKS)
    assert snap.statuses["filings"] == NA
    index = [c.key for c in CHECKS].index("filings")
    assert snap.codes[index] == STATUS_CODES[NA]
    assert snap.codes.replace(STATUS_CODES[NA], "") == "g" * len(before)
