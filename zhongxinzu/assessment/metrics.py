"""Computed indicators (按记录自动计算的指标): one function per metric key, each scoring every
group of a scheme at once with a fixed number of aggregate queries (never one per group).

    ctx = Context(groups, 2026)                  # groups with `unit` loaded
    scored = METRICS["sessions"](ctx)            # {group id: Scored}
    scored[group.pk].ratio                       # 0..1, the share of the indicator's weight

A metric answers with the share of the weight earned (`ratio`), the measured value as text,
the calculation with the group's own numbers (`calc`, shown after "权重 ×") and references
to the records behind it. The formula wording of each metric lives in defaults.json.

Archive completeness (档案完整率) is defined from the records the platform keeps: the year
plan filed upward, and for every held session the minutes recorded (status "recorded" with
minutes) and the attendance taken (at least one attendance row):
    (plan filed + sessions with minutes + sessions with attendance) ÷ (1 + 2 × held sessions).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.utils import timezone

from zhongxinzu.compliance.engine import (
    CHECK_BY_KEY,
    CHECKS,
    CODE_STATUSES,
    MET,
    NA,
    Period,
    evaluate,
)
from zhongxinzu.compliance.models import GroupCompliance
from zhongxinzu.meetings import selectors as meeting_selectors
from zhongxinzu.meetings.models import Attendance, StudySession
from zhongxinzu.org.access import active_memberships
from zhongxinzu.org.models import Membership, StudyGroup
from zhongxinzu.org.selectors import ancestor_paths
from zhongxinzu.outputs.selectors import conversion_counts, output_counts
from zhongxinzu.plans.models import FirstItem, YearPlan
from zhongxinzu.plans.selectors import first_item_status, plan_due_date
from zhongxinzu.rules.services import rulebooks_for
from zhongxinzu.supervision.models import Rectification, ScoreSheet

DEFAULTS_PATH = Path(__file__).with_name("defaults.json")
CORE_ROLES = (Membership.Role.LEADER, Membership.Role.DEPUTY, Membership.Role.MEMBER)
MAX_RECORDS = 20  # record references kept per indicator and group


@cache
def defaults() -> dict:
    """The default scheme and the metric descriptions (assessment/defaults.json)."""
    return json.loads(DEFAULTS_PATH.read_text(encoding="utf-8"))


def metric_choices() -> list[tuple[str, str]]:
    return [(key, m["label"]) for key, m in defaults()["metrics"].items()]


def formula_of(metric: str) -> str:
    return defaults()["metrics"].get(metric, {}).get("formula", "")


@dataclass
class Scored:
    ratio: float  # share of the weight earned, 0..1
    value: str  # what was measured, as text
    calc: str  # the calculation with this group's numbers
    records: list[dict] = field(default_factory=list)  # {"kind", "id" | "key", "label"}


def _num(x: float) -> str:
    """A number with at most two decimals and no trailing zeros."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


class Context:
    """What the metrics share for one year and one set of groups; every load is lazy and
    done once."""

    def __init__(self, groups: Iterable[StudyGroup], year: int, *, as_of: dt.date | None = None):
        self.groups = list(groups)
        self.ids = [g.pk for g in self.groups]
        self.year = year
        self.as_of = min(as_of or timezone.localdate(), dt.date(year, 12, 31))
        self.books = rulebooks_for([g.unit for g in self.groups], year) if self.groups else {}

    def book(self, group: StudyGroup):
        return self.books[group.unit_id]

    @cached_property
    def compliance_statuses(self) -> dict[int, dict[str, str]]:
        """check key -> status per group, as the compliance engine judges the year: read
        from the snapshot refreshed by cron (GroupCompliance) where it was taken on or
        after the assessment date, else evaluated live (for those groups only)."""
        out: dict[int, dict[str, str]] = {}
        rows = GroupCompliance.objects.filter(
            group_id__in=self.ids, year=self.year, as_of__gte=self.as_of
        ).values_list("group_id", "codes")
        for gid, codes in rows:
            if len(codes) == len(CHECKS):
                out[gid] = {
                    c.key: CODE_STATUSES[code] for c, code in zip(CHECKS, codes, strict=True)
                }
        missing = [g for g in self.groups if g.pk not in out]
        if missing:
            live = evaluate(missing, Period.year(self.year), as_of=self.as_of, books=self.books)
            for gid, result in live.items():
                out[gid] = {k: c.status for k, c in result.checks.items()}
        return out

    @cached_property
    def plans(self) -> dict[int, tuple[int, dt.datetime | None]]:
        rows = YearPlan.objects.filter(group_id__in=self.ids, year=self.year).values_list(
            "group_id", "pk", "filed_at"
        )
        return {g: (pk, filed) for g, pk, filed in rows}

    @cached_property
    def session_counts(self) -> dict[int, dict[str, int]]:
        return meeting_selectors.session_counts(group_ids=self.ids, year=self.year)

    @cached_property
    def member_rates(self) -> dict[int, dict[int, meeting_selectors.Rate]]:
        """参学率 per group and person; the attendance metric sums them per group (the same
        rows as meeting_selectors.group_attendance_rates, one scan of the year's
        attendance instead of two)."""
        return meeting_selectors.member_participation(group_ids=self.ids, year=self.year)


