"""Reads for the compliance pages, the reminders and the documents: the subtree overview,
the figures of a group's annual report and its yearly attendance register.

The overview (DESIGN.md §5 scale: 5,000 groups) evaluates live only the page it shows —
50 groups, a fixed number of GROUP BY queries (engine.evaluate). The totals for the whole
subtree and the status filters come from:
- a live evaluation of every group when the subtree has at most LIVE_LIMIT (100) groups (a
  city, the demo: about 170 ms), so small installations need no cron job;
- otherwise the GroupCompliance snapshot (one row per group and year, refreshed by
  `manage.py refresh_compliance`), which the page dates ("统计时间").
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from zhongxinzu.compliance.engine import (
    AT_RISK,
    CHECK_BY_KEY,
    CHECKS,
    CODE_STATUSES,
    DONE,
    MET,
    MISSED,
    GroupResult,
    Period,
    evaluate,
    evaluate_group,
)
from zhongxinzu.compliance.models import GroupCompliance, Notification
from zhongxinzu.meetings.models import AgendaItem, Attendance, StudySession
from zhongxinzu.org import access
from zhongxinzu.org.models import Membership, StudyGroup, Unit
from zhongxinzu.outputs.models import Conversion, Output

LIVE_LIMIT = 100
PER_PAGE = 50
FILTER_STATUSES = (MISSED, AT_RISK, MET)


def unread_count(user) -> int:
    """Unread reminders of `user` (one indexed COUNT)."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


# --- the subtree overview -------------------------------------------------------------------


@dataclass
class Overview:
    page: Page
    results: dict[int, GroupResult]
    total: int  # groups in the subtree (after the name filter)
    worst: Counter = field(default_factory=Counter)  # worst status -> groups
    by_check: dict[str, Counter] = field(default_factory=dict)  # check -> status -> groups
    live: bool = True
    computed_at: dt.datetime | None = None
    not_computed: int = 0  # groups without a snapshot (snapshot mode)

    @property
    def rows(self) -> list[GroupResult]:
        return [self.results[g.pk] for g in self.page]


def subtree_groups(root: Unit, q: str = "") -> QuerySet[StudyGroup]:
    qs = StudyGroup.objects.filter(access.subtree_q([root], "unit__"), is_active=True)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(unit__name__contains=q) | Q(unit__code__iexact=q))
    return qs.select_related("unit").order_by("unit__path")


def _matches(result: GroupResult, status: str, check: str) -> bool:
    if not status:
        return True
    if check:
        return result.checks[check].status == status
    return result.worst == status


def overview(
    *,
    root: Unit,
    period: Period,
    as_of: dt.date,
    q: str = "",
    status: str = "",
    check: str = "",
    page: int | str | None = 1,
    per_page: int = PER_PAGE,
) -> Overview:
    """One page of the subtree's groups with their live verdicts, plus subtree totals."""
    status = status if status in FILTER_STATUSES else ""
    check = check if check in CHECK_BY_KEY else ""
    groups = subtree_groups(root, q)
    total = groups.count()
    if total <= LIVE_LIMIT:
        results = evaluate(list(groups), period, as_of=as_of)
        everything = list(results.values())
        shown = [r.group for r in everything if _matches(r, status, check)]
        page_obj = Paginator(shown, per_page).get_page(page)
        ov = Overview(page=page_obj, results=results, total=total)
        for r in everything:
            ov.worst[r.worst] += 1
            for key, c in r.checks.items():
                ov.by_check.setdefault(key, Counter())[c.status] += 1
        return ov

    snaps = GroupCompliance.objects.filter(year=period.rule_year, group__in=groups.values("pk"))
    if status:
        chosen = snaps.filter(**{f"statuses__{check}": status} if check else {"worst": status})
        groups = groups.filter(pk__in=chosen.values("group_id"))
    page_obj = Paginator(groups, per_page).get_page(page)
    results = evaluate(list(page_obj), period, as_of=as_of)
    ov = Overview(page=page_obj, results=results, total=total, live=False)
    # Distinct (worst, codes) combinations with their counts: a few hundred rows, not one
    # per group.
    rows = list(
        snaps.order_by()
        .values_list("worst", "codes")
        .annotate(n=Count("pk"), at=Min("computed_at"))
    )
    for worst_status, codes, n, _ in rows:
        ov.worst[worst_status] += n
        # CHECKS only grow at the end: a snapshot taken before a check was added holds the
        # letters of the checks before it, and counts for those only until its next refresh.
        if len(codes) <= len(CHECKS):
            for check, code in zip(CHECKS, codes, strict=False):
                ov.by_check.setdefault(check.key, Counter())[CODE_STATUSES[code]] += n
    ov.not_computed = total - sum(n for *_, n, _ in rows)
    # 统计时间 is the oldest row's: every total is at least that fresh.
    ov.computed_at = min((at for *_, at in rows), default=None)
    return ov


