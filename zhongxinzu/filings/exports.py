"""The task page as .xlsx: one row per group (per session for 一学一报), with the counts."""

from __future__ import annotations

from django.utils import timezone

from zhongxinzu.filings.models import FilingTask
from zhongxinzu.filings.selectors import STATE_LABELS, STATES
from zhongxinzu.lib.xlsx import Sheet, workbook_bytes


def task_xlsx(*, task: FilingTask, rows, counts: dict[str, int]) -> bytes:
    """`rows` Submission rows annotated with `state` (selectors.with_state), group loaded."""
    session = task.kind == FilingTask.Kind.SESSION
    headers = ["序号", "单位", "中心组"]
    if session:
        headers += ["学习日期", "学习主题"]
    headers += ["截止日期", "报送情况", "报送时间", "版本", "退回理由"]

    def lines():
        for i, s in enumerate(rows.iterator(chunk_size=1000), start=1):
            row = [i, s.group.unit.name, s.group.name]
            if session:
                row += [
                    timezone.localtime(s.session.starts_at).date() if s.session_id else None,
                    s.session.title if s.session_id else "",
                ]
            row += [
                s.due_on,
                STATE_LABELS[s.state],
                timezone.localtime(s.submitted_at).replace(tzinfo=None) if s.submitted_at else None,
                s.revision or None,
                s.return_reason,
            ]
            yield row

    summary = "，".join(f"{STATE_LABELS[s]}{counts[s]}" for s in STATES)
    return workbook_bytes(
        Sheet(
            title="报送情况",
            caption=f"{task.title}（{task.deadline_text}）报送情况",
            headers=headers,
            rows=lines(),
            notes=[
                f"共{counts['total']}项：{summary}。",
                f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}",
            ],
        )
    )
