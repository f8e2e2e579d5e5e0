"""The compliance engine: every rule of rules/defaults.json evaluated for a set of groups (and
their members) over a period, as met / at risk / missed, with the records that prove it.

    period = Period.year(2026)                      # or Period(start, end), Period.quarter(…)
    results = evaluate(groups, period)              # {group id: GroupResult}
    result = results[group.pk]
    result.checks["sessions"].status                # "met" | "at_risk" | "missed" | "na"
    result.members[0].checks["participation"]
    proof = proving_records(result, "sessions")     # the records behind one check

Statuses: *met* — the target is reached, or the period is still running and the group is on
pace (`Check.final` tells the two apart); *at_risk* — the period is not over and the pace is
behind, or a deadline falls within the warning window (WARN_DAYS); *missed* — the period or
a deadline is past and the target was not reached, or a record broke the rule (a session too
short, a make-up or a record overdue, a draft not reviewed before the session); *na* — the
rule does not apply (switched off by a local rule, or nothing to judge yet).

Cost: `evaluate` loads everything with a fixed number of queries (about seventeen, GROUP BY
where it can) whatever the number of groups, so the overview evaluates a page of 50 groups
at the same cost as one; nothing here queries inside a loop. Annual targets are pro-rated
(rounded) for a period shorter than a year. Attendance rows of people who only sit in (列席)
count in no rate, like meetings.selectors.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q
from django.utils import timezone

from zhongxinzu.meetings.models import AgendaItem, Attendance, MakeUp, StudySession
from zhongxinzu.org.models import Membership, StudyGroup
from zhongxinzu.org.selectors import ancestor_paths, missing_requirements
from zhongxinzu.outputs.models import Output
from zhongxinzu.plans.models import FirstItem, Prompt, PromptAck, YearPlan
from zhongxinzu.rules.services import RuleBook, month_day, rulebooks_for

MET, AT_RISK, MISSED, NA = "met", "at_risk", "missed", "na"
STATUS_LABELS = {MET: "达标", AT_RISK: "有风险", MISSED: "未达标", NA: "不适用"}
STATUS_COLOURS = {MET: "green", AT_RISK: "amber", MISSED: "red", NA: ""}
SEVERITY = {NA: 0, MET: 1, AT_RISK: 2, MISSED: 3}
STATUS_CODES = {MET: "g", AT_RISK: "a", MISSED: "r", NA: "n"}  # one letter per status
CODE_STATUSES = {v: k for k, v in STATUS_CODES.items()}

DONE = (StudySession.Status.HELD, StudySession.Status.RECORDED)
ATTENDED = (Attendance.Status.PRESENT, Attendance.Status.LATE)
MEMBER_ROLES = (Membership.Role.LEADER, Membership.Role.DEPUTY, Membership.Role.MEMBER)
COUNTED_OUTPUT = ~Q(status=Output.Status.DRAFT)

# Days before a deadline (or the end of the period) from which an unmet rule shows amber.
WARN_DAYS = {
    "count": 30,  # yearly and quarterly counts: the last month
    "plan": 30,
    "makeup": 7,
    "speech": 3,
    "prompt": 3,
    "first_item": 7,
    "record": 2,
    "visit_materials": 7,  # a week, about five working days
    "filing": 7,  # upward filing (filings.checks)
}


@dataclass(frozen=True)
class CheckDef:
    key: str
    label: str
    short: str  # column header of the overview grid
    rule: str | None  # the rule key in rules/defaults.json
    member: bool = False  # also evaluated per member


CHECKS = [
    CheckDef("sessions", "集体学习次数", "次数", "sessions_per_year"),
    CheckDef("discussions", "每季度集中研讨", "研讨", "discussions_per_quarter"),
    CheckDef("topical", "专题学习研讨次数", "专题", "topical_per_year"),
    CheckDef("session_length", "每次学习时长", "时长", "session_min_minutes"),
    CheckDef("first_item", "每次学习设置第一议题", "第一议题", "first_item_every_session"),
    CheckDef("session_record", "学习后按期记录", "记录", "session_record_days"),
    CheckDef("attendance_session", "每次学习出勤率", "单次出勤", "attendance_rate"),
    CheckDef("attendance_year", "全年出勤率", "全年出勤", "attendance_rate"),
    CheckDef("participation", "成员参学率", "参学率", "participation_rate", member=True),
    CheckDef("outputs", "成员文章或调研报告", "成果", "outputs_per_member", member=True),
    CheckDef("makeups", "按期补学", "补学", "makeup_days", member=True),
    CheckDef("speech_review", "发言材料会前审阅", "发言审阅", "speech_review_before_session"),
    CheckDef("plan", "学习计划按期报备", "计划", "plan_due"),
    CheckDef("prompt_ack", "学习提示按期签收", "提示签收", "prompt_ack_days"),
    CheckDef("first_item_lag", "第一议题及时学习", "议题时效", "first_item_lag_days"),
    CheckDef("roster", "名册必备职务", "名册", None),
    CheckDef(
        "visit_materials", "旁听材料按时报送", "旁听材料", "observation_materials_working_days"
    ),
    CheckDef("archive", "学习档案三簿齐全", "档案", None),
    CheckDef("filings", "材料按期报送上级", "报送", None),
]
CHECK_BY_KEY = {c.key: c for c in CHECKS}
MEMBER_CHECKS = [c for c in CHECKS if c.member]


# --- period --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A closed range of dates. Rules are read for the year it starts in."""

    start: dt.date
    end: dt.date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = 3 * (quarter - 1) + 1
        last = first + 2
        return cls(dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1]))

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("a period ends after it starts")

    @property
    def rule_year(self) -> int:
        return self.start.year

    @property
    def is_year(self) -> bool:
        return (self.start.month, self.start.day, self.end.month, self.end.day) == (
            1,
            1,
            12,
            31,
        ) and self.start.year == self.end.year

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        if self.is_year:
            return f"{self.start.year}年度"
        return f"{self.start:%Y-%m-%d}至{self.end:%Y-%m-%d}"

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end + 1 day) as aware datetimes in the site's time zone."""
        tz = timezone.get_default_timezone()
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
        )

    def over(self, as_of: dt.date) -> bool:
        return as_of > self.end

    def fraction(self, as_of: dt.date) -> float:
        """How much of the period has gone by on `as_of` (0 to 1)."""
        if as_of >= self.end:
            return 1.0
        if as_of < self.start:
            return 0.0
        return ((as_of - self.start).days + 1) / self.days

    def scale(self, annual: int | float) -> int:
        """An annual target for this period: itself for a whole year, else pro-rated."""
        if self.is_year:
            return int(annual)
        days_in_year = 366 if calendar.isleap(self.rule_year) else 365
        return int(math.floor(annual * self.days / days_in_year + 0.5))

    def quarters(self) -> list[tuple[str, Period]]:
        """The calendar quarters overlapping the period, clipped to it."""
        out = []
        for year in range(self.start.year, self.end.year + 1):
            for q in range(1, 5):
                whole = Period.quarter(year, q)
                if whole.end < self.start or whole.start > self.end:
                    continue
                clipped = Period(max(whole.start, self.start), min(whole.end, self.end))
                name = f"{'一二三四'[q - 1]}季度"
                out.append(
                    (name if self.start.year == self.end.year else f"{year}年{name}", clipped)
                )
        return out


