"""Reads of sessions, attendance, leave and make-up study, shared by the pages, compliance,
the annual report and the API.

Rates are computed by the database (one aggregate query per call, whatever the number of
groups, sessions or members) over the sessions that have taken place (held or recorded).
Rows of people who sat in only (列席) are left out of every rate.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from zhongxinzu.meetings.models import Attendance, MakeUp, StudySession
from zhongxinzu.org.access import active_memberships, issuer_scope_q
from zhongxinzu.org.models import Membership, Person, StudyGroup
from zhongxinzu.org.selectors import ancestor_paths, roster
from zhongxinzu.plans.models import FirstItem

DONE = [StudySession.Status.HELD, StudySession.Status.RECORDED]
ATTENDED = [Attendance.Status.PRESENT, Attendance.Status.LATE]
# Roles that make someone a member of the group for attendance; the others sit in (列席).
CORE_ROLES = {Membership.Role.LEADER, Membership.Role.DEPUTY, Membership.Role.MEMBER}

GroupIds = Iterable[int] | QuerySet


@dataclass(frozen=True)
class Rate:
    """attended / expected, e.g. 实到 / 应到."""

    attended: int = 0
    expected: int = 0

    @property
    def value(self) -> float | None:
        return self.attended / self.expected if self.expected else None

    @property
    def percent(self) -> float | None:
        return None if self.value is None else round(self.value * 100, 1)

    def meets(self, minimum_percent: int) -> bool | None:
        """Whether the rate reaches `minimum_percent` (a rule value); None without data."""
        if not self.expected:
            return None
        return self.attended * 100 >= minimum_percent * self.expected

    def __add__(self, other: Rate) -> Rate:
        return Rate(self.attended + other.attended, self.expected + other.expected)

    def __str__(self) -> str:
        return "—" if self.percent is None else f"{self.percent:g}%"


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """Start of `year` and of the next, as aware datetimes in the site's time zone."""
    tz = timezone.get_current_timezone()
    return (
        dt.datetime(year, 1, 1, tzinfo=tz),
        dt.datetime(year + 1, 1, 1, tzinfo=tz),
    )


def _rate_counts():
    return {
        "expected": Count("pk"),
        "attended": Count("pk", filter=Q(status__in=ATTENDED)),
    }


def _counted_attendance(*, group_ids: GroupIds, year: int) -> QuerySet[Attendance]:
    start, end = year_bounds(year)
    return Attendance.objects.filter(
        is_attendee=False,
        session__group_id__in=group_ids,
        session__starts_at__gte=start,
        session__starts_at__lt=end,
        session__status__in=DONE,
    ).order_by()


# --- rates -------------------------------------------------------------------------------


def session_rates(*, session_ids: Iterable[int] | QuerySet) -> dict[int, Rate]:
    """实到/应到 of each session (sessions without attendance are absent from the dict)."""
    rows = (
        Attendance.objects.filter(session_id__in=session_ids, is_attendee=False)
        .order_by()
        .values("session_id")
        .annotate(**_rate_counts())
    )
    return {r["session_id"]: Rate(r["attended"], r["expected"]) for r in rows}


def group_session_rates(*, group_ids: GroupIds, year: int) -> dict[int, dict[int, Rate]]:
    """group id -> session id -> rate, for every held or recorded session of the year."""
    rows = (
        _counted_attendance(group_ids=group_ids, year=year)
        .values("session__group_id", "session_id")
        .annotate(**_rate_counts())
    )
    result: dict[int, dict[int, Rate]] = defaultdict(dict)
    for r in rows:
        result[r["session__group_id"]][r["session_id"]] = Rate(r["attended"], r["expected"])
    return dict(result)


def group_attendance_rates(*, group_ids: GroupIds, year: int) -> dict[int, Rate]:
    """The yearly attendance rate of each group: all attendances over all expected places."""
    rows = (
        _counted_attendance(group_ids=group_ids, year=year)
        .values("session__group_id")
        .annotate(**_rate_counts())
    )
    return {r["session__group_id"]: Rate(r["attended"], r["expected"]) for r in rows}


def member_participation(*, group_ids: GroupIds, year: int) -> dict[int, dict[int, Rate]]:
    """参学率: group id -> person id -> sessions attended / sessions the person was expected
    at, for the year (leave counts as not attended)."""
    rows = (
        _counted_attendance(group_ids=group_ids, year=year)
        .values("session__group_id", "person_id")
        .annotate(**_rate_counts())
    )
    result: dict[int, dict[int, Rate]] = defaultdict(dict)
    for r in rows:
        result[r["session__group_id"]][r["person_id"]] = Rate(r["attended"], r["expected"])
    return dict(result)