def compliance_ref(key: str, label: str) -> dict:
    return {"kind": "compliance", "key": key, "label": label}


# --- the metrics -------------------------------------------------------------------------


def plan_filed(ctx: Context) -> dict[int, Scored]:
    out = {}
    for g in ctx.groups:
        due = plan_due_date(ctx.book(g), ctx.year)
        pk, filed = ctx.plans.get(g.pk, (None, None))
        refs = [{"kind": "plan", "id": pk, "label": f"{ctx.year}年度学习计划"}] if pk else []
        if filed is None:
            out[g.pk] = Scored(0.0, "未报备", "0（未报备）", refs)
            continue
        on = timezone.localtime(filed).date()
        if on <= due:
            out[g.pk] = Scored(1.0, f"{on:%Y-%m-%d}报备（截止{due:%m-%d}）", "1（按期报备）", refs)
        else:
            late = (on - due).days
            out[g.pk] = Scored(0.5, f"逾期{late}天报备", "0.5（逾期报备）", refs)
    return out


def sessions(ctx: Context) -> dict[int, Scored]:
    out = {}
    for g in ctx.groups:
        n = ctx.session_counts.get(g.pk, {}).get("total", 0)
        req = int(ctx.book(g)["sessions_per_year"])
        ratio = min(1.0, n / req) if req else 1.0
        out[g.pk] = Scored(
            ratio,
            f"已举行{n}次（规定不少于{req}次）",
            f"min(1, {n} ÷ {req})",
            [compliance_ref("sessions", "集体学习记录")],
        )
    return out


def discussions(ctx: Context) -> dict[int, Scored]:
    counts = meeting_selectors.quarterly_discussion_counts(group_ids=ctx.ids, year=ctx.year)
    out = {}
    for g in ctx.groups:
        per_q = counts.get(g.pk, dict.fromkeys(range(1, 5), 0))
        req = int(ctx.book(g)["discussions_per_quarter"])
        met = sum(1 for q in range(1, 5) if per_q[q] >= req)
        text = "、".join(f"{'一二三四'[q - 1]}季度{per_q[q]}次" for q in range(1, 5))
        out[g.pk] = Scored(
            met / 4,
            f"{text}（每季度不少于{req}次）",
            f"{met} ÷ 4",
            [compliance_ref("discussions", "集中研讨记录")],
        )
    return out


def attendance(ctx: Context) -> dict[int, Scored]:
    out = {}
    for g in ctx.groups:
        members = ctx.member_rates.get(g.pk, {}).values()
        rate = meeting_selectors.Rate(
            sum(r.attended for r in members), sum(r.expected for r in members)
        )
        target = int(ctx.book(g)["attendance_rate"])
        refs = [compliance_ref("attendance_year", "考勤记录")]
        if not rate.expected:
            out[g.pk] = Scored(0.0, "无考勤记录", "0（无考勤记录）", refs)
            continue
        ratio = min(1.0, rate.attended * 100 / (target * rate.expected)) if target else 1.0
        out[g.pk] = Scored(
            ratio,
            f"实到{rate.attended}人次 / 应到{rate.expected}人次 = {rate}（规定≥{target}%）",
            f"min(1, {rate} ÷ {target}%)",
            refs,
        )
    return out


def participation(ctx: Context) -> dict[int, Scored]:
    out = {}
    for g in ctx.groups:
        members = ctx.member_rates.get(g.pk, {})
        target = int(ctx.book(g)["participation_rate"])
        refs = [compliance_ref("participation", "成员参学情况")]
        if not members:
            out[g.pk] = Scored(0.0, "无考勤记录", "0（无考勤记录）", refs)
            continue
        met = sum(1 for r in members.values() if r.meets(target))
        out[g.pk] = Scored(
            met / len(members),
            f"{len(members)}名成员中{met}人参学率≥{target}%",
            f"{met} ÷ {len(members)}",
            refs,
        )
    return out


def _core_member_counts(ctx: Context) -> dict[int, int]:
    return dict(
        active_memberships(on=ctx.as_of)
        .filter(group_id__in=ctx.ids, role__in=CORE_ROLES)
        .order_by()
        .values_list("group_id")
        .annotate(n=Count("person_id", distinct=True))
    )


