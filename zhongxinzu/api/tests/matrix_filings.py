"""/api/filings in the permission matrix (objects from filings/tests/matrix.py: a task owned
by the relation's unit; a submission of the relation's group under the task of the unit
above it)."""

from zhongxinzu.lib.matrix import ALL_HIDDEN, DENIED, OK, Api, everyone_else

NOBODY = 999_999_999

TASK_READ = everyone_else(
    {
        "supervisor": {**ALL_HIDDEN, "own": OK, "child": OK, "parent": OK},
        "secretary": {**ALL_HIDDEN, "parent": OK},
        "leader": {**ALL_HIDDEN, "parent": OK},
    },
    ALL_HIDDEN,
)
SUBMIT = everyone_else(
    {
        "supervisor": {**ALL_HIDDEN, "own": DENIED, "child": DENIED},
        "secretary": {**ALL_HIDDEN, "own": OK},
        "leader": {**ALL_HIDDEN, "own": DENIED},
    },
    ALL_HIDDEN,
)
REVIEW = everyone_else(
    {
        "supervisor": {**ALL_HIDDEN, "own": DENIED, "child": OK},
        "secretary": {**ALL_HIDDEN, "own": DENIED},
        "leader": {**ALL_HIDDEN, "own": DENIED},
    },
    ALL_HIDDEN,
)

ENTRIES = [
    Api("/api/filings/tasks", "GET", everyone_else({}, OK)),
    Api(
        "/api/filings/tasks",
        "POST",
        everyone_else({"supervisor": OK}, DENIED),
        body={"owner_unit": NOBODY, "year": 2026, "kind": "annual", "title": "年度材料"},
    ),
    Api("/api/filings/tasks/{task_id}/submissions", "GET", TASK_READ, obj="filing_task"),
    Api(
        "/api/filings/submissions/{submission_id}/submit",
        "POST",
        SUBMIT,
        obj="filing_open_submission",
        body={"version": 1},
    ),
    Api(
        "/api/filings/submissions/{submission_id}/return",
        "POST",
        REVIEW,
        obj="filing_submission",
        body={"version": 1, "reason": "名单缺少党群部门负责人"},
    ),
    Api(
        "/api/filings/submissions/{submission_id}/accept",
        "POST",
        REVIEW,
        obj="filing_submission",
        body={"version": 1},
    ),
]
