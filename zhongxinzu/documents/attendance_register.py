"""The yearly attendance register (考勤登记表) of a group as .xlsx: members × the year's
sessions with 出/迟/假/缺, each member's totals and participation rate, and each session's
应到/实到/出勤率, under a title row; counts are numbers, rates numbers shown as 95.0%.
Pure: a compliance.selectors.AttendanceRegister in, bytes out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zhongxinzu.lib.xlsx import Sheet, percent, workbook_bytes

if TYPE_CHECKING:
    from zhongxinzu.compliance.selectors import AttendanceRegister

LEGEND = "出＝出席　迟＝迟到　假＝请假　缺＝缺席　空白＝当时不在名册或未点名"


def register_title(register: AttendanceRegister) -> str:
    return f"{register.group.name}{register.year}年度考勤登记表"


def session_label(session) -> str:
    return f"{session.date.month}月{session.date.day}日"


def attendance_register_xlsx(register: AttendanceRegister) -> bytes:
    sessions = register.sessions
    headers = [
        "序号",
        "姓名",
        "组内角色",
        *[session_label(s) for s in sessions],
        "出席",
        "迟到",
        "请假",
        "缺席",
        "应参加",
        "参学率",
    ]
    rows = [
        [
            i,
            row.name,
            row.role,
            *row.marks,
            row.counts["出"],
            row.counts["迟"],
            row.counts["假"],
            row.counts["缺"],
            row.due,
            percent(row.attended, row.due),
        ]
        for i, row in enumerate(register.rows, start=1)
    ]
    rows.append(["", "应到", "", *[s.due for s in sessions], "", "", "", "", register.due, ""])
    rows.append(
        ["", "实到", "", *[s.attended for s in sessions], "", "", "", "", register.attended, ""]
    )
    rates = [percent(s.attended, s.due) for s in sessions]
    total_rate = percent(register.attended, register.due)
    rows.append(["", "出勤率", "", *rates, "", "", "", "", "", total_rate])
    widths = [6, 12, 10, *[8] * len(sessions), 6, 6, 6, 6, 8, 9]
    grid = Sheet(
        title="考勤登记表",
        headers=headers,
        rows=rows,
        widths=widths,
        caption=register_title(register),
        notes=[
            LEGEND,
            f"全年集体学习{len(sessions)}次，应到{register.due}人次，实到{register.attended}人次，"
            f"出勤率{register.rate}",
        ],
    )
    listing = Sheet(
        title="学习场次",
        caption=f"{register.group.name}{register.year}年度集体学习场次",
        headers=["序号", "日期", "学习主题", "学习形式", "应到", "实到", "出勤率"],
        rows=[
            [i, s.date, s.title, s.kind, s.due, s.attended, percent(s.attended, s.due)]
            for i, s in enumerate(sessions, start=1)
        ],
    )
    return workbook_bytes(grid, listing)