# --- results -------------------------------------------------------------------------------


@dataclass
class Check:
    """One rule's verdict for one group or member."""

    key: str
    status: str
    value: Any = None
    target: Any = None
    value_text: str = ""
    target_text: str = ""
    detail: str = ""
    final: bool = True  # False: met only in the sense of "on pace so far"
    source: str = ""  # where the rule value comes from (RuleBook.source)

    @property
    def label(self) -> str:
        return CHECK_BY_KEY[self.key].label

    @property
    def short(self) -> str:
        return CHECK_BY_KEY[self.key].short

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self.status]

    @property
    def status_label(self) -> str:
        if self.status == MET and not self.final:
            return "进度正常"
        return STATUS_LABELS[self.status]


@dataclass
class MemberResult:
    person_id: int
    name: str
    role: str
    role_label: str
    due: int = 0  # sessions the member was expected at
    attended: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    written: int = 0  # articles and research reports handed in
    checks: dict[str, Check] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        return round(self.attended * 100 / self.due, 1) if self.due else None

    @property
    def worst(self) -> str:
        return worst(c.status for c in self.checks.values())


@dataclass
class SessionRow:
    id: int
    title: str
    kind: str
    status: str
    starts: dt.datetime  # local time
    ends: dt.datetime
    recorded_at: dt.datetime | None
    has_first_item: bool
    lead_reader_id: int | None = None
    due: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    excused: int = 0  # approved leave whose make-up is confirmed (leave_made_up_excused)

    @property
    def done(self) -> bool:
        return self.status in DONE

    @property
    def minutes(self) -> int:
        return int((self.ends - self.starts).total_seconds() // 60)

    @property
    def attended(self) -> int:
        return sum(self.by_status.get(s, 0) for s in ATTENDED)

    @property
    def kind_label(self) -> str:
        return StudySession.Kind(self.kind).label

    @property
    def status_label(self) -> str:
        return StudySession.Status(self.status).label


@dataclass
class GroupData:
    """The records loaded for one group (shared by the checks and the drill-downs)."""

    sessions: list[SessionRow] = field(default_factory=list)
    makeups: list[dict] = field(default_factory=list)
    speeches: list[dict] = field(default_factory=list)
    plan: dict | None = None
    prompts: list[dict] = field(default_factory=list)
    first_items: list[dict] = field(default_factory=list)
    missing_posts: list[str] = field(default_factory=list)
    visits: list[dict] = field(default_factory=list)  # observation visits hosted (visit_checks)
    archive: Any = None  # the three registers' counts (archive_checks.RegisterCounts)
    filings: list[dict] = field(default_factory=list)  # rows owed upward (filings.checks)


@dataclass
class GroupResult:
    group: StudyGroup
    period: Period
    as_of: dt.date
    book: RuleBook
    checks: dict[str, Check] = field(default_factory=dict)
    members: list[MemberResult] = field(default_factory=list)
    data: GroupData = field(default_factory=GroupData)

    @property
    def worst(self) -> str:
        return worst(c.status for c in self.checks.values())

    def count(self, status: str) -> int:
        return sum(1 for c in self.checks.values() if c.status == status)

    @property
    def missed(self) -> int:
        return self.count(MISSED)

    @property
    def codes(self) -> str:
        """The verdicts as one letter per CHECKS entry (GroupCompliance.codes)."""
        return "".join(STATUS_CODES[self.checks[c.key].status] for c in CHECKS)

    @property
    def at_risk(self) -> int:
        return self.count(AT_RISK)


def worst(statuses: Iterable[str]) -> str:
    return max(statuses, key=SEVERITY.__getitem__, default=NA)


# --- the public entry points ----------------------------------------------------------------


def evaluate(
    groups: Iterable[StudyGroup],
    period: Period,
    *,
    as_of: dt.date | None = None,
    books: dict[int, RuleBook] | None = None,
) -> dict[int, GroupResult]:
    """Every rule for every group (and member) over `period`, as seen on `as_of` (today by
    default). `groups` should come with `unit` loaded (select_related); `books` (unit id ->
    the rule book of `period.rule_year`) saves loading them again where the caller has them."""
    groups = list(groups)
    as_of = as_of or timezone.localdate()
    if not groups:
        return {}
    if books is None:
        books = rulebooks_for([g.unit for g in groups], period.rule_year)
    data, members = _load(groups, period, as_of, books)
    results = {}
    for g in groups:
        result = GroupResult(
            group=g, period=period, as_of=as_of, book=books[g.unit_id], data=data[g.pk]
        )
        result.members = members[g.pk]
        _judge(result)
        results[g.pk] = result
    return results


def evaluate_group(group: StudyGroup, period: Period, *, as_of: dt.date | None = None):
    return evaluate([group], period, as_of=as_of)[group.pk]


# --- loading: a fixed number of queries for any number of groups ---------------------------


def _load(groups: list[StudyGroup], period: Period, as_of: dt.date, books: dict):
    ids = [g.pk for g in groups]
    tz = timezone.get_default_timezone()
    start_dt, end_dt = period.bounds()
    in_period = {"starts_at__gte": start_dt, "starts_at__lt": end_dt}
    data = {g: GroupData() for g in ids}

    # 1. sessions, with whether a 第一议题 is on the agenda
    has_first = AgendaItem.objects.filter(session=OuterRef("pk"), first_item__isnull=False)
    rows = (
        StudySession.objects.filter(group_id__in=ids, **in_period)
        .annotate(has_first=Exists(has_first))
        .order_by("starts_at", "pk")
        .values_list(
            "pk",
            "group_id",
            "title",
            "kind",
            "status",
            "starts_at",
            "ends_at",
            "recorded_at",
            "has_first",
            "lead_reader_id",
        )
    )
    by_id: dict[int, SessionRow] = {}
    for pk, gid, title, kind, status, starts, ends, recorded, first, lead in rows:
        s = SessionRow(
            pk,
            title,
            kind,
            status,
            starts.astimezone(tz),
            ends.astimezone(tz),
            recorded.astimezone(tz) if recorded else None,
            first,
            lead,
        )
        by_id[pk] = s
        data[gid].sessions.append(s)

    # 2. attendance per session and status (members only, not 列席)
    counted = Attendance.objects.filter(
        is_attendee=False,
        session__group_id__in=ids,
        session__status__in=DONE,
        session__starts_at__gte=start_dt,
        session__starts_at__lt=end_dt,
    ).order_by()
    for sid, status, n in counted.values_list("session_id", "status").annotate(n=Count("pk")):
        s = by_id.get(sid)
        if s is not None:
            s.by_status[status] = n
            s.due += n

    # 3. attendance per member and status
    per_person: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for gid, pid, status, n in counted.values_list(
        "session__group_id", "person_id", "status"
    ).annotate(n=Count("pk")):
        per_person[(gid, pid)][status] = n

    # 4. the members (leader, deputies, members) on the roster at some time in the period
    members: dict[int, dict[int, MemberResult]] = {g: {} for g in ids}
    roster_rows = (
        Membership.objects.filter(
            group_id__in=ids, role__in=MEMBER_ROLES, start_date__lte=period.end
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.start))
        .order_by("role_rank", "person__rank_order", "person_id")
        .values_list("group_id", "person_id", "person__name", "role")
    )
    for gid, pid, name, role in roster_rows:
        if pid not in members[gid]:
            label = Membership.Role(role).label
            members[gid][pid] = MemberResult(pid, name, role, label)
    for (gid, pid), statuses in per_person.items():
        m = members[gid].get(pid)
        if m is not None:
            m.by_status = statuses
            m.due = sum(statuses.values())
            m.attended = sum(statuses.get(s, 0) for s in ATTENDED)

    # 5. written outputs per member
    outputs = Output.objects.filter(
        COUNTED_OUTPUT, group_id__in=ids, kind__in=Output.WRITTEN_KINDS
    ).order_by()
    if period.is_year:
        outputs = outputs.filter(year=period.rule_year)
    else:
        outputs = outputs.filter(submitted_at__gte=start_dt, submitted_at__lt=end_dt)
    for gid, pid, n in outputs.values_list("group_id", "author_id").annotate(n=Count("pk")):
        m = members[gid].get(pid)
        if m is not None:
            m.written = n

    # 6. make-ups owed for absences and leave in the period
    for row in (
        MakeUp.objects.filter(
            attendance__session__group_id__in=ids,
            attendance__session__starts_at__gte=start_dt,
            attendance__session__starts_at__lt=end_dt,
        )
        .order_by("due_date", "pk")
        .values(
            "pk",
            "due_date",
            "status",
            "submitted_at",
            "attendance__person_id",
            "attendance__person__name",
            "attendance__session_id",
            "attendance__session__group_id",
            "attendance__session__title",
            "attendance__session__starts_at",
            "attendance__status",
            "attendance__is_attendee",
        )
    ):
        data[row["attendance__session__group_id"]].makeups.append(row)
        if (
            row["status"] == MakeUp.Status.CONFIRMED
            and row["attendance__status"] == Attendance.Status.LEAVE
            and not row["attendance__is_attendee"]
        ):
            s = by_id.get(row["attendance__session_id"])
            if s is not None:
                s.excused += 1

    # 7. speech drafts for the period's sessions (the group filter lets the planner use the
    # group index even where statistics say most outputs have no session)
    for row in (
        Output.objects.filter(
            kind=Output.Kind.SPEECH_DRAFT, group_id__in=ids, session_id__in=list(by_id)
        )
        .exclude(status=Output.Status.DRAFT)
        .order_by("session__starts_at", "pk")
        .values(
            "pk",
            "title",
            "status",
            "reviewed_at",
            "author__name",
            "session_id",
            "session__title",
            "session__starts_at",
            "session__group_id",
        )
    ):
        data[row["session__group_id"]].speeches.append(row)

    # 8. the year plan
    for row in YearPlan.objects.filter(group_id__in=ids, year=period.rule_year).values(
        "pk", "group_id", "title", "status", "filed_at"
    ):
        data[row["group_id"]].plan = row

    # 9–10. prompts issued to the groups (by their unit or one above) and their acks
    paths = {p for g in groups for p in ancestor_paths(g.unit)}
    prompts = list(
        Prompt.objects.filter(
            status=Prompt.Status.ISSUED,
            issuer_unit__path__in=paths,
            issued_at__gte=start_dt,
            issued_at__lt=end_dt,
        )
        .order_by("issued_at", "pk")
        .values("pk", "title", "issued_at", "issuer_unit__path", "issuer_unit__name")
    )
    acks = {}
    if prompts:
        acks = {
            (g, p): at
            for p, g, at in PromptAck.objects.filter(
                prompt_id__in=[p["pk"] for p in prompts], group_id__in=ids
            ).values_list("prompt_id", "group_id", "acknowledged_at")
        }

    # 11–12. 第一议题 items released in the period to the groups, and when each studied them
    items = list(
        FirstItem.objects.filter(
            owner_unit__path__in=paths,
            released_on__gte=period.start,
            released_on__lte=period.end,
        )
        .order_by("released_on", "pk")
        .values("pk", "title", "released_on", "owner_unit__path")
    )
    studied: dict[tuple[int, int], dt.date] = {}
    if items:
        # Driven by the groups' sessions from the start of the period to a while after its
        # end (an item released in December is studied in January), not by the items: a
        # province-wide item is on the agenda of thousands of groups.
        lag = max(int(b["first_item_lag_days"]) for b in books.values())
        sessions = StudySession.objects.filter(
            group_id__in=ids,
            status__in=DONE,
            starts_at__gte=start_dt,
            starts_at__lt=end_dt + dt.timedelta(days=lag + 90),
        ).values("pk")
        wanted = {i["pk"] for i in items}
        for g, i, first in (
            AgendaItem.objects.filter(session__in=sessions, first_item__isnull=False)
            .order_by()
            .values_list("session__group_id", "first_item_id")
            .annotate(first=Min("session__starts_at"))
        ):
            if i in wanted:
                studied[(g, i)] = first.astimezone(tz).date()
    for g in groups:
        d = data[g.pk]
        for p in prompts:
            if g.unit.path.startswith(p["issuer_unit__path"]):
                d.prompts.append({**p, "acknowledged_at": acks.get((g.pk, p["pk"]))})
        for i in items:
            if g.unit.path.startswith(i["owner_unit__path"]):
                d.first_items.append({**i, "studied_on": studied.get((g.pk, i["pk"]))})

    # 13. roster requirements, on the last day of the period (or today)
    missing = missing_requirements(groups, on=min(as_of, period.end))
    for g in groups:
        data[g.pk].missing_posts = missing.get(g.pk, [])

    # 14. observation visits hosted in the period
    from zhongxinzu.compliance.visit_checks import load_visits

    load_visits(data, ids, period)

    # 15. the archive's three registers (三簿), up to `as_of`
    from zhongxinzu.compliance.archive_checks import load_archive

    load_archive(data, ids, period, as_of)

    # 16. what the groups owe upward under their supervisors' filing tasks
    from zhongxinzu.filings.checks import load_filings

    load_filings(data, ids, period)

    return data, {g: list(ms.values()) for g, ms in members.items()}


