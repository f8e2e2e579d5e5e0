"""材料报送: pages in the permission matrix.

A task is owned by the unit of the relation ("own" is A's task, "parent" R's); the groups it
applies to are strictly below that unit, so A's staff see R's tasks only, and the supervisor
of A sees A's and A1's tasks (writable) and R's (read-only). A submission is the relation's
group's row under a task of the unit above it (the roots' own unit for R and X): the
supervisor of A reviews A1's (under A's task), not A's own (under R's task: 403).
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.utils import timezone

from zhongxinzu.lib.matrix import ALL_HIDDEN, DENIED, OK, Page, everyone_else

USERS = everyone_else({"supervisor": OK, "secretary": OK, "leader": OK}, DENIED)
SUPERVISOR = everyone_else({"supervisor": OK}, DENIED)
TASK_READ = everyone_else(
    {
        "supervisor": {**ALL_HIDDEN, "own": OK, "child": OK, "parent": OK},
        "secretary": {**ALL_HIDDEN, "parent": OK},
        "leader": {**ALL_HIDDEN, "parent": OK},
    },
    DENIED,
)
TASK_WRITE = everyone_else(
    {"supervisor": {**ALL_HIDDEN, "own": OK, "child": OK, "parent": DENIED}}, DENIED
)
SUB_READ = everyone_else(
    {
        "supervisor": {**ALL_HIDDEN, "own": OK, "child": OK},
        "secretary": {**ALL_HIDDEN, "own": OK},
        "leader": {**ALL_HIDDEN, "own": OK},
    },
    DENIED,
)
SUB_SUBMIT = everyone_else(
    {
        "supervisor": {**ALL_HIDDEN, "own": DENIED, "child": DENIED},
        "secretary": {**ALL_HIDDEN, "own": OK},
        "leader": {**ALL_HIDDEN, "own": DENIED},
    },
    DENIED,
)
SUB_REVIEW = everyone_else({"supervisor": {**ALL_HIDDEN, "own": DENIED, "child": OK}}, DENIED)
GROUP_PAGE = everyone_else(
    {
        "supervisor": {**ALL_HIDDEN, "own": OK, "child": OK},
        "secretary": {**ALL_HIDDEN, "own": OK},
        "leader": {**ALL_HIDDEN, "own": OK},
    },
    DENIED,
)


def make_task(world, rel, unit=None):
    from zhongxinzu.filings.models import FilingTask

    return FilingTask.objects.create(
        owner_unit=unit or world.units[rel],
        year=timezone.localdate().year,
        kind=FilingTask.Kind.ANNUAL,
        title="年度学习材料报送",
        due_on=timezone.localdate() + dt.timedelta(days=30),
        created_by=world.users["supervisor"],
    )


def make_submission(world, rel, *, submitted: bool = True):
    from zhongxinzu.filings.models import Submission

    unit = world.units[rel]
    parent = type(unit).objects.get_parent(unit) or unit
    task = make_task(world, rel, unit=parent)
    now = timezone.now()
    return Submission.objects.create(
        task=task,
        group=world.groups[rel],
        due_on=task.due_on,
        status=Submission.Status.SUBMITTED if submitted else Submission.Status.NOT_SUBMITTED,
        revision=1 if submitted else 0,
        submitted_at=now if submitted else None,
        submitted_on=timezone.localdate() if submitted else None,
        submitted_by=world.users["secretary"] if submitted else None,
    )


def make_document(world, rel):
    from zhongxinzu.filings.models import SubmissionDocument, SubmissionVersion

    sub = make_submission(world, rel)
    version = SubmissionVersion.objects.create(
        submission=sub, revision=1, submitted_at=sub.submitted_at, submitted_by=sub.submitted_by
    )
    path = "filings/matrix/roster.xlsx"
    if not default_storage.exists(path):  # written at once, outside the rolled-back transaction
        FileSystemStorage().save(path, ContentFile(b"PK"))
    return SubmissionDocument.objects.create(
        version=version, kind=SubmissionDocument.Kind.ROSTER, year=2026, name="名单.xlsx", file=path
    )


OBJECTS = {
    "filing_task": make_task,
    "filing_submission": make_submission,
    "filing_open_submission": lambda w, rel: make_submission(w, rel, submitted=False),
    "filing_document": make_document,
}

ENTRIES = [
    Page("filings:my_filings", "GET", USERS),
    Page("filings:task_list", "GET", USERS),
    Page("filings:task_create", "GET", SUPERVISOR),
    Page("filings:task_create", "POST", SUPERVISOR, data={"kind": "annual", "title": ""}),
    Page("filings:task_detail", "GET", TASK_READ, obj="filing_task"),
    Page("filings:task_export", "GET", TASK_READ, obj="filing_task"),
    Page("filings:task_remind", "POST", TASK_WRITE, obj="filing_task"),
    Page("filings:submission_detail", "GET", SUB_READ, obj="filing_submission"),
    Page(
        "filings:submission_submit",
        "POST",
        SUB_SUBMIT,
        obj="filing_open_submission",
        data={"version": 1},
    ),
    Page(
        "filings:submission_return",
        "POST",
        SUB_REVIEW,
        obj="filing_submission",
        data={"version": 1, "reason": "计划缺少专题安排"},
    ),
    Page(
        "filings:submission_accept",
        "POST",
        SUB_REVIEW,
        obj="filing_submission",
        data={"version": 1},
    ),
    Page("filings:document", "GET", SUB_READ, obj="filing_document"),
    Page("filings:group_filings", "GET", GROUP_PAGE, obj="group"),
]
