"""The figures of the 驾驶舱: one year of a supervisor's subtree or of one group, as chart
data (categories, series, a drill-down link per point).

Every figure is an aggregate query (COUNT ... GROUP BY a month truncated in Asia/Shanghai,
or GROUP BY a kind, a status, a grade); the number of queries does not depend on the
number of groups. Two charts fold a bounded list in Python after the aggregate:
- 第一议题 lag: one row per (group, item) pair with its first study date (MIN, as
  plans.selectors.first_item_status), put into four lag bands;
- 规则落实: for subtrees of at most compliance.selectors.LIVE_LIMIT groups the verdicts are
  the compliance engine's live ones (a fixed number of GROUP BY queries), exactly as the
  overview it drills down to shows them; larger subtrees count GroupCompliance snapshots
  with GROUP BY branch, worst.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, DateField, DateTimeField, Min, Q, QuerySet
from django.db.models.functions import Substr, Trunc
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.assessment.models import AssessmentScheme
from zhongxinzu.assessment.selectors import results_visible
from zhongxinzu.compliance.engine import AT_RISK, MET, MISSED, Period, evaluate
from zhongxinzu.compliance.models import GroupCompliance
from zhongxinzu.compliance.selectors import LIVE_LIMIT
from zhongxinzu.meetings.models import AgendaItem, Attendance, StudySession
from zhongxinzu.meetings.selectors import year_bounds
from zhongxinzu.org import access
from zhongxinzu.org.models import StudyGroup, Unit
from zhongxinzu.outputs.models import Output
from zhongxinzu.rules.services import rulebooks_for
from zhongxinzu.supervision.models import Problem, Rectification

DONE = (StudySession.Status.HELD, StudySession.Status.RECORDED)
MONTHS = [f"{m}月" for m in range(1, 13)]
# 第一议题: days from release to the first study, in bands (the rule's default is 30 days).
LAG_BANDS = [(0, 7, "7天以内"), (8, 15, "8—15天"), (16, 30, "16—30天"), (31, None, "30天以上")]
STATUS_SERIES = [
    (MISSED, "未达标", "#c0392b"),
    (AT_RISK, "有风险", "#e6a23c"),
    (MET, "达标", "#3a8d4f"),
]


def site_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def month_of(field: str, *, date: bool = False):
    """The first day of the field's month, in the site's time zone (Asia/Shanghai)."""
    if date:
        return Trunc(field, "month", output_field=DateField())
    return Trunc(field, "month", output_field=DateTimeField(), tzinfo=site_tz())


def _month_index(value) -> int:
    return value.month - 1


@dataclass
class Scope:
    """What one dashboard covers: the active groups of a unit's subtree, or one group."""

    year: int
    groups: QuerySet[StudyGroup]
    root: Unit | None = None
    group: StudyGroup | None = None
    staff: bool = True  # may see outputs and problems (supervisors, the group's staff)

    @property
    def title(self) -> str:
        return self.group.name if self.group else self.root.name

    def filters(self) -> dict:
        """The list pages' filter for this scope: the group, or the unit's subtree."""
        return {"group": self.group.pk} if self.group else {"under": self.root.pk}


def unit_scope(root: Unit, year: int) -> Scope:
    groups = StudyGroup.objects.filter(access.subtree_q([root], "unit__"), is_active=True)
    return Scope(year=year, groups=groups, root=root)


def group_scope(group: StudyGroup, year: int, *, staff: bool) -> Scope:
    return Scope(year=year, groups=StudyGroup.objects.filter(pk=group.pk), group=group, staff=staff)


def _link(name: str, args=(), **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name, args=args) + (f"?{query}" if query else "")


def _elapsed_months(year: int, today: dt.date) -> int:
    """Months of `year` that have begun by `today` (12 for a past year)."""
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month


def _future(values: list, year: int, today: dt.date) -> list:
    """Months not begun yet show no value (a trend line stops at the current month)."""
    begun = _elapsed_months(year, today)
    return [v if i < begun else None for i, v in enumerate(values)]


# --- the charts ---------------------------------------------------------------------------