# --- judging ------------------------------------------------------------------------------


def _count_status(value: int, target: int, period: Period, as_of: dt.date) -> tuple[str, bool]:
    """(status, final) of a count against a target over `period`."""
    if value >= target:
        return MET, True
    if period.over(as_of):
        return MISSED, True
    expected = math.floor(target * period.fraction(as_of))
    if value < expected or (period.end - as_of).days < WARN_DAYS["count"]:
        return AT_RISK, False
    return MET, False


def _rate_status(attended: int, due: int, target: int, period: Period, as_of: dt.date):
    if not due:
        return NA, False
    if attended * 100 >= target * due:
        return MET, period.over(as_of)
    return (MISSED, True) if period.over(as_of) else (AT_RISK, False)


def pct(attended: int, due: int) -> str:
    return f"{attended * 100 / due:.1f}%" if due else "—"


def _judge(r: GroupResult) -> None:
    from zhongxinzu.compliance.visit_checks import judge_visit_materials

    book = r.book

    def add(key: str, status: str, **kwargs) -> None:
        rule = CHECK_BY_KEY[key].rule
        source = book.sources.get(rule, "") if rule else "名册规则"
        r.checks[key] = Check(key=key, status=status, source=source, **kwargs)

    done = [s for s in r.data.sessions if s.done and s.starts.date() <= r.as_of]
    _judge_counts(r, add, done)
    _judge_discussions(r, add, done)
    _judge_sessions(r, add, done)
    _judge_attendance(r, add, done)
    _judge_members(r, add)
    _judge_speeches(r, add, done)
    _judge_plan(r, add, done)
    _judge_deadlines(r, add, done)
    _judge_roster(r, add, done)
    judge_visit_materials(r, add)
    from zhongxinzu.compliance.archive_checks import judge_archive

    judge_archive(r)
    from zhongxinzu.filings.checks import judge_filings

    judge_filings(r)
    # keep the display order of CHECKS
    r.checks = {c.key: r.checks[c.key] for c in CHECKS if c.key in r.checks}


