"""Excel exports of the session, leave and make-up lists: records in, .xlsx bytes out.

Callers pass the querysets the list pages show (same scope, same filters, same order), not
paginated; the views only set the response headers (lib.xlsx.xlsx_response audits)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import QuerySet

from zhongxinzu.documents.lists import local
from zhongxinzu.lib.xlsx import Sheet, percent, workbook_bytes
from zhongxinzu.meetings import selectors
from zhongxinzu.meetings.models import LeaveRequest, MakeUp, StudySession

SESSION_HEADERS = [
    "时间",
    "中心组",
    "学习形式",
    "学习主题",
    "地点",
    "第一议题",
    "实到",
    "应到",
    "出勤率",
    "状态",
]


def sessions_xlsx(*, sessions: QuerySet[StudySession], caption: str) -> bytes:
    """The session list; `sessions` annotated with `has_first_item` as the page's are."""
    rates = selectors.session_rates(session_ids=sessions.order_by().values("pk"))

    def rows() -> Iterator[list]:
        for s in sessions.iterator(chunk_size=2000):
            rate = rates.get(s.pk)
            yield [
                local(s.starts_at),
                s.group.unit.name,
                s.get_kind_display(),
                s.title,
                s.place,
                "有" if s.has_first_item else "无",
                rate.attended if rate else None,
                rate.expected if rate else None,
                percent(rate.attended, rate.expected) if rate else "—",
                s.get_status_display(),
            ]

    return workbook_bytes(
        Sheet(title="集体学习", headers=SESSION_HEADERS, rows=rows(), caption=caption)
    )


LEAVE_HEADERS = [
    "申请人",
    "中心组",
    "学习时间",
    "学习主题",
    "事由",
    "提出时间",
    "事后请假",
    "状态",
    "审批意见",
    "审批人",
    "审批时间",
]


def leaves_xlsx(*, leaves: QuerySet[LeaveRequest], caption: str) -> bytes:
    def rows() -> Iterator[list]:
        for lr in leaves.iterator(chunk_size=2000):
            yield [
                lr.person.name,
                lr.session.group.name,
                local(lr.session.starts_at),
                lr.session.title,
                lr.reason,
                local(lr.requested_at),
                "是" if lr.is_late else "否",
                lr.get_status_display(),
                lr.decision_note,
                lr.decided_by.full_name if lr.decided_by else "",
                local(lr.decided_at),
            ]

    return workbook_bytes(
        Sheet(title="请假申请", headers=LEAVE_HEADERS, rows=rows(), caption=caption)
    )


MAKEUP_HEADERS = [
    "姓名",
    "中心组",
    "学习日期",
    "学习主题",
    "缺席情况",
    "原因",
    "补学期限",
    "状态",
    "是否逾期",
    "提交时间",
    "确认时间",
]


def makeups_xlsx(*, makeups: QuerySet[MakeUp], caption: str, today: dt.date) -> bytes:
    def rows() -> Iterator[list]:
        for m in makeups.iterator(chunk_size=2000):
            a = m.attendance
            overdue = m.status != MakeUp.Status.CONFIRMED and m.due_date < today
            yield [
                a.person.name,
                a.session.group.name,
                selectors.local_date(a.session),
                a.session.title,
                a.get_status_display(),
                a.reason,
                m.due_date,
                m.get_status_display(),
                "已逾期" if overdue else "",
                local(m.submitted_at),
                local(m.confirmed_at),
            ]

    return workbook_bytes(Sheet(title="补学", headers=MAKEUP_HEADERS, rows=rows(), caption=caption))
