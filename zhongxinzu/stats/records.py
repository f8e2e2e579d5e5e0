"""The records behind one cell of the statistics: for a figure and a set of groups, exactly
the records the figure counts (a count's records number the count; a rate's are its
denominator, with the column that decides the numerator)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.meetings.models import Attendance, MakeUp, StudySession
from zhongxinzu.org.models import Person, StudyGroup
from zhongxinzu.outputs.models import Output
from zhongxinzu.plans.models import FirstItem
from zhongxinzu.stats import selectors as s
from zhongxinzu.stats.periods import Span

Line = tuple[list[str], str | None]  # the cells of one record and its page


@dataclass(frozen=True)
class Drill:
    headers: list[str]
    records: Callable  # (ids, span, as_of, groups) -> queryset or list
    line: Callable  # record -> Line
    note: str = ""


def _day(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


SESSION_HEADERS = ["中心组", "日期", "学习形式", "学习主题", "组长领学"]


def _session_line(x: StudySession) -> Line:
    led = "是" if x.by_leader else "否"
    cells = [x.group.name, _day(x.starts_at), x.get_kind_display(), x.title, led]
    return cells, reverse("meetings:session_detail", args=[x.pk])


def _sessions(kinds: list[str] | None = None):
    def records(ids, span, as_of, groups):
        qs = s.done_sessions(ids, span)
        if kinds is not None:
            qs = qs.filter(kind__in=kinds)
        return (
            qs.annotate(start_day=TruncDate("starts_at"), by_leader=s.led_by_leader())
            .select_related("group")
            .order_by("starts_at", "pk")
        )

    return records


def _attendance(ids, span, as_of, groups):
    return (
        s.counted_attendance(ids, span)
        .select_related("person", "session__group")
        .order_by("session__starts_at", "session_id", "person__rank_order", "pk")
    )


def _attendance_line(x: Attendance) -> Line:
    cells = [
        x.session.group.name,
        _day(x.session.starts_at),
        x.session.title,
        x.person.name,
        x.get_status_display(),
    ]
    return cells, reverse("meetings:session_detail", args=[x.session_id])


def _makeups(done: bool):
    def records(ids, span, as_of, groups):
        qs = s.makeups(ids, span)
        if done:
            qs = qs.filter(status=MakeUp.Status.CONFIRMED)
        return qs.select_related("attendance__person", "attendance__session__group").order_by(
            "due_date", "pk"
        )

    return records


def _makeup_line(x) -> Line:
    a = x.attendance
    cells = [a.session.group.name, a.session.title, a.person.name, _day(x.due_date)]
    return cells + [x.get_status_display()], reverse("meetings:makeup_detail", args=[x.pk])


@dataclass
class Below:
    group: StudyGroup
    person: Person
    attended: int
    expected: int


def _members_below(ids, span, as_of, groups):
    rows = s.members_below(ids, span, groups)
    people = Person.objects.in_bulk({r["person_id"] for r in rows})
    by_id = {g.pk: g for g in groups}
    return [
        Below(by_id[r["session__group_id"]], people[r["person_id"]], r["attended"], r["expected"])
        for r in rows
    ]


def _below_line(x: Below) -> Line:
    rate = f"{x.attended * 100 / x.expected:.1f}%"
    cells = [x.group.name, x.person.name, f"{x.attended}/{x.expected}", rate]
    return cells, reverse("compliance:group_detail", args=[x.group.pk])


@dataclass
class Studied:
    group: StudyGroup
    item: FirstItem
    studied_on: dt.date

    @property
    def lag(self) -> int:
        return (self.studied_on - self.item.released_on).days


def _first_items(ids, span, as_of, groups):
    rows = s.first_studies(ids, span)
    items = FirstItem.objects.in_bulk({i for _, i, _, _ in rows})
    by_id = {g.pk: g for g in groups}
    out = [Studied(by_id[g], items[i], studied) for g, i, _, studied in rows]
    return sorted(out, key=lambda x: (x.studied_on, x.group.unit.path, x.item.pk))


def _studied_line(x: Studied) -> Line:
    cells = [x.group.name, x.item.title, _day(x.item.released_on), _day(x.studied_on)]
    return cells + [f"{x.lag}天"], reverse("plans:first_item_detail", args=[x.item.pk])


def _outputs(kind: str | None = None):
    def records(ids, span, as_of, groups):
        qs = s.submitted_outputs(ids, span)
        if kind:
            qs = qs.filter(kind=kind)
        return qs.select_related("group", "author").order_by("submitted_at", "pk")

    return records


def _output_line(x) -> Line:
    cells = [x.group.name, x.get_kind_display(), x.title, x.author.name, _day(x.submitted_at)]
    return cells, reverse("outputs:output_detail", args=[x.pk])


def _conversions(ids, span, as_of, groups):
    return s.conversions(ids, span).select_related("output__group").order_by("issued_on", "pk")


def _conversion_line(x) -> Line:
    cells = [x.output.group.name, x.get_kind_display(), x.title, _day(x.issued_on)]
    return cells, reverse("outputs:output_detail", args=[x.output_id])


def _visits(scored: bool):
    def records(ids, span, as_of, groups):
        qs = s.visits(ids, span)
        if scored:
            qs = qs.filter(sheets__submitted_at__isnull=False, sheets__total__isnull=False)
            return qs.values(
                "pk", "group__name", "planned_on", "sheets__observer__name", "sheets__total"
            ).order_by("planned_on", "pk", "sheets__pk")
        return qs.select_related("group").order_by("planned_on", "pk")

    return records


def _visit_line(x) -> Line:
    cells = [x.group.name, _day(x.planned_on), x.get_stage_display()]
    return cells, reverse("supervision:visit_detail", args=[x.pk])


def _sheet_line(x: dict) -> Line:
    cells = [x["group__name"], _day(x["planned_on"]), x["sheets__observer__name"]]
    return cells + [f"{x['sheets__total']}"], reverse("supervision:visit_detail", args=[x["pk"]])


def _problems(state: str):
    def records(ids, span, as_of, groups):
        qs = s.problems(ids, span).filter(s.problem_state_q(state, as_of))
        return qs.select_related("group", "rectification").order_by("found_on", "pk")

    return records


def _problem_line(x) -> Line:
    r = getattr(x, "rectification", None)
    cells = [x.group.name, _day(x.found_on), x.category, x.description[:60]]
    cells += [r.get_status_display() if r else "", _day(r.deadline) if r else ""]
    return cells, reverse("supervision:problem_detail", args=[x.pk])


def _plans(ids, span, as_of, groups):
    plans = s.plans_on_time(ids, span, groups)
    return [(g, plans[g.pk]) for g in groups if g.pk in plans]


def _plan_line(x) -> Line:
    group, plan = x
    return [group.name, plan.title, _day(plan.filed_at)], reverse(
        "plans:plan_detail", args=[plan.pk]
    )


def _filings(key: str):
    def records(ids, span, as_of, groups):
        qs = s.filings(ids, span).filter(s.filing_q(key, as_of))
        return qs.select_related("group", "task", "session").order_by("due_on", "pk")

    return records


def _filing_line(x) -> Line:
    what = x.session.title if x.session_id else x.task.title
    cells = [x.group.name, what, _day(x.due_on), _day(x.submitted_on), x.get_status_display()]
    return cells, reverse("filings:submission_detail", args=[x.pk])


ATTENDANCE_HEADERS = ["中心组", "日期", "学习主题", "姓名", "出勤"]
MAKEUP_HEADERS = ["中心组", "学习主题", "姓名", "补学期限", "状态"]
OUTPUT_HEADERS = ["中心组", "类别", "题目", "作者", "提交日期"]
PROBLEM_HEADERS = ["中心组", "发现日期", "类别", "问题描述", "整改状态", "整改时限"]

DRILLS: dict[str, Drill] = {
    "sessions": Drill(SESSION_HEADERS, _sessions(), _session_line),
    **{
        f"kind_{kind}": Drill(SESSION_HEADERS, _sessions([kind]), _session_line)
        for kind in StudySession.Kind.values
    },
    "discussions": Drill(
        SESSION_HEADERS, _sessions(sorted(StudySession.DISCUSSION_KINDS)), _session_line
    ),
    "leader_led": Drill(
        SESSION_HEADERS, _sessions(), _session_line, "占比 = “组长领学”为“是”的次数 ÷ 学习次数"
    ),
    "first_items": Drill(
        ["中心组", "第一议题", "发布日期", "首次学习", "时效"], _first_items, _studied_line
    ),
    "attendance_rate": Drill(
        ATTENDANCE_HEADERS, _attendance, _attendance_line, "出勤率 = 出席和迟到 ÷ 应到人次"
    ),
    "leave_rate": Drill(
        ATTENDANCE_HEADERS, _attendance, _attendance_line, "请假率 = 请假 ÷ 应到人次"
    ),
    "makeups_owed": Drill(MAKEUP_HEADERS, _makeups(False), _makeup_line),
    "makeups_done": Drill(MAKEUP_HEADERS, _makeups(True), _makeup_line),
    "members_below": Drill(
        ["中心组", "姓名", "参加/应参加", "参学率"], _members_below, _below_line
    ),
    "outputs": Drill(OUTPUT_HEADERS, _outputs(), _output_line),
    **{
        f"out_{kind}": Drill(OUTPUT_HEADERS, _outputs(kind), _output_line)
        for kind in Output.Kind.values
    },
    "conversions": Drill(["中心组", "转化类型", "名称", "日期"], _conversions, _conversion_line),
    "visits": Drill(["中心组", "旁听日期", "阶段"], _visits(False), _visit_line),
    "visit_score": Drill(
        ["中心组", "旁听日期", "评分人", "总分"],
        _visits(True),
        _sheet_line,
        "平均得分 = 各评分表总分的平均",
    ),
    **{
        f"problems_{state}": Drill(PROBLEM_HEADERS, _problems(state), _problem_line)
        for state in ("open", "closed", "overdue")
    },
    **{
        key: Drill(
            ["中心组", "报送事项", "截止日期", "报送日期", "状态"], _filings(key), _filing_line
        )
        for key in s.FILING_STATES
    },
    "plan_on_time": Drill(["中心组", "学习计划", "报备日期"], _plans, _plan_line),
}
DRILLS["first_item_lag"] = Drill(
    DRILLS["first_items"].headers,
    _first_items,
    _studied_line,
    "平均学习时效 = 各项“时效”的平均",
)


def figure_records(key: str, groups: list[StudyGroup], span: Span, *, as_of: dt.date):
    """The records behind figure `key` for `groups` (a list of StudyGroup)."""
    drill = DRILLS[key]
    ids = [g.pk for g in groups]
    return drill, drill.records(ids, span, as_of, groups)
