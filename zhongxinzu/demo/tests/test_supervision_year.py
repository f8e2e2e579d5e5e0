"""The demo's supervision: visits at every stage, scores, rectifications, the 约谈 list."""

import pytest
from django.utils import timezone

from zhongxinzu.assessment.models import AssessmentScheme
from zhongxinzu.assessment.services import talk_list
from zhongxinzu.compliance.engine import Period, evaluate_group
from zhongxinzu.compliance.models import Notification
from zhongxinzu.demo.supervision_year import BOTTOM_UNIT, LATE_MATERIALS_UNIT
from zhongxinzu.supervision.models import ObservationVisit, Rectification, ScoreSheet

pytestmark = pytest.mark.django_db


def test_visits_are_at_every_stage_and_the_observer_scored_their_team(city):
    stages = set(ObservationVisit.objects.values_list("stage", flat=True))
    assert {"planned", "during", "after", "closed"} <= stages
    sheets = ScoreSheet.objects.filter(submitted_at__isnull=False)
    assert sheets.exists()
    assert {s.observer.user.username for s in sheets} == {"observer"}


def test_rectifications_are_open_overdue_and_closed(city):
    today = timezone.localdate()
    statuses = set(Rectification.objects.values_list("status", flat=True))
    assert {"open", "closed"} <= statuses
    overdue = Rectification.objects.exclude(status="closed").filter(deadline__lt=today)
    assert overdue.count() >= 2


def _bottom(scheme) -> tuple[set[int], int]:
    """The groups at or below the bottom_n-th lowest total, and how many share that total."""
    totals = sorted(scheme.results.values_list("total", flat=True))
    cut = totals[scheme.bottom_n - 1]
    at_or_below = set(scheme.results.filter(total__lte=cut).values_list("group_id", flat=True))
    return at_or_below, scheme.results.filter(total=cut).count()


def test_the_talk_list_holds_the_bottom_of_both_years_with_the_tie_at_the_cut(city):
    year = timezone.localdate().year
    previous = AssessmentScheme.objects.get(year=year - 1)
    assert previous.status == "published"
    scheme = AssessmentScheme.objects.get(year=year)
    (this_bottom, tied_now), (last_bottom, tied_then) = _bottom(scheme), _bottom(previous)
    listed = talk_list(scheme=scheme)
    assert {g.pk for g in listed} == this_bottom & last_bottom
    assert BOTTOM_UNIT in [g.unit.code for g in listed]
    # A tie at the cut both years: everyone tied is on the list, more than bottom_n groups.
    assert tied_now >= 2 and tied_then >= 2
    assert len(listed) > 1


def test_one_host_sent_its_visit_materials_late(city):
    past = ObservationVisit.objects.filter(planned_on__lt=timezone.localdate())
    late = [v for v in past if v.materials_sent_at.date() > v.materials_due]
    assert [v.group.unit.code for v in late] == [LATE_MATERIALS_UNIT]
    on_time = next(v for v in past if v not in late)
    for visit, status in [(late[0], "missed"), (on_time, "met")]:
        result = evaluate_group(visit.group, Period.year(visit.planned_on.year))
        assert result.checks["visit_materials"].status == status


def test_visit_notices_carry_the_dates_the_visits_have(city):
    """The observer's 旁听任务 and the hosts' notices name the day the visit takes place,
    also for the visits the demo moved onto a past session."""
    visits = ObservationVisit.objects.select_related("group").in_bulk()
    notes = Notification.objects.filter(key__startswith="visit_")
    assert notes.filter(user__username="observer").exists()
    moved = 0
    for note in notes:
        visit = visits[int(note.key.split(":")[1])]
        day = visit.planned_on
        said = (f"{day.month}月{day.day}日", f"{day:%m月%d日}")  # notice, reminder
        assert any(d in note.message for d in said), (note.message, day)
        moved += visit.planned_on < timezone.localdate()
    assert moved
