"""Subtree statistics: one row of figures per study group of a subtree for a period, with
subtotals by level and a grand total — the raw input of every bulletin.

Every figure is a numerator (and, for rates and means, a denominator) counted by the database
in one grouped query per family of figures, whatever the number of groups; subtotals and the
total add up the rows' numerators and denominators, so a total never contradicts its rows.
What each figure counts (the drill-down in `stats.records` lists exactly these records):

- sessions and their kinds: sessions held or recorded that started in the period;
  discussions: of them, the kinds the rules count as 研讨; leader_led: of them, those whose
  领学人 was the group's 组长 that day;
- attendance_rate / leave_rate: attendance rows of those sessions (列席 left out) — present or
  late / on leave, over all expected places;
- makeups_owed / makeups_done: make-ups owed for those sessions / of them, confirmed;
- members_below: members whose participation in the period is below the rule
  `participation_rate` in force for their group;
- first_items / first_item_lag: first items (第一议题) a group studied for the first time in
  the period / the mean days from release to that study;
- outputs and their kinds: outputs submitted in the period (drafts left out); conversions:
  conversions dated in the period;
- visits / visit_score: observation visits of published plans carried out in the period
  (past the stage 会前对接审核) / the mean total of their submitted score sheets;
- problems_*: problems found in the period by the state of their rectification — closed
  (已销号), open, and of the open ones those past their deadline on `as_of`;
- plan_on_time: 1 for a group whose plan of the period's year was filed by the rule's date;
- filings_*: the rows groups owe upward (报送: annual materials, 一学一报) whose deadline falls
  in the period — sent on time, sent late, not sent after the deadline (returned ones count
  as not sent).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from zhongxinzu.compliance.selectors import subtree_groups
from zhongxinzu.filings import selectors as filing_states
from zhongxinzu.filings.models import Submission
from zhongxinzu.meetings.models import AgendaItem, Attendance, MakeUp, StudySession
from zhongxinzu.org.access import active_memberships
from zhongxinzu.org.models import Membership, StudyGroup, Unit
from zhongxinzu.outputs.models import Conversion, Output
from zhongxinzu.plans.models import YearPlan
from zhongxinzu.plans.selectors import plan_due_date
from zhongxinzu.rules.services import rulebooks_for
from zhongxinzu.stats.periods import Span
from zhongxinzu.supervision.models import ObservationVisit, Problem, Rectification, VisitPlan

COUNT, RATE, MEAN = "count", "rate", "mean"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    column: str  # the header above a group of columns
    kind: str = COUNT  # COUNT: the numerator; RATE: percent; MEAN: numerator / denominator
    unit: str = "次"


FIGURES = [
    Figure("sessions", "学习次数", "集体学习"),
    *(Figure(f"kind_{value}", label, "学习形式") for value, label in StudySession.Kind.choices),
    Figure("discussions", "研讨次数", "集体学习"),
    Figure("leader_led", "组长领学占比", "集体学习", RATE, "%"),
    Figure("first_items", "第一议题学习数", "第一议题", unit="项"),
    Figure("first_item_lag", "平均学习时效", "第一议题", MEAN, "天"),
    Figure("attendance_rate", "出勤率", "出勤", RATE, "%"),
    Figure("leave_rate", "请假率", "出勤", RATE, "%"),
    Figure("makeups_owed", "应补学", "补学", unit="人次"),
    Figure("makeups_done", "已补学", "补学", unit="人次"),
    Figure("members_below", "参学率未达标", "出勤", unit="人"),
    Figure("outputs", "学习成果", "学习成果", unit="篇"),
    *(Figure(f"out_{value}", label, "成果类别", unit="篇") for value, label in Output.Kind.choices),
    Figure("conversions", "成果转化", "学习成果", unit="项"),
    Figure("visits", "列席旁听", "督导", unit="次"),
    Figure("visit_score", "旁听平均得分", "督导", MEAN, "分"),
    Figure("problems_open", "问题未整改", "问题整改", unit="个"),
    Figure("problems_closed", "问题已销号", "问题整改", unit="个"),
    Figure("problems_overdue", "整改逾期", "问题整改", unit="个"),
    Figure("plan_on_time", "计划按期报备", "学习计划", unit="个"),
    Figure("filings_on_time", "按时报送", "材料报送", unit="份"),
    Figure("filings_late", "逾期报送", "材料报送", unit="份"),
    Figure("filings_missing", "逾期未报", "材料报送", unit="份"),
]
FIGURE_BY_KEY = {f.key: f for f in FIGURES}


def keys_starting(prefix: str) -> list[str]:
    return [f.key for f in FIGURES if f.key.startswith(prefix)]


# The figures by theme: the page's column sets and the export's sheets (narrow enough to
# print legibly on one A4 page wide).
THEMES = [
    (
        "study",
        "学习概况",
        ["sessions", "discussions", "leader_led", "first_items", "first_item_lag"],
    ),
    (
        "attendance",
        "出勤补学",
        ["attendance_rate", "leave_rate", "members_below", "makeups_owed", "makeups_done"],
    ),
    ("kinds", "学习形式", ["sessions", *keys_starting("kind_")]),
    ("outputs", "学习成果", ["outputs", *keys_starting("out_"), "conversions"]),
    (
        "supervision",
        "督导整改",
        ["visits", "visit_score", "problems_open", "problems_closed", "problems_overdue"],
    ),
    ("filings", "材料报送", ["plan_on_time", *keys_starting("filings_")]),
]
# What the page shows first: the figures a bulletin's 总体情况 quotes.
MAIN = [
    "sessions",
    "discussions",
    "leader_led",
    "first_items",
    "first_item_lag",
    "attendance_rate",
    "leave_rate",
    "members_below",
    "makeups_owed",
    "makeups_done",
    "outputs",
    "conversions",
    "visits",
    "visit_score",
    "problems_open",
    "problems_overdue",
    "plan_on_time",
    "filings_late",
    "filings_missing",
]

DONE = [StudySession.Status.HELD, StudySession.Status.RECORDED]
ATTENDED = [Attendance.Status.PRESENT, Attendance.Status.LATE]
VISITED = [
    ObservationVisit.Stage.DURING,
    ObservationVisit.Stage.AFTER,
    ObservationVisit.Stage.FEEDBACK,
    ObservationVisit.Stage.CLOSED,
]
PUBLISHED = Q(plan__isnull=True) | Q(plan__status=VisitPlan.Status.PUBLISHED)


@dataclass(frozen=True)
class Cell:
    numerator: float = 0
    denominator: int = 0

    def __add__(self, other: Cell) -> Cell:
        return Cell(self.numerator + other.numerator, self.denominator + other.denominator)


def cell_value(figure: Figure, cell: Cell) -> int | float | None:
    if figure.kind == COUNT:
        return int(cell.numerator)
    if not cell.denominator:
        return None
    if figure.kind == RATE:
        return round(cell.numerator * 100 / cell.denominator, 1)
    return round(cell.numerator / cell.denominator, 1)


@dataclass
class Row:
    label: str
    depth: int  # 0 = the root's level
    group: StudyGroup | None = None
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def unit(self) -> Unit | None:
        return self.group.unit if self.group else None

    @property
    def level_label(self) -> str:
        return level_label(self.depth)

    def cell(self, key: str) -> Cell:
        return self.cells.get(key, Cell())

    def value(self, key: str) -> int | float | None:
        return cell_value(FIGURE_BY_KEY[key], self.cell(key))


def summed(label: str, depth: int, rows: list[Row]) -> Row:
    """A row whose every numerator and denominator is the sum of the rows'."""
    numerators: dict[str, float] = defaultdict(float)
    denominators: dict[str, int] = defaultdict(int)
    for row in rows:
        for key, c in row.cells.items():
            numerators[key] += c.numerator
            denominators[key] += c.denominator
    cells = {k: Cell(n, denominators[k]) for k, n in numerators.items()}
    return Row(label=label, depth=depth, cells=cells)