def _judge_counts(r: GroupResult, add, done: list[SessionRow]) -> None:
    """Sessions and topical sessions against (pro-rated) annual targets."""
    book, period, as_of = r.book, r.period, r.as_of
    for key, rule, kinds in (
        ("sessions", "sessions_per_year", None),
        ("topical", "topical_per_year", StudySession.TOPICAL_KINDS),
    ):
        n = sum(1 for s in done if kinds is None or s.kind in kinds)
        target = period.scale(book[rule])
        status, final = _count_status(n, target, period, as_of)
        expected = math.floor(target * period.fraction(as_of))
        detail = f"已举行{n}次，要求不少于{target}次"
        if not period.over(as_of) and n < target:
            detail += f"；按进度此时应不少于{expected}次"
        if status == MISSED:
            detail += f"，缺{target - n}次"
        add(
            key,
            status,
            value=n,
            target=target,
            value_text=f"{n}次",
            target_text=f"≥{target}次",
            detail=detail,
            final=final,
        )


def _judge_discussions(r: GroupResult, add, done: list[SessionRow]) -> None:
    """At least N discussions (研讨) in every quarter."""
    book, period, as_of = r.book, r.period, r.as_of
    per_quarter = book["discussions_per_quarter"]
    parts, statuses, met_quarters, judged = [], [], 0, 0
    for name, q in period.quarters():
        if q.start > as_of:
            continue
        judged += 1
        n = sum(
            1
            for s in done
            if s.kind in StudySession.DISCUSSION_KINDS and q.start <= s.starts.date() <= q.end
        )
        parts.append(f"{name}{n}次")
        status, _ = _count_status(n, per_quarter, q, as_of)
        met_quarters += n >= per_quarter
        statuses.append(status)
    status = worst(statuses) if statuses else NA
    add(
        "discussions",
        status,
        value=met_quarters,
        target=judged,
        value_text=f"{met_quarters}/{judged}个季度达标" if judged else "—",
        target_text=f"每季度≥{per_quarter}次",
        detail="；".join(parts) or "尚未开始",
        final=period.over(as_of),
    )