def person_participation(*, person_id: int, year: int) -> Rate:
    """One person's participation over all their groups in `year`."""
    start, end = year_bounds(year)
    row = Attendance.objects.filter(
        person_id=person_id,
        is_attendee=False,
        session__starts_at__gte=start,
        session__starts_at__lt=end,
        session__status__in=DONE,
    ).aggregate(**_rate_counts())
    return Rate(row["attended"], row["expected"])


# --- counts ------------------------------------------------------------------------------


def sessions_in_year(*, group_ids: GroupIds, year: int, done: bool = True) -> QuerySet:
    """Sessions of the groups starting in `year` (only held or recorded ones if `done`)."""
    start, end = year_bounds(year)
    qs = StudySession.objects.filter(
        group_id__in=group_ids, starts_at__gte=start, starts_at__lt=end
    )
    return qs.filter(status__in=DONE) if done else qs


def session_counts(*, group_ids: GroupIds, year: int) -> dict[int, dict[str, int]]:
    """group id -> {kind: n, ..., "total": n, "discussions": n, "topicals": n} over held or
    recorded sessions; "discussions" and "topicals" count the kinds in
    StudySession.DISCUSSION_KINDS and TOPICAL_KINDS (what the rules count as 研讨 and 专题)."""
    rows = (
        sessions_in_year(group_ids=group_ids, year=year)
        .order_by()
        .values("group_id", "kind")
        .annotate(n=Count("pk"))
    )
    result: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        counts = result[r["group_id"]]
        counts[r["kind"]] += r["n"]
        counts["total"] += r["n"]
        if r["kind"] in StudySession.DISCUSSION_KINDS:
            counts["discussions"] += r["n"]
        if r["kind"] in StudySession.TOPICAL_KINDS:
            counts["topicals"] += r["n"]
    return {g: dict(c) for g, c in result.items()}