@dataclass
class Statistics:
    root: Unit
    span: Span
    as_of: dt.date
    rows: list[Row]
    levels: list[Row]
    total: Row

    @property
    def group_count(self) -> int:
        return len(self.rows)


def level_label(depth: int) -> str:
    if depth == 0:
        return "本级"
    if depth == 1:
        return "下一级单位"
    return f"下{'二三四五六七八九'[min(depth, 9) - 2]}级单位"


def subtree_statistics(
    root: Unit, span: Span, *, as_of: dt.date | None = None, only: Q | None = None
) -> Statistics:
    """The statistics of the root's subtree (or of its groups matching `only`)."""
    as_of = as_of or timezone.localdate()
    chosen = subtree_groups(root).filter(only or Q())
    groups = list(chosen)
    ids = chosen.values("pk")
    books = rulebooks_for([g.unit for g in groups], span.year)
    cells: dict[int, dict[str, Cell]] = defaultdict(dict)
    for family in FAMILIES:
        for group_id, values in family(ids, span, as_of, groups, books).items():
            cells[group_id].update(values)
    rows = [
        Row(label=g.unit.name, depth=g.unit.depth - root.depth, group=g, cells=cells[g.pk])
        for g in groups
    ]
    by_depth: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        by_depth[row.depth].append(row)
    levels = [summed(level_label(d), d, by_depth[d]) for d in sorted(by_depth)]
    return Statistics(
        root=root,
        span=span,
        as_of=as_of,
        rows=rows,
        levels=levels,
        total=summed("合计", -1, rows),
    )