def sessions_chart(scope: Scope, today: dt.date) -> dict:
    start, end = year_bounds(scope.year)
    rows = (
        StudySession.objects.filter(
            group__in=scope.groups, status__in=DONE, starts_at__gte=start, starts_at__lt=end
        )
        .annotate(month=month_of("starts_at"))
        .order_by()
        .values_list("month")
        .annotate(n=Count("pk"))
    )
    monthly = [0] * 12
    for month, n in rows:
        monthly[_month_index(timezone.localtime(month, site_tz()))] += n
    groups = list(scope.groups.select_related("unit"))
    books = rulebooks_for(list({g.unit_id: g.unit for g in groups}.values()), scope.year)
    target = sum(books[g.unit_id]["sessions_per_year"] for g in groups)
    cumulative, total = [], 0
    for n in monthly:
        total += n
        cumulative.append(total)
    pace = [round(target * (m + 1) / 12, 1) for m in range(12)]
    links = [
        _link(
            "meetings:session_list",
            year=scope.year,
            month=f"{scope.year}-{m + 1:02d}",
            status="done",
            **scope.filters(),
        )
        for m in range(12)
    ]
    done = cumulative[-1]
    return {
        "id": "sessions",
        "axis": "月份",
        "title": "每月集体学习次数与全年进度",
        "unit": "次",
        "categories": MONTHS,
        "series": [
            {"name": "当月学习", "type": "bar", "data": monthly, "links": links},
            {
                "name": "累计学习",
                "type": "line",
                "data": _future(cumulative, scope.year, today),
                "links": links,
            },
            {"name": "按规则应达到（累计）", "type": "line", "dashed": True, "data": pace},
        ],
        "target": target,
        "summary": (
            f"{scope.year}年共开展集体学习{done}次；按每年学习次数的规则，"
            f"{len(groups)}个中心组全年应不少于{target}次。"
        ),
    }


def branches(root: Unit) -> list[Unit]:
    return list(
        Unit.objects.filter(access.subtree_q([root]), depth=root.depth + 1).order_by("path")
    )


def compliance_chart(scope: Scope, today: dt.date, *, live_limit: int = LIVE_LIMIT) -> dict:
    """Red / amber / green share of the groups under each unit directly below the root
    (and the root's own groups as 本级), as the compliance overview counts them."""
    root = scope.root
    cut = len(root.path) + Unit.steplen
    units = branches(root)
    counts: dict[str, Counter] = {}
    groups = scope.groups.select_related("unit")
    live = groups.count() <= live_limit
    computed_at = None
    if live:
        results = evaluate(list(groups), Period.year(scope.year), as_of=today)
        for r in results.values():
            key = r.group.unit.path[:cut] if len(r.group.unit.path) > len(root.path) else ""
            counts.setdefault(key, Counter())[r.worst] += 1
    else:
        rows = (
            GroupCompliance.objects.filter(year=scope.year, group__in=scope.groups)
            .annotate(branch=Substr("group__unit__path", 1, cut))
            .order_by()
            .values_list("branch", "worst")
            .annotate(n=Count("pk"), at=Min("computed_at"))
        )
        for branch, worst, n, at in rows:
            key = branch if len(branch) == cut else ""
            counts.setdefault(key, Counter())[worst] += n
            computed_at = at if computed_at is None else min(computed_at, at)
    rows = [("", f"{root.name}（本级）", root)] if "" in counts else []
    rows += [(u.path, u.name, u) for u in units if u.path in counts]
    series = []
    for status, label, colour in STATUS_SERIES:
        data, text, links = [], [], []
        for key, _, unit in rows:
            c = counts[key]
            n, whole = c[status], c[MET] + c[AT_RISK] + c[MISSED]
            share = round(100 * n / whole, 1) if whole else 0
            data.append(share)
            text.append(f"{n}个（{share:g}%）")
            params = {"unit": unit.pk, "year": scope.year, "status": status}
            if not key:
                params["q"] = root.code  # the root's own groups only
            links.append(_link("compliance:overview", **params))
        series.append(
            {
                "name": label,
                "type": "bar",
                "stack": "share",
                "colour": colour,
                "data": data,
                "text": text,
                "links": links,
            }
        )
    totals = Counter()
    for c in counts.values():
        totals.update(c)
    return {
        "id": "compliance",
        "axis": "单位",
        "title": "各单位规则落实：未达标、有风险、达标占比",
        "unit": "%",
        "horizontal": True,
        "categories": [name for _, name, _ in rows],
        "series": series,
        "live": live,
        "computed_at": computed_at,
        "summary": (
            f"{sum(totals[s] for s in (MET, AT_RISK, MISSED))}个中心组中，"
            f"未达标{totals[MISSED]}个，"
            f"有风险{totals[AT_RISK]}个，达标{totals[MET]}个"
            + ("。" if live else "（按最近一次统计快照）。")
        ),
    }


def lag_band(days: int) -> int:
    for i, (low, high, _) in enumerate(LAG_BANDS):
        if days >= low and (high is None or days <= high):
            return i
    return 0  # studied before release (a data error) counts as on time