def quarterly_discussion_counts(*, group_ids: GroupIds, year: int) -> dict[int, dict[int, int]]:
    """group id -> quarter (1-4) -> held or recorded discussions (研讨) in that quarter."""
    rows = (
        sessions_in_year(group_ids=group_ids, year=year)
        .filter(kind__in=StudySession.DISCUSSION_KINDS)
        .order_by()
        .values_list("group_id", "starts_at")
    )
    result: dict[int, dict[int, int]] = defaultdict(lambda: dict.fromkeys(range(1, 5), 0))
    for group_id, starts_at in rows:
        result[group_id][(timezone.localtime(starts_at).month - 1) // 3 + 1] += 1
    return dict(result)


def leader_led_counts(*, group_ids: GroupIds, year: int) -> dict[int, Rate]:
    """group id -> Rate(sessions whose 领学人 was the group's leader (组长) that day, held or
    recorded sessions): the share of sessions led by the leader."""
    leader_then = active_memberships(on=OuterRef("start_day")).filter(
        group_id=OuterRef("group_id"),
        person_id=OuterRef("lead_reader_id"),
        role=Membership.Role.LEADER,
    )
    rows = (
        sessions_in_year(group_ids=group_ids, year=year)
        .annotate(start_day=TruncDate("starts_at"))
        .annotate(by_leader=Exists(leader_then))
        .order_by()
        .values("group_id")
        .annotate(total=Count("pk"), led=Count("pk", filter=Q(by_leader=True)))
    )
    return {r["group_id"]: Rate(r["led"], r["total"]) for r in rows}


def first_item_session_counts(*, group_ids: GroupIds, year: int) -> dict[int, int]:
    """group id -> held or recorded sessions with a 第一议题 on the agenda."""
    from zhongxinzu.meetings.models import AgendaItem

    has_first = AgendaItem.objects.filter(session=OuterRef("pk"), first_item__isnull=False)
    rows = (
        sessions_in_year(group_ids=group_ids, year=year)
        .filter(Exists(has_first))
        .order_by()
        .values("group_id")
        .annotate(n=Count("pk"))
    )
    return {r["group_id"]: r["n"] for r in rows}


# --- make-up study -----------------------------------------------------------------------


def makeup_overdue_q(on: dt.date | None = None, prefix: str = "") -> Q:
    """Make-ups still open or awaiting confirmation after their due date."""
    on = on or timezone.localdate()
    return Q(
        **{
            f"{prefix}status__in": [MakeUp.Status.OPEN, MakeUp.Status.SUBMITTED],
            f"{prefix}due_date__lt": on,
        }
    )


def makeups_overdue(*, group_ids: GroupIds | None = None, on: dt.date | None = None):
    """Overdue make-ups (of the groups, if given), oldest due first, with person and session."""
    qs = MakeUp.objects.filter(makeup_overdue_q(on))
    if group_ids is not None:
        qs = qs.filter(attendance__session__group_id__in=group_ids)
    return qs.select_related("attendance__person", "attendance__session__group").order_by(
        "due_date", "pk"
    )


def makeup_counts(*, group_ids: GroupIds, on: dt.date | None = None) -> dict[int, dict]:
    """group id -> {"open": n, "submitted": n, "confirmed": n, "overdue": n}."""
    rows = (
        MakeUp.objects.filter(attendance__session__group_id__in=group_ids)
        .order_by()
        .values("attendance__session__group_id")
        .annotate(
            open=Count("pk", filter=Q(status=MakeUp.Status.OPEN)),
            submitted=Count("pk", filter=Q(status=MakeUp.Status.SUBMITTED)),
            confirmed=Count("pk", filter=Q(status=MakeUp.Status.CONFIRMED)),
            overdue=Count("pk", filter=makeup_overdue_q(on)),
        )
    )
    return {r.pop("attendance__session__group_id"): r for r in rows}


# --- one session -------------------------------------------------------------------------


@dataclass
class RosterEntry:
    person: Person
    role_label: str
    is_attendee: bool
    # Filled in by pages that show them: the person's leave request and QR sign-in time.
    leave: Any = None
    signed_in_at: dt.datetime | None = None


def session_roster(group: StudyGroup, *, on: dt.date) -> list[RosterEntry]:
    """The group's roster on `on`, one entry per person (their highest role), in official
    order; people with only a secretary, liaison or 列席 role are attendees."""
    seen: dict[int, RosterEntry] = {}
    for m in roster(group, on=on):
        if m.person_id not in seen:
            seen[m.person_id] = RosterEntry(
                person=m.person,
                role_label=m.get_role_display(),
                is_attendee=m.role not in CORE_ROLES,
            )
    return list(seen.values())


def local_date(session: StudySession) -> dt.date:
    return timezone.localtime(session.starts_at).date()


@dataclass
class AttendanceSummary:
    """人员 of the five in place: 应到/实到/请假/缺席 with names and reasons."""

    taken: bool
    expected: int
    present: list[Attendance]
    late: list[Attendance]
    leave: list[Attendance]
    absent: list[Attendance]
    attendees: list[Attendance]  # 列席

    @property
    def attended(self) -> int:
        return len(self.present) + len(self.late)

    @property
    def rate(self) -> Rate:
        return Rate(self.attended, self.expected)


def attendance_summary(session: StudySession) -> AttendanceSummary:
    rows = list(
        session.attendance.select_related("person").order_by("person__rank_order", "person_id")
    )
    by_status: dict[str, list[Attendance]] = defaultdict(list)
    attendees = []
    for a in rows:
        if a.is_attendee:
            if a.status in ATTENDED:
                attendees.append(a)
            continue
        by_status[a.status].append(a)
    # 应到: the members on that day's roster, whether or not marked yet (a QR sign-in
    # before the roll-call marks only those who came).
    marked = {a.person_id for a in rows}
    unmarked = sum(
        1
        for e in session_roster(session.group, on=local_date(session))
        if not e.is_attendee and e.person.pk not in marked
    )
    expected = sum(1 for a in rows if not a.is_attendee) + unmarked
    return AttendanceSummary(
        taken=bool(rows),
        expected=expected,
        present=by_status[Attendance.Status.PRESENT],
        late=by_status[Attendance.Status.LATE],
        leave=by_status[Attendance.Status.LEAVE],
        absent=by_status[Attendance.Status.ABSENT],
        attendees=attendees,
    )


def first_item_pool(user, group: StudyGroup) -> QuerySet[FirstItem]:
    """第一议题 items the group may put on its agenda: those of its own unit or a unit above
    it, within what the user may see."""
    return (
        FirstItem.objects.filter(issuer_scope_q(user, "owner_unit"))
        .filter(owner_unit__path__in=ancestor_paths(group.unit))
        .order_by("-released_on", "-id")
    )


def session_warnings(session: StudySession, rulebook) -> list[str]:
    """Rule breaches to point out (not to block): too short, no 第一议题."""
    warnings = []
    minimum = rulebook["session_min_minutes"]
    if session.minutes_long < minimum:
        warnings.append(
            f"本次学习时长{session.minutes_long}分钟，少于规定的{minimum}分钟（{rulebook.source('session_min_minutes')}）"
        )
    if rulebook["first_item_every_session"] and not any(
        a.first_item_id for a in session.agenda.all()
    ):
        warnings.append("本次学习未设置“第一议题”，规则要求每次学习均应设置")
    return warnings


def on_roster(session: StudySession, person_id: int | None) -> bool:
    """Whether the person is on the group's roster on the session's date."""
    if not person_id:
        return False
    return (
        active_memberships(on=local_date(session))
        .filter(group_id=session.group_id, person_id=person_id)
        .exists()
    )
