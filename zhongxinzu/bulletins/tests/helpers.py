"""A small subtree with a study year: the world's unit A (the supervisor's) with two groups
below it besides its own and A1, sessions, attendance and a visit with highlights."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from zhongxinzu.compliance.tests.factories import at, everyone, make_group, roll, session
from zhongxinzu.meetings.models import Attendance, StudySession
from zhongxinzu.stats.periods import year_span

YEAR = timezone.localdate().year - 1  # a closed year: every rule has its final verdict


def study_year(world):
    """Unit A's subtree: A (4 sessions), A1 (none), two test units (14 and 2 sessions, one
    of them a discussion each quarter). Returns the new groups."""
    own = world.units["own"]
    busy, busy_people = make_group(own, code="BZ")
    idle, idle_people = make_group(own, code="XZ")
    for i in range(14):
        kind = StudySession.Kind.DISCUSSION if i % 3 == 0 else StudySession.Kind.COLLECTIVE_STUDY
        s = session(
            busy,
            at(YEAR, 1 + i % 12, 5 + i // 12, 9, 0),
            kind=kind,
            lead_reader=busy_people["leader"],
            first_item=False,
        )
        roll(s, everyone(busy_people))
    for month in (3, 9):
        s = session(
            idle,
            at(YEAR, month, 10, 9, 0),
            kind=StudySession.Kind.COLLECTIVE_STUDY,
            first_item=False,
        )
        statuses = everyone(idle_people)
        statuses[idle_people["members"][0]] = Attendance.Status.ABSENT
        statuses[idle_people["members"][1]] = Attendance.Status.LEAVE
        roll(s, statuses)
    for month in (2, 5, 8, 11):
        session(
            world.groups["own"],
            at(YEAR, month, 3, 9, 0),
            kind=StudySession.Kind.TOPICAL,
            first_item=False,
        )
    return busy, idle


def span():
    return year_span(YEAR)


def day(month=6, d=1):
    return dt.date(YEAR, month, d)