def first_item_chart(scope: Scope, today: dt.date) -> dict:
    """Days from a 第一议题's release (items released in the year) to each group's first
    study of it in a held or recorded session."""
    pairs = (
        AgendaItem.objects.filter(
            first_item__released_on__year=scope.year,
            session__group__in=scope.groups,
            session__status__in=DONE,
        )
        .order_by()
        .values_list("session__group_id", "first_item_id", "first_item__released_on")
        .annotate(first=Min("session__starts_at"))
    )
    bands = [0] * len(LAG_BANDS)
    lags = []
    for _, _, released_on, first in pairs:
        lag = (timezone.localtime(first, site_tz()).date() - released_on).days
        bands[lag_band(lag)] += 1
        lags.append(max(lag, 0))
    link = _link("plans:first_item_list", year=scope.year)
    average = round(sum(lags) / len(lags), 1) if lags else None
    return {
        "id": "first_items",
        "axis": "发布到学习",
        "title": "第一议题学习时效（发布到学习的天数）",
        "unit": "次",
        "categories": [label for *_, label in LAG_BANDS],
        "series": [
            {
                "name": "学习次数",
                "type": "bar",
                "data": bands,
                "colours": ["#3a8d4f", "#7cb342", "#e6a23c", "#c0392b"],
                "links": [link] * len(LAG_BANDS),
            }
        ],
        "summary": (
            f"{scope.year}年发布的第一议题共学习{len(lags)}次，平均在发布后{average:g}天学习。"
            if lags
            else f"{scope.year}年发布的第一议题尚无学习记录。"
        ),
    }


def attendance_chart(scope: Scope, today: dt.date) -> dict:
    start, end = year_bounds(scope.year)
    rows = (
        Attendance.objects.filter(
            is_attendee=False,
            session__group__in=scope.groups,
            session__status__in=DONE,
            session__starts_at__gte=start,
            session__starts_at__lt=end,
        )
        .annotate(month=month_of("session__starts_at"))
        .order_by()
        .values_list("month")
        .annotate(
            expected=Count("pk"),
            attended=Count("pk", filter=Q(status__in=Attendance.ATTENDED)),
        )
    )
    expected, attended = [0] * 12, [0] * 12
    for month, e, a in rows:
        i = _month_index(timezone.localtime(month, site_tz()))
        expected[i] += e
        attended[i] += a
    rates = [round(100 * a / e, 1) if e else None for a, e in zip(attended, expected, strict=True)]
    links = [
        _link(
            "meetings:session_list",
            year=scope.year,
            month=f"{scope.year}-{m + 1:02d}",
            status="done",
            **scope.filters(),
        )
        for m in range(12)
    ]
    all_e, all_a = sum(expected), sum(attended)
    return {
        "id": "attendance",
        "axis": "月份",
        "title": "每月出勤率",
        "unit": "%",
        "categories": MONTHS,
        "series": [
            {
                "name": "出勤率",
                "type": "line",
                "data": rates,
                "text": [
                    f"{r:g}%（{a}/{e}）" if r is not None else "—"
                    for r, a, e in zip(rates, attended, expected, strict=True)
                ],
                "links": links,
            }
        ],
        "expected": expected,
        "attended": attended,
        "summary": (
            f"全年应到{all_e}人次，实到{all_a}人次，出勤率{100 * all_a / all_e:.1f}%。"
            if all_e
            else "本年度尚无出勤记录。"
        ),
    }


def outputs_chart(scope: Scope, today: dt.date) -> dict:
    rows = dict(
        Output.objects.filter(group__in=scope.groups, year=scope.year)
        .exclude(status=Output.Status.DRAFT)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("pk"))
    )
    kinds = Output.Kind.choices
    return {
        "id": "outputs",
        "axis": "成果类别",
        "title": "学习成果（按类别）",
        "unit": "篇",
        "horizontal": True,
        "categories": [label for _, label in kinds],
        "series": [
            {
                "name": "成果数",
                "type": "bar",
                "data": [rows.get(k, 0) for k, _ in kinds],
                "links": [
                    _link(
                        "outputs:output_list",
                        year=scope.year,
                        kind=k,
                        nodraft=1,
                        **scope.filters(),
                    )
                    for k, _ in kinds
                ],
            }
        ],
        "summary": f"{scope.year}年提交学习成果{sum(rows.values())}篇（不含草稿）。",
    }


