"""Rates and counts other apps build on (compliance, the annual report, the API)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhongxinzu.meetings import selectors
from zhongxinzu.meetings.models import Attendance, MakeUp, StudySession
from zhongxinzu.meetings.selectors import Rate
from zhongxinzu.meetings.tests.conftest import at

pytestmark = pytest.mark.django_db


def mark(session, rows: dict, attendee=()):
    for person, status in rows.items():
        Attendance.objects.create(
            session=session, person=person, status=status, is_attendee=person in attendee
        )


@pytest.fixture
def year_of_sessions(world, make_session, people):
    """Three sessions of the own group in 2026 (two done), one in 2025, one of the child."""
    done = StudySession.Status.RECORDED
    s1 = make_session(starts_at=at(2026, 1, 10, 9), status=done, lead_reader=people["leader"])
    s2 = make_session(
        starts_at=at(2026, 4, 10, 9), status="held", kind="discussion", lead_reader=people["member"]
    )
    make_session(starts_at=at(2026, 12, 10, 9))  # planned: not counted
    old = make_session(starts_at=at(2025, 12, 31, 23), status=done)
    child = make_session("child", starts_at=at(2026, 5, 1, 9), status=done, kind="topical")
    p = people
    mark(
        s1,
        {
            p["leader"]: "present",
            p["member"]: "late",
            p["plain"]: "absent",
            p["secretary"]: "present",
        },
        attendee={p["secretary"]},
    )
    mark(s2, {p["leader"]: "present", p["member"]: "leave", p["plain"]: "present"})
    mark(old, {p["leader"]: "absent"})
    mark(child, {world.people["child"]: "present"})
    return {"s1": s1, "s2": s2, "old": old, "child": child}


def test_rate_value_and_rule_check():
    assert Rate(9, 10).percent == 90.0 and str(Rate(9, 10)) == "90%"
    assert Rate(9, 10).meets(90) and not Rate(8, 10).meets(90)
    assert Rate().value is None and Rate().meets(90) is None and str(Rate()) == "—"
    assert Rate(1, 2) + Rate(2, 3) == Rate(3, 5)


def test_session_rates_leave_out_attendees(year_of_sessions):
    s1, s2 = year_of_sessions["s1"], year_of_sessions["s2"]
    rates = selectors.session_rates(session_ids=[s1.pk, s2.pk])
    assert rates == {s1.pk: Rate(2, 3), s2.pk: Rate(2, 3)}


def test_group_rates_and_member_participation(world, year_of_sessions, people):
    own, child = world.groups["own"].pk, world.groups["child"].pk
    assert selectors.group_attendance_rates(group_ids=[own, child], year=2026) == {
        own: Rate(4, 6),
        child: Rate(1, 1),
    }
    participation = selectors.member_participation(group_ids=[own], year=2026)[own]
    assert participation == {
        people["leader"].pk: Rate(2, 2),
        people["member"].pk: Rate(1, 2),
        people["plain"].pk: Rate(1, 2),
    }
    assert selectors.person_participation(person_id=people["leader"].pk, year=2025) == Rate(0, 1)
    per_session = selectors.group_session_rates(group_ids=[own], year=2026)[own]
    assert set(per_session) == {year_of_sessions["s1"].pk, year_of_sessions["s2"].pk}


def test_rates_take_one_query_whatever_the_number_of_groups(world, year_of_sessions):
    groups = list(world.groups.values())
    for fn in (selectors.group_attendance_rates, selectors.member_participation):
        with CaptureQueriesContext(connection) as ctx:
            fn(group_ids=[g.pk for g in groups], year=2026)
        assert len(ctx.captured_queries) == 1


def test_session_counts_by_kind_and_quarter(world, year_of_sessions):
    own, child = world.groups["own"].pk, world.groups["child"].pk
    counts = selectors.session_counts(group_ids=[own, child], year=2026)
    assert counts[own] == {"study": 1, "discussion": 1, "total": 2, "discussions": 1}
    assert counts[child] == {"topical": 1, "total": 1, "discussions": 1, "topicals": 1}
    quarters = selectors.quarterly_discussion_counts(group_ids=[own], year=2026)
    assert quarters[own] == {1: 0, 2: 1, 3: 0, 4: 0}


def test_leader_led_share(world, year_of_sessions):
    own = world.groups["own"].pk
    assert selectors.leader_led_counts(group_ids=[own], year=2026) == {own: Rate(1, 2)}


def test_first_item_session_counts(world, year_of_sessions):
    from zhongxinzu.meetings.models import AgendaItem
    from zhongxinzu.plans.models import FirstItem

    item = FirstItem.objects.create(
        owner_unit=world.units["parent"],
        title="讲话",
        kind="speech",
        released_on=dt.date(2026, 1, 1),
        created_by=world.users["supervisor"],
    )
    AgendaItem.objects.create(session=year_of_sessions["s1"], title="讲话", first_item=item)
    AgendaItem.objects.create(session=year_of_sessions["s2"], title="其他")
    own = world.groups["own"].pk
    assert selectors.first_item_session_counts(group_ids=[own], year=2026) == {own: 1}


def test_overdue_makeups(world, year_of_sessions, people):
    rows = Attendance.objects.filter(status__in=["absent", "leave"]).order_by("pk")
    open_, submitted, confirmed = rows[0], rows[1], rows[2]
    MakeUp.objects.create(attendance=open_, due_date=dt.date(2026, 2, 1))
    MakeUp.objects.create(attendance=submitted, due_date=dt.date(2026, 2, 1), status="submitted")
    MakeUp.objects.create(attendance=confirmed, due_date=dt.date(2026, 2, 1), status="confirmed")
    overdue = selectors.makeups_overdue(on=dt.date(2026, 2, 2))
    assert [m.attendance for m in overdue] == [open_, submitted]
    assert not selectors.makeups_overdue(on=dt.date(2026, 2, 1)).exists()  # due that day: not yet
    own = world.groups["own"].pk
    assert selectors.makeup_counts(group_ids=[own], on=dt.date(2026, 2, 2))[own] == {
        "open": 1,
        "submitted": 1,
        "confirmed": 1,
        "overdue": 2,
    }


def test_attendance_summary_lists_names_reasons_and_attendees(year_of_sessions, people):
    s1 = year_of_sessions["s1"]
    Attendance.objects.filter(session=s1, status="absent").update(reason="因病")
    summary = selectors.attendance_summary(s1)
    assert summary.expected == 3 and summary.attended == 2
    assert [a.person for a in summary.absent] == [people["plain"]]
    assert [a.person for a in summary.attendees] == [people["secretary"]]


def test_summary_before_roll_call_counts_the_roster(make_session):
    summary = selectors.attendance_summary(make_session())
    assert not summary.taken and summary.expected == 3  # secretary sits in


def test_summary_after_qr_sign_ins_still_expects_the_whole_roster(make_session, people):
    session = make_session()
    mark(session, {people["member"]: "present"})
    summary = selectors.attendance_summary(session)
    assert (summary.expected, summary.attended) == (3, 1)