def _judge_sessions(r: GroupResult, add, done: list[SessionRow]) -> None:
    """Every session long enough, with a 第一议题, recorded in time."""
    book, period, as_of, d = r.book, r.period, r.as_of, r.data
    minimum = book["session_min_minutes"]
    short = [s for s in done if s.minutes < minimum]
    if not done:
        add(
            "session_length",
            NA,
            target=minimum,
            target_text=f"≥{minimum}分钟",
            detail="尚无已举行的学习",
        )
    else:
        add(
            "session_length",
            MISSED if short else MET,
            value=len(short),
            target=0,
            value_text=f"{len(short)}次不足" if short else "全部达到",
            target_text=f"每次≥{minimum}分钟",
            detail=f"{len(done)}次学习中{len(short)}次不足{minimum}分钟",
            final=period.over(as_of) or bool(short),
        )

    # 第一议题 on every session
    if not book["first_item_every_session"]:
        add("first_item", NA, detail="本地规则未要求")
    elif not done:
        add("first_item", NA, detail="尚无已举行的学习")
    else:
        lacking = [s for s in done if not s.has_first_item]
        add(
            "first_item",
            MISSED if lacking else MET,
            value=len(lacking),
            target=0,
            value_text=f"{len(lacking)}次未设置" if lacking else "每次均设置",
            target_text="每次设置",
            final=period.over(as_of) or bool(lacking),
            detail=f"{len(done)}次学习中{len(lacking)}次未设置第一议题",
        )

    # sessions recorded within N days after they took place
    days = book["session_record_days"]
    late, overdue, pending = 0, 0, 0
    past = [s for s in d.sessions if s.ends.date() <= as_of]
    for s in past:
        deadline = s.ends.date() + dt.timedelta(days=days)
        if s.status == StudySession.Status.RECORDED:
            if s.recorded_at and s.recorded_at.date() > deadline:
                late += 1
        elif as_of > deadline:
            overdue += 1
        elif (deadline - as_of).days < WARN_DAYS["record"]:
            pending += 1
    if not past:
        add("session_record", NA, target=days, target_text=f"{days}天内", detail="尚无需记录的学习")
    else:
        status = MISSED if late or overdue else AT_RISK if pending else MET
        add(
            "session_record",
            status,
            value=late + overdue,
            target=0,
            value_text=f"{overdue}次逾期未记录，{late}次逾期记录" if late or overdue else "均按期",
            target_text=f"学习后{days}天内",
            final=status != AT_RISK,
            detail=f"{len(past)}次学习中：逾期未记录{overdue}次，逾期记录{late}次，即将到期{pending}次",
        )


