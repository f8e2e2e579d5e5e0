"""Reads of the filings app: the state of each row a group owes (on time, late, missing,
returned, not yet due), counted in SQL; `filing_status` for the statistics, the bulletins
and the compliance engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from zhongxinzu.compliance.engine import Period
from zhongxinzu.filings.models import FilingTask, Submission, SubmissionDocument

ON_TIME, LATE, MISSING, RETURNED, PENDING = "on_time", "late", "missing", "returned", "pending"
STATES = (ON_TIME, LATE, MISSING, RETURNED, PENDING)
STATE_LABELS = {
    ON_TIME: "按时报送",
    LATE: "逾期报送",
    MISSING: "逾期未报",
    RETURNED: "退回待重报",
    PENDING: "未到期",
}
STATE_COLOURS = {ON_TIME: "green", LATE: "amber", MISSING: "red", RETURNED: "amber", PENDING: ""}
SENT = (Submission.Status.SUBMITTED, Submission.Status.ACCEPTED)


def state_q(today: dt.date) -> dict[str, Q]:
    """One Q per state over Submission rows; the five are disjoint and cover every row."""
    sent = Q(status__in=SENT)
    not_sent = Q(status=Submission.Status.NOT_SUBMITTED)
    return {
        ON_TIME: sent & Q(submitted_on__lte=F("due_on")),
        LATE: sent & Q(submitted_on__gt=F("due_on")),
        RETURNED: Q(status=Submission.Status.RETURNED),
        MISSING: not_sent & Q(due_on__lt=today),
        PENDING: not_sent & Q(due_on__gte=today),
    }


def with_state(qs: QuerySet[Submission], today: dt.date) -> QuerySet[Submission]:
    qs_ = state_q(today)
    return qs.annotate(
        state=Case(*(When(q, then=Value(s)) for s, q in qs_.items()), output_field=CharField())
    )


def state_counts(qs: QuerySet[Submission], today: dt.date) -> dict[str, int]:
    """Rows of `qs` by state, in one query (the figures on top of the task page)."""
    counts = qs.order_by().aggregate(
        total=Count("pk"), **{s: Count("pk", filter=q) for s, q in state_q(today).items()}
    )
    return {k: v or 0 for k, v in counts.items()}


def filing_status(
    group_ids: Iterable[int],
    *,
    year: int | None = None,
    period: Period | None = None,
    kind: str | None = None,
    today: dt.date | None = None,
) -> dict[int, dict[str, int]]:
    """How each group has filed upward: group id -> {"total", "on_time", "late", "missing",
    "returned", "pending"} counted over the rows it owes under active filing tasks — the
    annual materials and each session's 一学一报 report.

    Choose the rows by `year` (tasks of that year) or by `period` (rows whose deadline falls in
    the period, e.g. a quarter for a quarterly bulletin); `kind` "annual" (年度学习材料) or
    "session" (一学一报) keeps one kind of task. "missing" is a row not submitted
    whose deadline has passed on `today` (default: today); "returned" was sent back and not yet
    sent again; "late" was submitted after its deadline. Every requested group is in the
    answer (zeros when it owes nothing). One SQL query (GROUP BY group), whatever the number of
    groups — the statistics page and the bulletins' 存在问题 ("仍有个别单位未报送…年度学习有关
    材料": missing > 0 with kind="annual") call it for a whole subtree.

        filing_status([g.pk for g in groups], year=2026)[g.pk]["missing"]
        filing_status(ids, year=2026, kind="annual")   # the annual materials only
    """
    if (year is None) == (period is None):
        raise TypeError("give either year or period")
    today = today or timezone.localdate()
    ids = list(dict.fromkeys(group_ids))
    qs = Submission.objects.filter(group_id__in=ids, task__is_active=True)
    if year is not None:
        qs = qs.filter(task__year=year)
    else:
        qs = qs.filter(due_on__gte=period.start, due_on__lte=period.end)
    if kind is not None:
        qs = qs.filter(task__kind=kind)
    states = state_q(today)
    rows = (
        qs.order_by()
        .values("group_id")
        .annotate(total=Count("pk"), **{s: Count("pk", filter=q) for s, q in states.items()})
    )
    out = {gid: dict.fromkeys(("total", *STATES), 0) for gid in ids}
    for row in rows:
        out[row.pop("group_id")] = row
    return out


def report_filing(group_id: int, year: int) -> dict | None:
    """The annual report's submitted state: the latest submission that carried `group`'s
    annual report for `year` (under an annual-materials task), as {"status", "status_label",
    "submitted_at", "task", "return_reason"}, or None when it was never submitted."""
    doc = (
        SubmissionDocument.objects.filter(
            kind=SubmissionDocument.Kind.REPORT,
            year=year,
            version__submission__group_id=group_id,
            version__submission__task__is_active=True,
        )
        .select_related("version__submission__task")
        .order_by("-version__submitted_at", "-pk")
        .first()
    )
    if doc is None:
        return None
    sub = doc.version.submission
    return {
        "status": sub.status,
        "status_label": sub.get_status_display(),
        "submitted_at": doc.version.submitted_at,
        "task": sub.task,
        "return_reason": sub.return_reason,
        "on_time": sub.submitted_on is not None and sub.submitted_on <= sub.due_on,
    }


def task_kinds() -> list[tuple[str, str]]:
    return list(FilingTask.Kind.choices)