def outputs(ctx: Context) -> dict[int, Scored]:
    written = output_counts(ctx.ids, ctx.year)
    members = _core_member_counts(ctx)
    out = {}
    for g in ctx.groups:
        n, m = written[g.pk]["written"], members.get(g.pk, 0)
        per = int(ctx.book(g)["outputs_per_member"])
        refs = [compliance_ref("outputs", "成员文章和调研报告")]
        if not per:
            out[g.pk] = Scored(1.0, f"{n}篇（规则未要求）", "1", refs)
        elif not m:
            out[g.pk] = Scored(0.0, f"{n}篇，无成员", "0（无成员）", refs)
        else:
            out[g.pk] = Scored(
                min(1.0, n / (m * per)),
                f"{n}篇 ÷ {m}名成员 = 人均{_num(round(n / m, 2))}篇（规定人均≥{per}篇）",
                f"min(1, {n} ÷ {m} ÷ {per})",
                refs,
            )
    return out


def conversions(ctx: Context) -> dict[int, Scored]:
    counts = conversion_counts(ctx.ids, ctx.year)
    full = int(defaults()["conversions_full_marks"])
    out = {}
    for g in ctx.groups:
        n = counts[g.pk]["total"]
        out[g.pk] = Scored(
            min(1.0, n / full) if full else 1.0,
            f"成果转化{n}项（{full}项及以上得满分）",
            f"min(1, {n} ÷ {full})",
            [{"kind": "outputs", "label": "学习成果及转化"}],
        )
    return out


def compliance(ctx: Context) -> dict[int, Scored]:
    out = {}
    for g in ctx.groups:
        statuses = ctx.compliance_statuses[g.pk]
        applicable = [k for k, status in statuses.items() if status != NA]
        met = sum(1 for k in applicable if statuses[k] == MET)
        refs = [compliance_ref("", "规则落实情况")]
        refs += [
            compliance_ref(k, f"未达标：{CHECK_BY_KEY[k].label}")
            for k in applicable
            if statuses[k] != MET
        ]
        if not applicable:
            out[g.pk] = Scored(1.0, "无适用规则", "1（无适用规则）", refs)
        else:
            out[g.pk] = Scored(
                met / len(applicable),
                f"{len(applicable)}项适用规则中{met}项达标",
                f"{met} ÷ {len(applicable)}",
                refs,
            )
    return out


def first_item_lag(ctx: Context) -> dict[int, Scored]:
    """第一议题 released in the year to each group (by its unit or one above): studied within
    the rule's days of release (first_item_lag_days), among the items whose time is up or
    that were studied. Two queries."""
    paths_of = {g.pk: ancestor_paths(g.unit) for g in ctx.groups}
    items = list(
        FirstItem.objects.filter(
            owner_unit__path__in={p for paths in paths_of.values() for p in paths},
            released_on__year=ctx.year,
        ).values_list("pk", "released_on", "owner_unit__path")
    )
    by_path: dict[str, list[tuple[int, dt.date]]] = defaultdict(list)
    for pk, released, path in items:
        by_path[path].append((pk, released))
    studied = first_item_status(ctx.ids, [i[0] for i in items]) if items else {}
    out = {}
    for g in ctx.groups:
        limit = int(ctx.book(g)["first_item_lag_days"])
        due, on_time, lags = 0, 0, []
        for path in paths_of[g.pk]:
            for pk, released in by_path.get(path, ()):
                studied_on = studied.get((g.pk, pk))
                if studied_on is None and ctx.as_of <= released + dt.timedelta(days=limit):
                    continue  # still within its time
                due += 1
                if studied_on is not None:
                    lags.append((studied_on - released).days)
                    on_time += lags[-1] <= limit
        refs = [compliance_ref("first_item_lag", "第一议题学习情况")]
        if not due:
            out[g.pk] = Scored(1.0, "无到期的第一议题", "1（无到期议题）", refs)
            continue
        avg = f"，平均{_num(round(sum(lags) / len(lags), 1))}天后学习" if lags else ""
        out[g.pk] = Scored(
            on_time / due,
            f"{due}项中{on_time}项在发布后{limit}天内学习{avg}",
            f"{on_time} ÷ {due}",
            refs,
        )
    return out