def _judge_attendance(r: GroupResult, add, done: list[SessionRow]) -> None:
    """Attendance per session and over the period."""
    book, period, as_of = r.book, r.period, r.as_of
    rate = book["attendance_rate"]
    taken = [s for s in done if s.due]
    # per session, approved leave made up is excused (a rule); the yearly rate counts it
    excuse = bool(book["leave_made_up_excused"])
    under = [s for s in taken if s.attended * 100 < rate * (s.due - (s.excused if excuse else 0))]
    if not taken:
        add("attendance_session", NA, target=rate, target_text=f"≥{rate}%", detail="尚无考勤记录")
    else:
        add(
            "attendance_session",
            MISSED if under else MET,
            value=len(under),
            target=0,
            value_text=f"{len(under)}次低于{rate}%" if under else "均达到",
            target_text=f"每次≥{rate}%",
            final=period.over(as_of) or bool(under),
            detail=f"{len(taken)}次学习中{len(under)}次出勤率低于{rate}%",
        )
    attended, due = sum(s.attended for s in taken), sum(s.due for s in taken)
    status, final = _rate_status(attended, due, rate, period, as_of)
    add(
        "attendance_year",
        status,
        value=round(attended * 100 / due, 1) if due else None,
        target=rate,
        value_text=pct(attended, due),
        target_text=f"≥{rate}%",
        final=final,
        detail=f"应到{due}人次，实到{attended}人次",
    )


def _judge_speeches(r: GroupResult, add, done: list[SessionRow]) -> None:
    """Speech drafts reviewed by the leader before the session."""
    book, as_of, d = r.book, r.as_of, r.data
    if not book["speech_review_before_session"]:
        add("speech_review", NA, detail="本地规则未要求")
    elif not d.speeches:
        add("speech_review", NA, detail="本期无发言材料")
    else:
        now = _moment(as_of)
        bad, pending = 0, 0
        for sp in d.speeches:
            sp["state"] = _speech_state(sp, now, as_of)
            bad += sp["state"] == "missed"
            pending += sp["state"] == "pending"
        status = MISSED if bad else AT_RISK if pending else MET
        add(
            "speech_review",
            status,
            value=bad,
            target=0,
            value_text=f"{bad}份未在会前审阅" if bad else "均已会前审阅",
            target_text="会前审阅",
            final=status != AT_RISK,
            detail=f"{len(d.speeches)}份发言材料中{bad}份未在会前审阅，{pending}份待审阅",
        )


