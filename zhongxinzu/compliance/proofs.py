"""The drill-down of each compliance check: the records that prove its verdict, built from
what engine.evaluate loaded (no further query). Links point at the pages of the apps that
own the records; a page that does not exist (yet) leaves the row without a link."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from zhongxinzu.compliance.archive_checks import proof_archive
from zhongxinzu.compliance.engine import (
    AT_RISK,
    CHECK_BY_KEY,
    MET,
    MISSED,
    SEVERITY,
    STATE_LABELS,
    STATE_STATUS,
    GroupResult,
    SessionRow,
    pct,
)
from zhongxinzu.compliance.visit_checks import observers_of
from zhongxinzu.filings.checks import proof_filings as _proof_filings
from zhongxinzu.meetings.models import Attendance, MakeUp, StudySession
from zhongxinzu.outputs.models import Output
from zhongxinzu.plans.models import YearPlan
from zhongxinzu.supervision.models import ObservationVisit


@dataclass
class ProofRow:
    cells: list[Any]
    status: str = ""  # a status colouring the row ("missed", "at_risk" …) or ""
    link: str = ""
    link_index: int = 0  # the cell that carries the link


@dataclass
class Proof:
    title: str
    summary: str
    headers: list[str]
    rows: list[ProofRow]


def _url(name: str, pk) -> str:
    """A link to another app's page, or "" while that page does not exist."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _when(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    return f"{value:%Y-%m-%d}"


def proof_for(r: GroupResult, key: str) -> Proof:
    """The records behind one check of `r` (from what `evaluate` loaded: no new query)."""
    if key not in CHECK_BY_KEY:
        raise KeyError(key)
    check = r.checks[key]
    headers, rows = PROOFS[key](r)
    summary = f"{check.detail}（要求：{check.target_text}；依据：{check.source or '—'}）"
    return Proof(title=check.label, summary=summary, headers=headers, rows=rows)


def _session_cells(s: SessionRow) -> list[Any]:
    return [f"{s.starts:%Y-%m-%d %H:%M}", s.title, s.kind_label, s.status_label]


SESSION_HEADERS = ["时间", "学习主题", "学习形式", "状态"]


def _session_row(s: SessionRow, *, before=(), after=(), status="", full=True) -> ProofRow:
    """A session's cells between `before` and `after`, linked on its title."""
    cells = _session_cells(s) if full else _session_cells(s)[:2]
    link = _url("meetings:session_detail", s.id)
    return ProofRow([*before, *cells, *after], status, link, link_index=len(before) + 1)


def _proof_sessions(r: GroupResult, kinds=None):
    """Every month of the period so far, with its sessions; a month without one is red."""
    rows = []
    month = r.period.start.replace(day=1)
    last = min(r.period.end, r.as_of)
    while month <= last:
        sessions = [
            s
            for s in r.data.sessions
            if (s.starts.year, s.starts.month) == (month.year, month.month)
            and (kinds is None or s.kind in kinds)
        ]
        done = [s for s in sessions if s.done]
        for s in sessions:
            flag = "" if s.done else (AT_RISK if s.starts.date() <= r.as_of else "")
            rows.append(_session_row(s, before=[f"{month.month}月"], status=flag))
        if not done:
            rows.append(ProofRow([f"{month.month}月", "—", "本月无已举行的学习", "", "缺"], MISSED))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return ["月份", *SESSION_HEADERS], rows


def _proof_topical(r: GroupResult):
    rows = [
        _session_row(s) for s in r.data.sessions if s.done and s.kind in StudySession.TOPICAL_KINDS
    ]
    return SESSION_HEADERS, rows


def _proof_discussions(r: GroupResult):
    rows = []
    for name, q in r.period.quarters():
        if q.start > r.as_of:
            continue
        found = [
            s
            for s in r.data.sessions
            if s.done
            and s.kind in StudySession.DISCUSSION_KINDS
            and q.start <= s.starts.date() <= q.end
        ]
        for s in found:
            rows.append(_session_row(s, before=[name]))
        if len(found) < r.book["discussions_per_quarter"]:
            flag = MISSED if q.over(r.as_of) else AT_RISK
            rows.append(ProofRow([name, "—", f"本季度研讨{len(found)}次，不足要求", "", ""], flag))
    return ["季度", *SESSION_HEADERS], rows