# --- the annual report's figures -------------------------------------------------------------


@dataclass
class AnnualFigures:
    """Every figure of a group's annual report (学习情况汇报), from the records."""

    result: GroupResult
    sessions: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)  # label -> n
    discussions: int = 0
    topical: int = 0
    first_items_studied: int = 0  # distinct 第一议题 items studied in the year's sessions
    first_item_sessions: int = 0
    due: int = 0
    attended: int = 0
    members: int = 0
    members_meeting_rate: int = 0
    participation_avg: float | None = None
    leader_led: int = 0
    outputs: dict[str, int] = field(default_factory=dict)  # label -> n
    outputs_total: int = 0
    conversions: dict[str, int] = field(default_factory=dict)  # label -> n
    conversion_list: list[tuple[str, str, dt.date, str]] = field(default_factory=list)
    makeups: int = 0
    makeups_done: int = 0
    themes: list[str] = field(default_factory=list)  # titles of the topical sessions

    @property
    def attendance_rate(self) -> float | None:
        return round(self.attended * 100 / self.due, 1) if self.due else None

    @property
    def leader_share(self) -> float | None:
        return round(self.leader_led * 100 / self.sessions, 1) if self.sessions else None

    @property
    def conversions_total(self) -> int:
        return sum(self.conversions.values())


def annual_figures(group: StudyGroup, year: int, *, as_of: dt.date | None = None):
    """The figures of `group`'s `year` (the engine's evaluation plus four small queries)."""
    as_of = as_of or timezone.localdate()
    result = evaluate_group(group, Period.year(year), as_of=as_of)
    done = [s for s in result.data.sessions if s.done and s.starts.date() <= as_of]
    fig = AnnualFigures(result=result, sessions=len(done))
    kinds = Counter(s.kind for s in done)
    fig.by_kind = {
        label: kinds[value] for value, label in StudySession.Kind.choices if kinds[value]
    }
    fig.discussions = sum(1 for s in done if s.kind in StudySession.DISCUSSION_KINDS)
    fig.topical = sum(1 for s in done if s.kind in StudySession.TOPICAL_KINDS)
    fig.themes = [s.title for s in done if s.kind in StudySession.TOPICAL_KINDS]
    fig.first_item_sessions = sum(1 for s in done if s.has_first_item)
    fig.first_items_studied = (
        AgendaItem.objects.filter(session_id__in=[s.id for s in done], first_item__isnull=False)
        .values("first_item_id")
        .distinct()
        .count()
    )
    fig.due = sum(s.due for s in done)
    fig.attended = sum(s.attended for s in done)
    rated = [m for m in result.members if m.due]
    fig.members = len(result.members)
    target = result.book["participation_rate"]
    fig.members_meeting_rate = sum(1 for m in rated if m.attended * 100 >= target * m.due)
    if rated:
        fig.participation_avg = round(sum(m.rate for m in rated) / len(rated), 1)
    # 领学: sessions led by the person who was the group's 组长 on the session's day
    leaders = defaultdict(list)
    for pid, start, end in Membership.objects.filter(
        group=group, role=Membership.Role.LEADER
    ).values_list("person_id", "start_date", "end_date"):
        leaders[pid].append((start, end))
    fig.leader_led = sum(
        1
        for s in done
        if any(
            start <= s.starts.date() and (end is None or s.starts.date() <= end)
            for start, end in leaders.get(s.lead_reader_id, [])
        )
    )
    # A 学习成果 counts once handed in (not a draft, not returned), and a session's material
    # only once that session has been held.
    counted = Output.objects.filter(
        Q(session__isnull=True) | Q(session_id__in=[s.id for s in done]),
        group=group,
        year=year,
        status__in=[Output.Status.SUBMITTED, Output.Status.APPROVED],
    )
    by_kind = dict(counted.order_by().values_list("kind").annotate(n=Count("pk")))
    fig.outputs = {label: by_kind[v] for v, label in Output.Kind.choices if by_kind.get(v)}
    fig.outputs_total = sum(by_kind.values())
    conversions = Conversion.objects.filter(output__in=counted).order_by("issued_on", "pk")
    rows = list(conversions.values_list("kind", "title", "doc_number", "issued_on"))
    labels = dict(Conversion.Kind.choices)
    tally = Counter(kind for kind, *_ in rows)
    fig.conversions = {labels[k]: tally[k] for k, _ in Conversion.Kind.choices if tally[k]}
    fig.conversion_list = [(labels[k], title, on, number) for k, title, number, on in rows]
    fig.makeups = len(result.data.makeups)
    fig.makeups_done = sum(1 for mk in result.data.makeups if mk["status"] == "confirmed")
    return fig


# --- the attendance register ---------------------------------------------------------------

MARKS = {
    Attendance.Status.PRESENT: "出",
    Attendance.Status.LATE: "迟",
    Attendance.Status.LEAVE: "假",
    Attendance.Status.ABSENT: "缺",
}