def _judge_plan(r: GroupResult, add, done: list[SessionRow]) -> None:
    """The year plan filed upward by the deadline."""
    book, period, as_of, d = r.book, r.period, r.as_of, r.data
    due_day = month_day(book["plan_due"], period.rule_year)
    filed = d.plan and d.plan["filed_at"]
    filed_on = _local_day(filed) if filed else None
    established = r.group.established_on
    if established and established > due_day:
        add(
            "plan",
            NA,
            target=due_day,
            value=filed_on,
            value_text=f"{established:%Y-%m-%d}成立，截止日在成立前",
            target_text=f"{due_day.month}月{due_day.day}日前",
            detail=f"{period.rule_year}年度学习计划：中心组成立于截止日之后，不适用",
        )
        return
    if filed_on and filed_on <= due_day:
        status, text, final = MET, f"{filed_on:%Y-%m-%d}报备", True
    elif filed_on:
        status, text, final = MISSED, f"逾期{(filed_on - due_day).days}天报备", True
    elif as_of > due_day:
        status, text, final = MISSED, "逾期未报备", True
    elif (due_day - as_of).days < WARN_DAYS["plan"]:
        status, text, final = AT_RISK, f"未报备，距截止{(due_day - as_of).days}天", False
    else:
        status, text, final = MET, "未到报备期限", False
    add(
        "plan",
        status,
        value=filed_on,
        target=due_day,
        value_text=text,
        target_text=f"{due_day.month}月{due_day.day}日前",
        final=final,
        detail=f"{period.rule_year}年度学习计划：{text}",
    )
    if d.plan:
        d.plan["due"], d.plan["filed_on"] = due_day, filed_on


def _judge_deadlines(r: GroupResult, add, done: list[SessionRow]) -> None:
    """Prompts acknowledged and 第一议题 studied within N days."""
    book, as_of, d = r.book, r.as_of, r.data
    established = r.group.established_on
    ack_days = book["prompt_ack_days"]
    states = []
    for p in d.prompts:
        p["deadline"] = _local_day(p["issued_at"]) + dt.timedelta(days=ack_days)
        if established and p["deadline"] < established:
            p["state"] = "na"  # the deadline passed before the group existed
            continue
        p["state"] = _deadline_state(p["acknowledged_at"], p["deadline"], as_of, "prompt")
        states.append(p["state"])
    _add_deadline_check(add, "prompt_ack", states, f"下发后{ack_days}天内", "份学习提示")

    # 第一议题 studied within N days of release
    lag = book["first_item_lag_days"]
    states = []
    for i in d.first_items:
        i["deadline"] = i["released_on"] + dt.timedelta(days=lag)
        studied_on = i["studied_on"]
        i["lag"] = (studied_on - i["released_on"]).days if studied_on else None
        if established and i["deadline"] < established:
            i["state"] = "na"  # the deadline passed before the group existed
            continue
        i["state"] = _deadline_state(studied_on, i["deadline"], as_of, "first_item")
        states.append(i["state"])
    _add_deadline_check(add, "first_item_lag", states, f"发布后{lag}天内", "项第一议题")


def _judge_roster(r: GroupResult, add, done: list[SessionRow]) -> None:
    """Every required post held by someone on the roster."""
    d = r.data
    posts = d.missing_posts
    add(
        "roster",
        MISSED if posts else MET,
        value=len(posts),
        target=0,
        value_text=f"缺少{'、'.join(posts)}" if posts else "齐全",
        target_text="必备职务齐全",
        detail="名册缺少：" + "、".join(posts) if posts else "名册必备职务齐全",
    )


def _speech_state(sp: dict, now: dt.datetime, as_of: dt.date) -> str:
    starts = sp["session__starts_at"]
    reviewed = sp["reviewed_at"]
    if sp["status"] == Output.Status.APPROVED and reviewed and reviewed <= starts:
        return "ok"
    if starts <= now:
        return "missed"
    if (_local_day(starts) - as_of).days < WARN_DAYS["speech"]:
        return "pending"
    return "open"


def _moment(as_of: dt.date) -> dt.datetime:
    """ "Now" as seen on `as_of`: the present moment today, else the end of that day."""
    if as_of == timezone.localdate():
        return timezone.now()
    tz = timezone.get_default_timezone()
    return dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def _local_day(value: dt.datetime) -> dt.date:
    # The site's zone (settings.TIME_ZONE; get_default_timezone is cached, unlike the
    # per-request current zone, which matters for thousands of values).
    return value.astimezone(timezone.get_default_timezone()).date()


def _deadline_state(done_at, deadline: dt.date, as_of: dt.date, warn: str) -> str:
    """ "ok", "late" (done after the deadline), "overdue", "pending" (deadline near) or
    "open" (not done, deadline far)."""
    if done_at is not None:
        if isinstance(done_at, dt.datetime):
            done_at = _local_day(done_at)
        return "late" if done_at > deadline else "ok"
    if as_of > deadline:
        return "overdue"
    return "pending" if (deadline - as_of).days < WARN_DAYS[warn] else "open"


STATE_LABELS = {
    "ok": "按期",
    "late": "逾期完成",
    "overdue": "逾期未完成",
    "pending": "即将到期",
    "open": "未到期",
    "missed": "未在会前审阅",
    "na": "成立前已截止，不适用",
}
STATE_STATUS = {"ok": MET, "late": MISSED, "overdue": MISSED, "pending": AT_RISK, "open": MET}


def _add_deadline_check(add, key: str, states: list[str], target_text: str, noun: str) -> None:
    if not states:
        add(key, NA, target_text=target_text, detail=f"本期无{noun.lstrip('份项次')}")
        return
    late = states.count("late") + states.count("overdue")
    status = worst(STATE_STATUS[s] for s in states)
    add(
        key,
        status,
        value=late,
        target=0,
        value_text=f"{late}{noun[0]}逾期" if late else "均按期",
        target_text=target_text,
        final=status != AT_RISK and "open" not in states,
        detail=f"{len(states)}{noun}：按期{states.count('ok')}，逾期完成{states.count('late')}，"
        f"逾期未完成{states.count('overdue')}，即将到期{states.count('pending')}",
    )