def _proof_session_length(r: GroupResult):
    minimum = r.book["session_min_minutes"]
    rows = [
        _session_row(s, after=[s.minutes], status=MISSED if s.minutes < minimum else "")
        for s in r.data.sessions
        if s.done and s.starts.date() <= r.as_of
    ]
    return [*SESSION_HEADERS, "时长（分钟）"], rows


def _proof_first_item(r: GroupResult):
    rows = [
        _session_row(
            s, after=["有" if s.has_first_item else "无"], status="" if s.has_first_item else MISSED
        )
        for s in r.data.sessions
        if s.done and s.starts.date() <= r.as_of
    ]
    return [*SESSION_HEADERS, "第一议题"], rows


def _proof_session_record(r: GroupResult):
    days = r.book["session_record_days"]
    rows = []
    for s in r.data.sessions:
        if s.ends.date() > r.as_of:
            continue
        deadline = s.ends.date() + dt.timedelta(days=days)
        if s.status == StudySession.Status.RECORDED:
            flag = MISSED if s.recorded_at and s.recorded_at.date() > deadline else ""
        else:
            flag = MISSED if r.as_of > deadline else AT_RISK
        rows.append(_session_row(s, after=[_when(deadline), _when(s.recorded_at)], status=flag))
    return [*SESSION_HEADERS, "记录期限", "记录时间"], rows


def _proof_attendance_session(r: GroupResult):
    rate = r.book["attendance_rate"]
    rows = []
    for s in r.data.sessions:
        if not (s.done and s.due):
            continue
        b = s.by_status
        after = [s.due, s.attended, b.get("leave", 0), b.get("absent", 0), pct(s.attended, s.due)]
        under = s.attended * 100 < rate * s.due
        rows.append(_session_row(s, after=after, status=MISSED if under else "", full=False))
    return ["时间", "学习主题", "应到", "实到", "请假", "缺席", "出勤率"], rows


def _member_rows(r: GroupResult, key: str, cells):
    members = sorted(r.members, key=lambda m: -SEVERITY[m.checks[key].status])
    return [
        ProofRow(
            [m.name, m.role_label, *cells(m), m.checks[key].status_label],
            m.checks[key].status if m.checks[key].status in (MISSED, AT_RISK) else "",
            _url("org:person_detail", m.person_id),
        )
        for m in members
    ]


def _proof_participation(r: GroupResult):
    def cells(m):
        b = m.by_status
        return [
            m.due,
            b.get("present", 0),
            b.get("late", 0),
            b.get("leave", 0),
            b.get("absent", 0),
            pct(m.attended, m.due),
        ]

    return ["姓名", "组内角色", "应参加", "出席", "迟到", "请假", "缺席", "参学率", "状态"], (
        _member_rows(r, "participation", cells)
    )


def _proof_outputs(r: GroupResult):
    return ["姓名", "组内角色", "文章/调研报告（篇）", "状态"], _member_rows(
        r, "outputs", lambda m: [m.written]
    )


def _proof_makeups(r: GroupResult):
    rows = [
        ProofRow(
            [
                mk["attendance__person__name"],
                _when(mk["attendance__session__starts_at"]),
                mk["attendance__session__title"],
                Attendance.Status(mk["attendance__status"]).label,
                _when(mk["due_date"]),
                MakeUp.Status(mk["status"]).label,
                _when(mk["submitted_at"]),
                STATE_LABELS[mk["state"]],
            ],
            STATE_STATUS[mk["state"]] if mk["state"] != "ok" and mk["state"] != "open" else "",
            _url("meetings:makeup_detail", mk["pk"]),
        )
        for mk in r.data.makeups
    ]
    return ["姓名", "学习时间", "学习主题", "出勤", "补学期限", "状态", "提交时间", "结论"], rows