# --- the families of figures: each one grouped query -> {group id: {key: Cell}} ------------


def done_sessions(ids, span: Span) -> QuerySet[StudySession]:
    start, end = span.bounds()
    return StudySession.objects.filter(
        group_id__in=ids, status__in=DONE, starts_at__gte=start, starts_at__lt=end
    )


def led_by_leader() -> Exists:
    """The session's 领学人 was a 组长 of its group on the day it started."""
    return Exists(
        active_memberships(on=OuterRef("start_day")).filter(
            group_id=OuterRef("group_id"),
            person_id=OuterRef("lead_reader_id"),
            role=Membership.Role.LEADER,
        )
    )


def _sessions(ids, span, as_of, groups, books):
    rows = (
        done_sessions(ids, span)
        .annotate(start_day=TruncDate("starts_at"), by_leader=led_by_leader())
        .order_by()
        .values("group_id", "kind")
        .annotate(n=Count("pk"), led=Count("pk", filter=Q(by_leader=True)))
    )
    out: dict[int, dict[str, Cell]] = defaultdict(dict)
    for r in rows:
        c = out[r["group_id"]]
        c[f"kind_{r['kind']}"] = Cell(r["n"])
        c["sessions"] = c.get("sessions", Cell()) + Cell(r["n"])
        c["leader_led"] = c.get("leader_led", Cell()) + Cell(r["led"], r["n"])
        if r["kind"] in StudySession.DISCUSSION_KINDS:
            c["discussions"] = c.get("discussions", Cell()) + Cell(r["n"])
    return out


def counted_attendance(ids, span: Span) -> QuerySet[Attendance]:
    start, end = span.bounds()
    return Attendance.objects.filter(
        is_attendee=False,
        session__group_id__in=ids,
        session__status__in=DONE,
        session__starts_at__gte=start,
        session__starts_at__lt=end,
    )


def participation_minimums(groups: list[StudyGroup], books: dict) -> dict[int, int]:
    """group id -> the rule participation_rate (percent) in force for the group (`books`
    from rulebooks_for the groups' units)."""
    return {g.pk: int(books[g.unit_id]["participation_rate"]) for g in groups}


def member_attendance(ids, span: Span) -> QuerySet:
    """One row per group and member: expected places, attended, on leave (one grouped
    query over the attendance of the period's sessions)."""
    return (
        counted_attendance(ids, span)
        .order_by()
        .values("session__group_id", "person_id")
        .annotate(
            expected=Count("pk"),
            attended=Count("pk", filter=Q(status__in=ATTENDED)),
            leave=Count("pk", filter=Q(status=Attendance.Status.LEAVE)),
        )
    )