def _judge_members(r: GroupResult, add) -> None:
    book, period, as_of = r.book, r.period, r.as_of
    rate, per_member = book["participation_rate"], period.scale(book["outputs_per_member"])
    makeups_by_person: dict[int, list[dict]] = defaultdict(list)
    for mk in r.data.makeups:
        mk["state"] = _deadline_state(mk["submitted_at"], mk["due_date"], as_of, "makeup")
        makeups_by_person[mk["attendance__person_id"]].append(mk)
    for m in r.members:
        status, final = _rate_status(m.attended, m.due, rate, period, as_of)
        m.checks["participation"] = Check(
            "participation",
            status,
            value=m.rate,
            target=rate,
            value_text=pct(m.attended, m.due),
            target_text=f"≥{rate}%",
            final=final,
            detail=f"应参加{m.due}次，参加{m.attended}次",
        )
        status, final = _count_status(m.written, per_member, period, as_of)
        m.checks["outputs"] = Check(
            "outputs",
            status,
            value=m.written,
            target=per_member,
            value_text=f"{m.written}篇",
            target_text=f"≥{per_member}篇",
            final=final,
        )
        owed = makeups_by_person.get(m.person_id, [])
        states = [mk["state"] for mk in owed]
        late = states.count("late") + states.count("overdue")
        status = worst(STATE_STATUS[s] for s in states) if states else MET
        m.checks["makeups"] = Check(
            "makeups",
            status,
            value=late,
            target=0,
            value_text=f"{late}次逾期" if late else ("均按期" if owed else "无需补学"),
            target_text="按期补学",
            final=status != AT_RISK,
        )

    def group_check(key: str, noun: str, target_text: str, extra: str = "") -> None:
        statuses = [m.checks[key].status for m in r.members if m.checks[key].status != NA]
        if not statuses:
            add(key, NA, target_text=target_text, detail="尚无可计算的成员")
            return
        failing = [m for m in r.members if m.checks[key].status in (MISSED, AT_RISK)]
        status = worst(statuses)
        add(
            key,
            status,
            value=len(failing),
            target=0,
            value_text=f"{len(failing)}人{noun}" if failing else "全部达到",
            target_text=target_text,
            final=all(m.checks[key].final for m in r.members),
            detail=f"{len(statuses)}名成员中{len(failing)}人{noun}{extra}",
        )

    group_check("participation", "低于要求", f"每人≥{rate}%")
    group_check("outputs", "未达到", f"每人≥{per_member}篇")
    owed = r.data.makeups
    late = sum(1 for mk in owed if mk["state"] in ("late", "overdue"))
    overdue = sum(1 for mk in owed if mk["state"] == "overdue")
    if not owed:
        add(
            "makeups",
            MET,
            value=0,
            target=0,
            value_text="无需补学",
            target_text="按期补学",
            final=period.over(as_of),
            detail="本期无缺席或请假",
        )
    else:
        status = worst(STATE_STATUS[mk["state"]] for mk in owed)
        add(
            "makeups",
            status,
            value=late,
            target=0,
            value_text=f"{late}次逾期" if late else "均按期",
            target_text=f"{book['makeup_days']}天内",
            final=status != AT_RISK,
            detail=f"应补学{len(owed)}次：逾期未补{overdue}次，逾期补学{late - overdue}次",
        )


# --- for the API ----------------------------------------------------------------------------


def _plain(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def check_as_dict(c: Check) -> dict:
    return {
        "key": c.key,
        "label": c.label,
        "status": c.status,
        "status_label": c.status_label,
        "final": c.final,
        "value": _plain(c.value),
        "target": _plain(c.target),
        "value_text": c.value_text,
        "target_text": c.target_text,
        "detail": c.detail,
        "source": c.source,
    }


def as_dict(r: GroupResult, *, members: bool = True) -> dict:
    """A group's verdicts in JSON-ready form (for the API)."""
    out = {
        "group_id": r.group.pk,
        "group": r.group.name,
        "period": {"start": r.period.start.isoformat(), "end": r.period.end.isoformat()},
        "as_of": r.as_of.isoformat(),
        "worst": r.worst,
        "missed": r.missed,
        "at_risk": r.at_risk,
        "checks": [check_as_dict(c) for c in r.checks.values()],
    }
    if members:
        out["members"] = [
            {
                "person_id": m.person_id,
                "name": m.name,
                "role": m.role,
                "due": m.due,
                "attended": m.attended,
                "rate": m.rate,
                "written": m.written,
                "checks": [check_as_dict(c) for c in m.checks.values()],
            }
            for m in r.members
        ]
    return out


# --- proving records ------------------------------------------------------------------------


def proving_records(r: GroupResult, key: str):
    """The records behind one check of `r` (see compliance/proofs.py): no new query."""
    from zhongxinzu.compliance.proofs import proof_for

    return proof_for(r, key)