def _proof_speech_review(r: GroupResult):
    rows = [
        ProofRow(
            [
                sp["author__name"],
                _when(sp["session__starts_at"]),
                sp["title"],
                Output.Status(sp["status"]).label,
                _when(sp["reviewed_at"]),
                STATE_LABELS.get(sp.get("state", ""), ""),
            ],
            {"missed": MISSED, "pending": AT_RISK}.get(sp.get("state", ""), ""),
            _url("outputs:output_detail", sp["pk"]),
        )
        for sp in r.data.speeches
    ]
    return ["发言人", "学习时间", "题目", "状态", "审阅时间", "结论"], rows


def _proof_plan(r: GroupResult):
    check = r.checks["plan"]
    plan = r.data.plan
    if plan is None:
        return ["年度", "计划", "状态", "截止日期", "报备时间"], [
            ProofRow(
                [r.period.rule_year, "尚未制定", "—", _when(check.target), "—"],
                check.status if check.status != MET else "",
            )
        ]
    row = ProofRow(
        [
            r.period.rule_year,
            plan["title"],
            YearPlan.Status(plan["status"]).label,
            _when(check.target),
            _when(plan["filed_at"]),
        ],
        check.status if check.status != MET else "",
        _url("plans:plan_detail", plan["pk"]),
    )
    return ["年度", "计划", "状态", "截止日期", "报备时间"], [row]


def _proof_prompt_ack(r: GroupResult):
    rows = [
        ProofRow(
            [
                p["title"],
                p["issuer_unit__name"],
                _when(p["issued_at"]),
                _when(p["deadline"]),
                _when(p["acknowledged_at"]),
                STATE_LABELS[p["state"]],
            ],
            STATE_STATUS[p["state"]] if p["state"] not in ("ok", "open") else "",
            _url("plans:prompt_detail", p["pk"]),
        )
        for p in r.data.prompts
    ]
    return ["学习提示", "下发单位", "下发时间", "签收期限", "签收时间", "结论"], rows


def _proof_first_item_lag(r: GroupResult):
    rows = [
        ProofRow(
            [
                i["title"],
                _when(i["released_on"]),
                _when(i["deadline"]),
                _when(i["studied_on"]),
                "—" if i["lag"] is None else i["lag"],
                STATE_LABELS[i["state"]],
            ],
            STATE_STATUS[i["state"]] if i["state"] not in ("ok", "open") else "",
            _url("plans:first_item_detail", i["pk"]),
        )
        for i in r.data.first_items
    ]
    return ["第一议题", "发布日期", "学习期限", "首次学习", "间隔天数", "结论"], rows


def _proof_roster(r: GroupResult):
    rows = [ProofRow([post, "名册中无人担任"], MISSED) for post in r.data.missing_posts]
    return ["必备职务", "情况"], rows


def _proof_visit_materials(r: GroupResult):
    rows = [
        ProofRow(
            [
                _when(v["planned_on"]),
                observers_of(v),
                ObservationVisit.Stage(v["stage"]).label,
                _when(v["materials_due"]),
                _when(v["materials_sent_at"]),
                STATE_LABELS[v["state"]],
            ],
            STATE_STATUS[v["state"]] if v["state"] not in ("ok", "open") else "",
            _url("supervision:visit_detail", v["pk"]),
            link_index=0,
        )
        for v in r.data.visits
    ]
    return ["旁听日期", "旁听方", "阶段", "报送期限", "报送时间", "结论"], rows


PROOFS = {
    "sessions": _proof_sessions,
    "discussions": _proof_discussions,
    "topical": _proof_topical,
    "session_length": _proof_session_length,
    "first_item": _proof_first_item,
    "session_record": _proof_session_record,
    "attendance_session": _proof_attendance_session,
    "attendance_year": _proof_attendance_session,
    "participation": _proof_participation,
    "outputs": _proof_outputs,
    "makeups": _proof_makeups,
    "speech_review": _proof_speech_review,
    "plan": _proof_plan,
    "prompt_ack": _proof_prompt_ack,
    "first_item_lag": _proof_first_item_lag,
    "roster": _proof_roster,
    "visit_materials": _proof_visit_materials,
    "archive": proof_archive,
    "filings": _proof_filings,
}