def is_below(row: dict, minimum: dict[int, int]) -> bool:
    return row["attended"] * 100 < minimum[row["session__group_id"]] * row["expected"]


def members_below(ids, span: Span, groups: list[StudyGroup]) -> list[dict]:
    """The members below their group's participation rule: group id, person id, attended,
    expected."""
    books = rulebooks_for([g.unit for g in groups], span.year)
    minimum = participation_minimums(groups, books)
    return [r for r in member_attendance(ids, span) if is_below(r, minimum)]


def _attendance(ids, span, as_of, groups, books):
    """Attendance and leave rates and the members below the rule, from the per-member rows
    (the attendance of a year is read once, not once per figure)."""
    minimum = participation_minimums(groups, books)
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in member_attendance(ids, span):
        s = sums[r["session__group_id"]]
        s[0] += r["expected"]
        s[1] += r["attended"]
        s[2] += r["leave"]
        s[3] += is_below(r, minimum)
    return {
        group_id: {
            "attendance_rate": Cell(attended, expected),
            "leave_rate": Cell(leave, expected),
            "members_below": Cell(below),
        }
        for group_id, (expected, attended, leave, below) in sums.items()
    }


def makeups(ids, span: Span) -> QuerySet[MakeUp]:
    start, end = span.bounds()
    return MakeUp.objects.filter(
        attendance__is_attendee=False,
        attendance__session__group_id__in=ids,
        attendance__session__status__in=DONE,
        attendance__session__starts_at__gte=start,
        attendance__session__starts_at__lt=end,
    )


def _makeups(ids, span, as_of, groups, books):
    rows = (
        makeups(ids, span)
        .order_by()
        .values("attendance__session__group_id")
        .annotate(owed=Count("pk"), done=Count("pk", filter=Q(status=MakeUp.Status.CONFIRMED)))
    )
    return {
        r["attendance__session__group_id"]: {
            "makeups_owed": Cell(r["owed"]),
            "makeups_done": Cell(r["done"]),
        }
        for r in rows
    }


def first_studies(ids, span: Span) -> list[tuple[int, int, dt.date, dt.date]]:
    """(group id, item id, released on, first studied on) for the first items a group first
    studied (in a held or recorded session) within the period."""
    start, end = span.bounds()
    rows = (
        AgendaItem.objects.filter(
            first_item__isnull=False,
            session__group_id__in=ids,
            session__status__in=DONE,
            session__starts_at__lt=end,
        )
        .order_by()
        .values("session__group_id", "first_item_id")
        .annotate(first=Min("session__starts_at"))
        .filter(first__gte=start, first__lt=end)
        .values_list("session__group_id", "first_item_id", "first_item__released_on", "first")
    )
    return [(g, i, released, timezone.localtime(first).date()) for g, i, released, first in rows]


def _first_items(ids, span, as_of, groups, books):
    out: dict[int, dict[str, Cell]] = defaultdict(
        lambda: {"first_items": Cell(), "first_item_lag": Cell()}
    )
    for group_id, _item, released, studied in first_studies(ids, span):
        c = out[group_id]
        c["first_items"] += Cell(1)
        c["first_item_lag"] += Cell((studied - released).days, 1)
    return out


def submitted_outputs(ids, span: Span) -> QuerySet[Output]:
    start, end = span.bounds()
    return Output.objects.filter(
        group_id__in=ids, submitted_at__gte=start, submitted_at__lt=end
    ).exclude(status=Output.Status.DRAFT)


def conversions(ids, span: Span) -> QuerySet[Conversion]:
    return Conversion.objects.filter(
        output__group_id__in=ids, issued_on__gte=span.start, issued_on__lte=span.end
    )


def _outputs(ids, span, as_of, groups, books):
    out: dict[int, dict[str, Cell]] = defaultdict(dict)
    rows = (
        submitted_outputs(ids, span).order_by().values("group_id", "kind").annotate(n=Count("pk"))
    )
    for r in rows:
        c = out[r["group_id"]]
        c[f"out_{r['kind']}"] = Cell(r["n"])
        c["outputs"] = c.get("outputs", Cell()) + Cell(r["n"])
    rows = conversions(ids, span).order_by().values("output__group_id").annotate(n=Count("pk"))
    for r in rows:
        out[r["output__group_id"]]["conversions"] = Cell(r["n"])
    return out


