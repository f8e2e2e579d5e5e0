"""The demo year contains each irregular case the rules must catch."""

import pytest
from django.utils import timezone

from zhongxinzu.accounts.models import User
from zhongxinzu.demo import study_year as demo
from zhongxinzu.meetings.models import Attendance, MakeUp, StudySession
from zhongxinzu.outputs.models import Output
from zhongxinzu.plans.models import FirstItem, Prompt, PromptAck, YearPlan

# The city is built once for the module; marking the module makes pytest-django set up the
# test database (a module fixture alone would otherwise see the development database).
pytestmark = pytest.mark.django_db


@pytest.fixture
def year():
    return timezone.localdate().year


def held(code, year):
    return StudySession.objects.filter(group__unit__code=code, starts_at__year=year).exclude(
        status=StudySession.Status.PLANNED
    )


def test_one_group_held_too_few_sessions(city, year):
    few = held(demo.FEW_SESSIONS_UNIT, year).count()
    usual = held("JC-CT", year).count()
    assert few <= usual - 5


def test_demo_member_is_under_the_participation_rate_with_an_overdue_makeup(city, year):
    member = User.objects.get(username="member").person
    rows = Attendance.objects.filter(person=member, session__starts_at__year=year)
    attended = rows.filter(status__in=["present", "late"]).count()
    assert attended / rows.count() < 0.8
    overdue = MakeUp.objects.filter(
        attendance__person=member, status="open", due_date__lt=timezone.localdate()
    )
    assert overdue.count() == 1


def test_every_absence_and_leave_owes_a_makeup(city):
    owed = Attendance.objects.filter(status__in=["leave", "absent"])
    assert owed.count() == MakeUp.objects.count() > 0


def test_one_plan_filed_late_this_year(city, year):
    plan = YearPlan.objects.get(group__unit__code=demo.LATE_PLAN_UNIT, year=year)
    assert plan.filed_at.date().month == 2
    on_time = YearPlan.objects.filter(year=year, filed_at__month=1).count()
    assert on_time == YearPlan.objects.filter(year=year).count() - 1


def test_one_group_never_acknowledged_a_prompt(city, year):
    prompt = Prompt.objects.get(year=year, quarter=demo.NO_ACK_QUARTER)
    missing = prompt.acks.model.objects.filter(prompt=prompt).count()
    assert missing == PromptAck.objects.filter(prompt__year=year, prompt__quarter=1).count() - 1
    assert not prompt.acks.filter(group__unit__code=demo.NO_ACK_UNIT).exists()


def test_one_group_never_studied_a_first_item(city, year):
    item = FirstItem.objects.filter(released_on__year=year).order_by("released_on")[
        demo.SKIPPED_ITEM_INDEX
    ]
    studied_by = set(item.agenda_items.values_list("session__group__unit__code", flat=True))
    assert demo.SKIPPED_ITEM_UNIT not in studied_by
    assert len(studied_by) >= 25


def test_one_session_held_but_not_recorded(city):
    unrecorded = StudySession.objects.filter(status=StudySession.Status.HELD)
    assert [s.group.unit.code for s in unrecorded] == [demo.UNRECORDED_UNIT]


def test_upcoming_session_has_a_speech_draft_waiting_for_the_leader(city):
    draft = Output.objects.get(status=Output.Status.SUBMITTED, kind=Output.Kind.SPEECH_DRAFT)
    assert draft.session.status == StudySession.Status.PLANNED
    assert draft.session.starts_at > timezone.now()