def observation(ctx: Context) -> dict[int, Scored]:
    rows = (
        ScoreSheet.objects.filter(
            visit__group_id__in=ctx.ids,
            visit__planned_on__year=ctx.year,
            submitted_at__isnull=False,
            total__isnull=False,
        )
        .order_by()
        .values_list("visit__group_id", "visit_id")
        .annotate(avg=Avg("total"), n=Count("pk"))
    )
    visits: dict[int, list[tuple[int, float, int]]] = defaultdict(list)
    for gid, vid, avg, n in rows:
        visits[gid].append((vid, float(avg), n))
    means = {g: sum(a for _, a, _ in v) / len(v) for g, v in visits.items()}
    overall = sum(means.values()) / len(means) if means else None
    out = {}
    for g in ctx.groups:
        if g.pk in means:
            mean = means[g.pk]
            parts = "、".join(f"{_num(round(a, 1))}分（{n}份评分表）" for _, a, n in visits[g.pk])
            refs = [
                {"kind": "visit", "id": vid, "label": f"旁听记录 {_num(round(a, 1))}分"}
                for vid, a, _ in visits[g.pk][:MAX_RECORDS]
            ]
            out[g.pk] = Scored(
                min(1.0, mean / 100),
                f"{len(visits[g.pk])}次旁听：{parts}，平均{_num(round(mean, 1))}分",
                f"{_num(round(mean, 1))} ÷ 100",
                refs,
            )
        elif overall is not None:
            out[g.pk] = Scored(
                min(1.0, overall / 100),
                f"当年未旁听，按被旁听中心组平均分{_num(round(overall, 1))}分计",
                f"{_num(round(overall, 1))} ÷ 100",
            )
        else:
            out[g.pk] = Scored(1.0, "当年均未开展旁听评分", "1（无旁听评分）")
    return out


def rectification(ctx: Context) -> dict[int, Scored]:
    rows = Rectification.objects.filter(
        problem__group_id__in=ctx.ids, deadline__year=ctx.year
    ).values_list("pk", "problem__group_id", "deadline", "status", "closed_at")
    due: dict[int, list] = defaultdict(list)
    for pk, gid, deadline, status, closed_at in rows:
        closed = status == Rectification.Status.CLOSED and closed_at is not None
        if not closed and deadline > ctx.as_of:
            continue  # still running, not yet judged
        on_time = closed and timezone.localtime(closed_at).date() <= deadline
        due[gid].append((pk, deadline, on_time))
    out = {}
    for g in ctx.groups:
        items = due.get(g.pk, [])
        if not items:
            out[g.pk] = Scored(1.0, "无到期整改任务", "1（无到期整改）")
            continue
        ok = sum(1 for _, _, t in items if t)
        refs = [
            {"kind": "rectification", "id": pk, "label": f"整改（时限{d:%Y-%m-%d}）未按期销号"}
            for pk, d, t in items
            if not t
        ][:MAX_RECORDS]
        out[g.pk] = Scored(
            ok / len(items),
            f"{len(items)}项到期或已销号的整改中{ok}项按期销号",
            f"{ok} ÷ {len(items)}",
            refs,
        )
    return out


def archive(ctx: Context) -> dict[int, Scored]:
    # One pass over the year's held sessions; "attendance taken" is an index probe per
    # session, not a scan of the year's attendance rows.
    minuted = Q(status=StudySession.Status.RECORDED) & ~Q(minutes="")
    taken = Q(Exists(Attendance.objects.filter(session=OuterRef("pk"))))
    counts = {
        gid: (h, mi, t)
        for gid, h, mi, t in meeting_selectors.sessions_in_year(group_ids=ctx.ids, year=ctx.year)
        .order_by()
        .values_list("group_id")
        .annotate(held=Count("pk"), minuted=Count("pk", filter=minuted))
        .annotate(taken=Count("pk", filter=taken))
    }
    out = {}
    for g in ctx.groups:
        h, mi, t = counts.get(g.pk, (0, 0, 0))
        pk, filed = ctx.plans.get(g.pk, (None, None))
        p = 1 if filed else 0
        refs = [{"kind": "plan", "id": pk, "label": f"{ctx.year}年度学习计划"}] if pk else []
        refs.append(compliance_ref("session_record", "学习记录情况"))
        out[g.pk] = Scored(
            (p + mi + t) / (1 + 2 * h),
            f"计划{'已' if p else '未'}报备；已举行{h}次，有纪要{mi}次，已考勤{t}次",
            f"({p} + {mi} + {t}) ÷ (1 + 2 × {h})",
            refs,
        )
    return out


METRICS: dict[str, Callable[[Context], dict[int, Scored]]] = {
    "plan_filed": plan_filed,
    "sessions": sessions,
    "discussions": discussions,
    "attendance": attendance,
    "participation": participation,
    "outputs": outputs,
    "conversions": conversions,
    "compliance": compliance,
    "first_item_lag": first_item_lag,
    "observation": observation,
    "rectification": rectification,
    "archive": archive,
}
