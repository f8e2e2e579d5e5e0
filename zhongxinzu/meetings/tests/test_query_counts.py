"""List pages run the same number of queries whatever the amount of data."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.urls import reverse

from zhongxinzu.meetings.models import AgendaItem, Attendance, LeaveRequest, MakeUp
from zhongxinzu.org.tests.test_query_counts import assert_same_count, sql_of

pytestmark = pytest.mark.django_db
_n = itertools.count()


def add_sessions(make_session, people, rels, n):
    for rel in rels:
        for _ in range(n):
            s = make_session(rel, title=f"学习{next(_n)}")
            AgendaItem.objects.create(session=s, title="议程")
            if rel == "own":
                for key, person in people.items():
                    a = Attendance.objects.create(
                        session=s, person=person, status="absent" if key == "plain" else "present"
                    )
                    if key == "plain":
                        MakeUp.objects.create(attendance=a, due_date=dt.date(2026, 1, 1))
                LeaveRequest.objects.create(session=s, person=people["member"], reason="出差")


@pytest.mark.parametrize("role", ["supervisor", "secretary", "member"])
@pytest.mark.parametrize(
    "name",
    [
        "meetings:session_list",
        "meetings:session_calendar",
        "meetings:leave_list",
        "meetings:makeup_list",
    ],
)
def test_list_queries_do_not_grow(make_session, people, as_role, role, name):
    client = as_role(role)
    url = reverse(name)
    add_sessions(make_session, people, ["own", "child"], 1)
    small = sql_of(client, url)
    add_sessions(make_session, people, ["own", "child"], 4)
    large = sql_of(client, url)
    assert_same_count(small, large)


def test_my_study_queries_do_not_grow(make_session, people, as_role):
    client = as_role("member")
    url = reverse("meetings:my_study")
    add_sessions(make_session, people, ["own"], 1)
    small = sql_of(client, url)
    add_sessions(make_session, people, ["own"], 4)
    assert_same_count(small, sql_of(client, url))