def problems_chart(scope: Scope, today: dt.date) -> dict:
    """At the end of each month: problems found so far that are still open (未销号) and
    those closed (已销号). Problems found before the year are carried in."""
    first = dt.date(scope.year, 1, 1)
    next_year = dt.date(scope.year + 1, 1, 1)
    found_rows = (
        Problem.objects.filter(group__in=scope.groups, found_on__lt=next_year)
        .annotate(month=month_of("found_on", date=True))
        .order_by()
        .values_list("month")
        .annotate(n=Count("pk"))
    )
    _, end = year_bounds(scope.year)
    closed_rows = (
        Rectification.objects.filter(
            problem__group__in=scope.groups,
            problem__found_on__lt=next_year,
            status=Rectification.Status.CLOSED,
            closed_at__lt=end,
        )
        .annotate(month=month_of("closed_at"))
        .order_by()
        .values_list("month")
        .annotate(n=Count("pk"))
    )
    found, closed = [0] * 12, [0] * 12
    for month, n in found_rows:
        found[month.month - 1 if month >= first else 0] += n
    for month, n in closed_rows:
        local = timezone.localtime(month, site_tz()).date()
        closed[local.month - 1 if local >= first else 0] += n
    open_, shut = [], []
    f_total = c_total = 0
    for f, c in zip(found, closed, strict=True):
        f_total += f
        c_total += c
        open_.append(f_total - c_total)
        shut.append(c_total)
    base = scope.filters()
    open_link = _link("supervision:problem_list", unclosed=1, **base)
    closed_link = _link("supervision:problem_list", status=Rectification.Status.CLOSED, **base)
    return {
        "id": "problems",
        "axis": "月份",
        "title": "问题整改：未销号与已销号（月末累计）",
        "unit": "个",
        "categories": MONTHS,
        "series": [
            {
                "name": "未销号",
                "type": "bar",
                "stack": "problems",
                "colour": "#c0392b",
                "data": _future(open_, scope.year, today),
                "links": [open_link] * 12,
            },
            {
                "name": "已销号",
                "type": "bar",
                "stack": "problems",
                "colour": "#3a8d4f",
                "data": _future(shut, scope.year, today),
                "links": [closed_link] * 12,
            },
        ],
        "summary": (
            f"截至{'本月' if scope.year == today.year else f'{scope.year}年末'}，"
            f"累计发现问题{f_total}个，已销号{c_total}个，未销号{f_total - c_total}个。"
        ),
    }


def assessment_chart(scope: Scope, user) -> dict:
    """Groups per grade under the year's scheme that rates most of the scope's groups."""
    results = results_visible(user).filter(group__in=scope.groups, scheme__year=scope.year)
    chosen = (
        results.order_by().values("scheme_id").annotate(n=Count("pk")).order_by("-n", "-scheme_id")
    )
    scheme = AssessmentScheme.objects.filter(pk__in=chosen.values("scheme_id")[:1]).first()
    grades = [g[0] for g in scheme.grades] if scheme else []
    counts = (
        dict(results.filter(scheme=scheme).order_by().values_list("grade").annotate(n=Count("pk")))
        if scheme
        else {}
    )
    grades += sorted(set(counts) - set(grades))
    return {
        "id": "assessment",
        "axis": "等次",
        "title": "考核评价等次分布",
        "unit": "个",
        "categories": grades,
        "series": [
            {
                "name": "中心组数",
                "type": "bar",
                "data": [counts.get(g, 0) for g in grades],
                "links": [_link("assessment:ranking", args=[scheme.pk], grade=g) for g in grades],
            }
        ],
        "summary": (
            f"{scheme.name}：" + "，".join(f"{g}{counts.get(g, 0)}个" for g in grades) + "。"
            if scheme
            else f"{scope.year}年尚无考核结果。"
        ),
    }


def unit_dashboard(*, user, root: Unit, year: int, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    scope = unit_scope(root, year)
    return {
        "scope": {"kind": "unit", "unit_id": root.pk, "name": root.name, "year": year},
        "charts": [
            sessions_chart(scope, today),
            compliance_chart(scope, today),
            first_item_chart(scope, today),
            attendance_chart(scope, today),
            outputs_chart(scope, today),
            problems_chart(scope, today),
            assessment_chart(scope, user),
        ],
    }


def group_dashboard(
    *, group: StudyGroup, year: int, staff: bool, today: dt.date | None = None
) -> dict:
    today = today or timezone.localdate()
    scope = group_scope(group, year, staff=staff)
    charts = [
        sessions_chart(scope, today),
        attendance_chart(scope, today),
        first_item_chart(scope, today),
    ]
    if staff:
        charts += [outputs_chart(scope, today), problems_chart(scope, today)]
    return {
        "scope": {"kind": "group", "group_id": group.pk, "name": group.name, "year": year},
        "charts": charts,
    }
