"""Observation-visit deadlines: the host group's materials in its compliance verdicts and
the drill-down, the team's overdue summaries on the supervisors' overview."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhongxinzu.compliance import engine
from zhongxinzu.compliance.engine import AT_RISK, MET, MISSED, NA, Period, evaluate
from zhongxinzu.compliance.tests import factories as f
from zhongxinzu.supervision.models import ObservationVisit

YEAR = Period.year(2025)
AFTER = dt.date(2026, 1, 15)


@pytest.fixture(autouse=True)
def frozen():
    """Before `world`, so its rosters start a year before the frozen day."""
    with time_machine.travel(f.at(2026, 3, 10, 8, 0), tick=False):
        yield


def hosted(world, group, planned_on, **kwargs) -> ObservationVisit:
    return f.visit(
        group, planned_on, owner=world.units["own"], by=world.users["supervisor"], **kwargs
    )


def check_of(group, as_of=AFTER, period=YEAR):
    return engine.evaluate_group(f.fresh(group), period, as_of=as_of).checks["visit_materials"]


# --- the group's check ------------------------------------------------------------------


def test_materials_on_time_late_and_never_sent(world):
    group, _ = f.make_group(world.units["own"])
    # 2025-06-16: materials due 06-09, five working days ahead
    on_time = hosted(world, group, dt.date(2025, 6, 16), sent_at=f.at(2025, 6, 9, 17, 0))
    late = hosted(world, group, dt.date(2025, 9, 16), sent_at=f.at(2025, 9, 12, 9, 0))
    never = hosted(world, group, dt.date(2025, 11, 18))
    assert late.materials_due == dt.date(2025, 9, 9)

    result = engine.evaluate_group(f.fresh(group), YEAR, as_of=AFTER)
    check = result.checks["visit_materials"]
    assert check.status == MISSED and check.final
    assert check.value == 2 and check.value_text == "2次逾期"
    assert check.target_text == "旁听前5个工作日报送"
    assert check.detail == "3次旁听：按期1，逾期完成1，逾期未完成1，即将到期0"
    assert check.source  # the rule observation_materials_working_days

    proof = engine.proving_records(result, "visit_materials")
    assert [r.link for r in proof.rows] == [
        reverse("supervision:visit_detail", args=[v.pk]) for v in (on_time, late, never)
    ]
    assert [r.status for r in proof.rows] == ["", MISSED, MISSED]
    assert [r.cells[-1] for r in proof.rows] == ["按期", "逾期完成", "逾期未完成"]
    assert proof.rows[1].cells[3:5] == ["2025-09-09", "2025-09-12 09:00"]


def test_a_summary_the_team_owes_does_not_count_against_the_host(world):
    group, _ = f.make_group(world.units["own"])
    hosted(world, group, dt.date(2025, 6, 16), sent_at=f.at(2025, 6, 5, 9, 0))  # no summary
    check = check_of(group)
    assert check.status == MET and check.value_text == "均按期"


def test_materials_due_soon_are_at_risk_and_far_ones_on_pace(world):
    group, _ = f.make_group(world.units["own"])
    hosted(world, group, dt.date(2025, 6, 16))  # due 06-09
    soon = check_of(group, as_of=dt.date(2025, 6, 5))
    assert soon.status == AT_RISK and not soon.final
    assert "即将到期1" in soon.detail
    far = check_of(group, as_of=dt.date(2025, 5, 1))
    assert far.status == MET and not far.final
    assert check_of(group, as_of=dt.date(2025, 6, 10)).status == MISSED


def test_no_visit_of_a_published_plan_in_the_period_is_not_applicable(world):
    group, _ = f.make_group(world.units["own"])
    hosted(world, group, dt.date(2025, 6, 16), published=False)  # draft plan
    hosted(world, group, dt.date(2024, 6, 17))  # another year
    check = check_of(group)
    assert check.status == NA and check.detail == "本期无旁听"
    # a quarter without the visit is not applicable either
    hosted(world, group, dt.date(2025, 9, 16))
    assert check_of(group, period=Period.quarter(2025, 2)).status == NA
    assert check_of(group, period=Period.quarter(2025, 3)).status == MISSED


def test_visits_cost_one_query_whatever_the_number_of_groups(world):
    def count(groups):
        with CaptureQueriesContext(connection) as ctx:
            evaluate(groups, YEAR, as_of=AFTER)
        return len(ctx.captured_queries)

    first, _ = f.make_group(world.units["own"])
    hosted(world, first, dt.date(2025, 6, 16))
    one = count([f.fresh(first)])
    groups = [f.make_group(world.units["child"])[0] for _ in range(3)]
    for n, g in enumerate(groups):
        hosted(world, g, dt.date(2025, 4 + n, 15), sent_at=f.at(2025, 4, 1, 9, 0))
        hosted(world, g, dt.date(2025, 10, 15))
    assert count([f.fresh(g) for g in [first, *groups]]) == one


# --- the pages --------------------------------------------------------------------------


def test_group_page_and_drill_down_link_to_the_visit(world):
    group = world.groups["own"]
    visit = hosted(world, group, dt.date(2026, 2, 24), sent_at=f.at(2026, 2, 12, 9, 0))
    client = world.login(Client(), "secretary")
    html = client.get(reverse("compliance:group_detail", args=[group.pk]), {"year": 2026})
    assert "旁听材料按时报送" in html.content.decode()
    url = reverse("compliance:records", args=[group.pk, "visit_materials"])
    html = client.get(url, {"year": 2026}).content.decode()
    assert reverse("supervision:visit_detail", args=[visit.pk]) in html
    assert "逾期完成" in html  # due 02-10 (before the Spring Festival), sent 02-12
    # the link leads to a page the host's secretary may open
    assert client.get(reverse("supervision:visit_detail", args=[visit.pk])).status_code == 200


def overview_html(client, **params):
    response = client.get(reverse("compliance:overview"), {"year": 2026, **params})
    assert response.status_code == 200
    return response.content.decode()


def test_overview_flags_the_summaries_the_teams_owe(world):
    sent = {"sent_at": f.at(2026, 2, 1, 9, 0)}
    late = hosted(world, world.groups["child"], dt.date(2026, 2, 20), **sent)  # due 03-06
    hosted(world, world.groups["own"], dt.date(2026, 3, 5), **sent)  # due 03-19
    hosted(world, world.groups["own"], dt.date(2026, 2, 20), summary_at=f.at(2026, 3, 2, 9, 0))
    hosted(world, world.groups["own"], dt.date(2026, 2, 20), published=False)
    hosted(world, world.groups["sibling"], dt.date(2026, 2, 20))  # not under the supervisor
    html = overview_html(world.login(Client(), "supervisor"))
    note = html[html.index('id="late-summaries"') :]
    note = note[: note.index("</p>")]
    assert '<span class="tag red">1次</span>' in note
    assert reverse("supervision:visit_detail", args=[late.pk]) in note
    assert "2026-03-06到期" in note and world.groups["child"].name in note
    # the host group is not blamed for it
    result = engine.evaluate_group(f.fresh(world.groups["child"]), Period.year(2026))
    assert result.checks["visit_materials"].status == MET


def test_overview_without_late_summaries_shows_no_note(world):
    hosted(world, world.groups["own"], dt.date(2026, 3, 5), sent_at=f.at(2026, 2, 1, 9, 0))
    assert 'id="late-summaries"' not in overview_html(world.login(Client(), "supervisor"))


def test_overview_query_count_does_not_grow_with_visits(world):
    client = world.login(Client(), "supervisor")
    hosted(world, world.groups["own"], dt.date(2026, 2, 20))

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            overview_html(client)
        return len(ctx.captured_queries)

    small = queries()
    for _ in range(3):
        group, _ = f.make_group(world.units["child"], members=2)
        hosted(world, group, dt.date(2026, 2, 24))
        hosted(world, group, dt.date(2026, 3, 5), sent_at=f.at(2026, 2, 1, 9, 0))
    for _ in range(6):  # more late summaries than the note lists
        hosted(world, world.groups["child"], dt.date(2026, 2, 20))
    assert queries() == small
    html = overview_html(client)
    assert '<span class="tag red">10次</span>' in html and "等。" in html