@dataclass
class RegisterRow:
    person_id: int
    name: str
    role: str
    marks: list[str]
    counts: Counter

    @property
    def due(self) -> int:
        return sum(self.counts.values())

    present = property(lambda self: self.counts["出"])
    late = property(lambda self: self.counts["迟"])
    leave = property(lambda self: self.counts["假"])
    absent = property(lambda self: self.counts["缺"])

    @property
    def attended(self) -> int:
        return self.counts["出"] + self.counts["迟"]

    @property
    def rate(self) -> str:
        return f"{self.attended * 100 / self.due:.1f}%" if self.due else "—"


@dataclass
class RegisterSession:
    id: int
    date: dt.date
    title: str
    kind: str
    due: int = 0
    attended: int = 0

    @property
    def rate(self) -> str:
        return f"{self.attended * 100 / self.due:.1f}%" if self.due else "—"


@dataclass
class AttendanceRegister:
    group: StudyGroup
    year: int
    sessions: list[RegisterSession]
    rows: list[RegisterRow]

    @property
    def due(self) -> int:
        return sum(s.due for s in self.sessions)

    @property
    def attended(self) -> int:
        return sum(s.attended for s in self.sessions)

    @property
    def rate(self) -> str:
        return f"{self.attended * 100 / self.due:.1f}%" if self.due else "—"


def attendance_register(group: StudyGroup, year: int) -> AttendanceRegister:
    """Members × the year's held sessions with 出/迟/假/缺 (three queries). A blank mark means
    no roll was taken for that member at that session (not on the roster then)."""
    start, end = Period.year(year).bounds()
    sessions = [
        RegisterSession(pk, timezone.localtime(starts).date(), title, StudySession.Kind(kind).label)
        for pk, starts, title, kind in StudySession.objects.filter(
            group=group, status__in=DONE, starts_at__gte=start, starts_at__lt=end
        )
        .order_by("starts_at", "pk")
        .values_list("pk", "starts_at", "title", "kind")
    ]
    index = {s.id: i for i, s in enumerate(sessions)}
    people: dict[int, RegisterRow] = {}
    for pid, name, role in (
        Membership.objects.filter(
            group=group,
            role__in=(Membership.Role.LEADER, Membership.Role.DEPUTY, Membership.Role.MEMBER),
            start_date__lte=dt.date(year, 12, 31),
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=dt.date(year, 1, 1)))
        .order_by("role_rank", "person__rank_order", "person_id")
        .values_list("person_id", "person__name", "role")
    ):
        if pid not in people:
            label = Membership.Role(role).label
            people[pid] = RegisterRow(pid, name, label, [""] * len(sessions), Counter())
    for sid, pid, status in Attendance.objects.filter(
        session_id__in=list(index), is_attendee=False
    ).values_list("session_id", "person_id", "status"):
        row = people.get(pid)
        mark = MARKS[status]
        s = sessions[index[sid]]
        s.due += 1
        s.attended += mark in ("出", "迟")
        if row is not None:
            row.marks[index[sid]] = mark
            row.counts[mark] += 1
    return AttendanceRegister(group=group, year=year, sessions=sessions, rows=list(people.values()))


# --- the documents, for the pages and the API (the caller audits) -----------------------------


def report_narrative(group: StudyGroup, year: int, figures: AnnualFigures) -> dict[str, str]:
    """The narrative parts as the secretary saved them, else the drafted ones."""
    from zhongxinzu.compliance.models import AnnualReportText
    from zhongxinzu.documents.annual_report import NARRATIVE_FIELDS, draft_narrative

    saved = AnnualReportText.objects.filter(group=group, year=year).first()
    if saved is None:
        return draft_narrative(figures, group_name=group.name)
    return {f: getattr(saved, f) for f in NARRATIVE_FIELDS}


def annual_report_document(
    group: StudyGroup, year: int, *, signed_on: dt.date | None = None
) -> tuple[str, bytes]:
    """(file name, .docx bytes) of `group`'s annual report for `year`."""
    from zhongxinzu.documents.annual_report import annual_report_docx, report_title

    figures = annual_figures(group, year)
    parent = Unit.objects.get_parent(group.unit)
    data = annual_report_docx(
        figures=figures,
        narrative=report_narrative(group, year, figures),
        unit_name=group.unit.name,
        group_name=group.name,
        addressee=parent.name if parent else None,
        signed_on=signed_on or timezone.localdate(),
    )
    return f"{report_title(group.name, year)}.docx", data


def attendance_register_document(group: StudyGroup, year: int) -> tuple[str, bytes]:
    """(file name, .xlsx bytes) of `group`'s attendance register for `year`."""
    from zhongxinzu.documents.attendance_register import attendance_register_xlsx, register_title

    register = attendance_register(group, year)
    return f"{register_title(register)}.xlsx", attendance_register_xlsx(register)
