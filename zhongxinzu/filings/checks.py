"""Upward filing (报送) in the compliance engine: the check "filings" — every row a group owes
under its supervisors' filing tasks (the annual materials, each session's 一学一报 report)
sent by its deadline. Judged like the other deadlines (engine._deadline_state): sent on time,
sent late, overdue (not sent, or returned and not sent again), due soon, not yet due.

The rows are read in one query whatever the number of groups (step 16 of engine._load). The
rule is the task itself (its deadline is set by the supervisor who set it), so the check's
source names the tasks rather than a rule of rules/defaults.json.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from zhongxinzu.compliance.engine import (
    STATE_LABELS,
    STATE_STATUS,
    Check,
    GroupData,
    GroupResult,
    Period,
    _add_deadline_check,
    _deadline_state,
)
from zhongxinzu.filings.models import FilingTask, Submission

SOURCE = "上级报送任务"
SENT = (Submission.Status.SUBMITTED, Submission.Status.ACCEPTED)


def load_filings(data: dict[int, GroupData], ids: list[int], period: Period) -> None:
    """The rows of the groups `ids` under active tasks of the period's year (whole year) or
    due in the period (a shorter period), one query."""
    qs = Submission.objects.filter(group_id__in=ids, task__is_active=True)
    if period.is_year:
        qs = qs.filter(task__year=period.rule_year)
    else:
        qs = qs.filter(due_on__gte=period.start, due_on__lte=period.end)
    for row in qs.order_by("due_on", "pk").values(
        "pk",
        "group_id",
        "due_on",
        "status",
        "submitted_on",
        "task_id",
        "task__title",
        "task__kind",
        "session__title",
        "session__starts_at",
    ):
        data[row["group_id"]].filings.append(row)


def judge_filings(r: GroupResult) -> None:
    def add(key: str, status: str, **kwargs) -> None:
        r.checks[key] = Check(key=key, status=status, source=SOURCE, **kwargs)

    states = []
    for f in r.data.filings:
        done = f["submitted_on"] if f["status"] in SENT else None
        f["state"] = _deadline_state(done, f["due_on"], r.as_of, "filing")
        states.append(f["state"])
    _add_deadline_check(add, "filings", states, "按上级报送任务的期限", "项报送")


def filing_label(f: dict) -> str:
    if f["task__kind"] == FilingTask.Kind.SESSION and f["session__title"]:
        day = timezone.localtime(f["session__starts_at"]).date()
        return f"一学一报：{day:%Y-%m-%d} {f['session__title']}"
    return f["task__title"]


def proof_filings(r: GroupResult):
    from zhongxinzu.compliance.proofs import ProofRow

    link = reverse("filings:group_filings", args=[r.group.pk])
    rows = [
        ProofRow(
            [
                filing_label(f),
                _day(f["due_on"]),
                _day(f["submitted_on"]) if f["status"] != Submission.Status.NOT_SUBMITTED else "—",
                Submission.Status(f["status"]).label,
                STATE_LABELS[f["state"]],
            ],
            STATE_STATUS[f["state"]] if f["state"] not in ("ok", "open") else "",
            f"{link}?task={f['task_id']}",
        )
        for f in r.data.filings
    ]
    return ["报送事项", "截止日期", "报送日期", "状态", "结论"], rows


def _day(value: dt.date | None) -> str:
    return f"{value:%Y-%m-%d}" if value else "—"