def visits(ids, span: Span) -> QuerySet[ObservationVisit]:
    return ObservationVisit.objects.filter(
        PUBLISHED,
        group_id__in=ids,
        stage__in=VISITED,
        planned_on__gte=span.start,
        planned_on__lte=span.end,
    )


def _visits(ids, span, as_of, groups, books):
    out: dict[int, dict[str, Cell]] = defaultdict(dict)
    for r in visits(ids, span).order_by().values("group_id").annotate(n=Count("pk")):
        out[r["group_id"]]["visits"] = Cell(r["n"])
    scores = (
        visits(ids, span)
        .filter(sheets__submitted_at__isnull=False, sheets__total__isnull=False)
        .order_by()
        .values("group_id")
        .annotate(total=Sum("sheets__total"), n=Count("sheets"))
    )
    for r in scores:
        out[r["group_id"]]["visit_score"] = Cell(float(r["total"]), r["n"])
    return out


def problems(ids, span: Span) -> QuerySet[Problem]:
    return Problem.objects.filter(
        group_id__in=ids, found_on__gte=span.start, found_on__lte=span.end
    )


def problem_state_q(state: str, as_of: dt.date) -> Q:
    closed = Q(rectification__status=Rectification.Status.CLOSED)
    if state == "closed":
        return closed
    if state == "open":
        return ~closed
    return ~closed & Q(rectification__deadline__lt=as_of)


def _problems(ids, span, as_of, groups, books):
    rows = (
        problems(ids, span)
        .order_by()
        .values("group_id")
        .annotate(
            **{
                f"problems_{state}": Count("pk", filter=problem_state_q(state, as_of))
                for state in ("open", "closed", "overdue")
            }
        )
    )
    return {r.pop("group_id"): {k: Cell(v) for k, v in r.items()} for r in rows}


def plans_on_time(ids, span: Span, groups: list[StudyGroup], books=None) -> dict[int, YearPlan]:
    """group id -> its plan of the period's year, for the plans filed by the rule's date."""
    books = books or rulebooks_for([g.unit for g in groups], span.year)
    due = {g.pk: plan_due_date(books[g.unit_id], span.year) for g in groups}
    plans = YearPlan.objects.filter(group_id__in=ids, year=span.year, filed_at__isnull=False)
    return {
        p.group_id: p
        for p in plans.only("pk", "group_id", "filed_at", "title", "year")
        if timezone.localtime(p.filed_at).date() <= due[p.group_id]
    }


def _plans(ids, span, as_of, groups, books):
    return {g: {"plan_on_time": Cell(1)} for g in plans_on_time(ids, span, groups, books)}


FILING_STATES = {
    "filings_on_time": [filing_states.ON_TIME],
    "filings_late": [filing_states.LATE],
    "filings_missing": [filing_states.MISSING, filing_states.RETURNED],
}


def filing_q(key: str, as_of: dt.date) -> Q:
    states = filing_states.state_q(as_of)
    q = Q()
    for state in FILING_STATES[key]:
        q |= states[state]
    return q


def filings(ids, span: Span) -> QuerySet[Submission]:
    return Submission.objects.filter(
        group_id__in=ids, task__is_active=True, due_on__gte=span.start, due_on__lte=span.end
    )


def _filings(ids, span, as_of, groups, books):
    rows = (
        filings(ids, span)
        .order_by()
        .values("group_id")
        .annotate(**{key: Count("pk", filter=filing_q(key, as_of)) for key in FILING_STATES})
    )
    return {r.pop("group_id"): {k: Cell(v) for k, v in r.items()} for r in rows}


FAMILIES = [
    _sessions,
    _attendance,
    _makeups,
    _first_items,
    _outputs,
    _visits,
    _problems,
    _plans,
    _filings,
]
