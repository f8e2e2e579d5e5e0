"""Every API operation × every role × every relation (see tests/test_permission_matrix.py).

Scope as in the UI: a supervisor reads and writes their subtree, a secretary their group
(and reads their unit), leaders and members read their group. The observer and the three
admin roles get no business data from the API: empty lists, 404 on any record.

Bodies are fixed, so create operations name records that do not exist: an allowed caller
gets a 400 on that field (counted as allowed), a caller without the right gets 403 first.

The study cycle (objects from the apps' matrix modules: plans, outputs, rules, meetings):
supervisors read every group of their subtree but write none of a group's records; the
group's secretary records, its leaders approve, its members see the group's sessions and
plans and their own attendance, leave, make-up study and outputs. Prompts and first items
are issued by a unit and seen by the groups below it ("above": own and parent unit).
"""

from zhongxinzu.lib.matrix import (
    ALL_HIDDEN,
    DENIED,
    OK,
    OWN,
    OWN_READ_ONLY,
    SUBTREE,
    SUBTREE_READ_ONLY,
    Api,
    everyone_else,
)

LIST = everyone_else({}, OK)
SUPERVISOR_CREATES = everyone_else({"supervisor": OK}, DENIED)
STAFF_CREATES = everyone_else({"supervisor": OK, "secretary": OK}, DENIED)
UNIT_READ = everyone_else(
    {"supervisor": SUBTREE, "secretary": OWN, "leader": OWN, "member": OWN}, ALL_HIDDEN
)
UNIT_WRITE = everyone_else(
    {
        "supervisor": SUBTREE,
        "secretary": OWN_READ_ONLY,
        "leader": OWN_READ_ONLY,
        "member": OWN_READ_ONLY,
    },
    ALL_HIDDEN,
)
GROUP_READ = UNIT_READ
GROUP_WRITE = everyone_else(
    {"supervisor": SUBTREE, "secretary": OWN, "leader": OWN_READ_ONLY, "member": OWN_READ_ONLY},
    ALL_HIDDEN,
)

NOBODY = 999_999_999

ENTRIES = [
    # auth: the token endpoint is open to anyone (wrong credentials -> 400)
    Api(
        "/api/auth/token",
        "POST",
        {"anonymous": OK, **everyone_else({}, OK)},
        body={"username": "nobody", "password": "wrong-password"},
    ),
    Api("/api/auth/token", "DELETE", everyone_else({}, OK)),
    Api("/api/auth/me", "GET", everyone_else({}, OK)),
    # units
    Api("/api/units", "GET", LIST),
    Api(
        "/api/units",
        "POST",
        SUPERVISOR_CREATES,
        body={"parent": NOBODY, "name": "新单位", "code": "NEW1", "kind": "党委"},
    ),
    Api("/api/units/{unit_id}", "GET", UNIT_READ, obj="unit"),
    Api(
        "/api/units/{unit_id}",
        "PATCH",
        UNIT_WRITE,
        obj="unit",
        body={"version": 1, "name": "改名后的单位"},
    ),
    # groups
    Api("/api/groups", "GET", LIST),
    Api("/api/groups", "POST", SUPERVISOR_CREATES, body={"unit": NOBODY}),
    Api("/api/groups/{group_id}", "GET", GROUP_READ, obj="group"),
    Api(
        "/api/groups/{group_id}",
        "PATCH",
        GROUP_WRITE,
        obj="group",
        body={"version": 1, "name": "改名后的中心组"},
    ),
    # people
    Api("/api/people", "GET", LIST),
    Api(
        "/api/people",
        "POST",
        STAFF_CREATES,
        body={"unit": NOBODY, "name": "新人员", "gender": "女"},
    ),
    Api("/api/people/{person_id}", "GET", GROUP_READ, obj="person"),
    Api(
        "/api/people/{person_id}",
        "PATCH",
        GROUP_WRITE,
        obj="person",
        body={"version": 1, "post": "调研员"},
    ),
    # memberships
    Api("/api/memberships", "GET", LIST),
    Api(
        "/api/memberships",
        "POST",
        STAFF_CREATES,
        body={"group": NOBODY, "person": NOBODY, "role": "member", "start_date": "2026-01-01"},
    ),
    Api("/api/memberships/{membership_id}", "GET", GROUP_READ, obj="membership"),
    Api(
        "/api/memberships/{membership_id}",
        "PATCH",
        GROUP_WRITE,
        obj="membership",
        body={"version": 1, "note": "备注"},
    ),
]

# --- the study cycle -------------------------------------------------------------------

ABOVE = {**ALL_HIDDEN, "own": OK, "parent": OK}
ABOVE_READ_ONLY = {**ALL_HIDDEN, "own": DENIED, "parent": DENIED}
# A supervisor of "own" follows up, read-only, what "parent" issues.
SUBTREE_AND_ABOVE = {**SUBTREE, "parent": OK}
SUBTREE_ABOVE_READ_ONLY = {**SUBTREE, "parent": DENIED}
SUPERVISOR_ONLY = everyone_else({"supervisor": OK}, DENIED)
SECRETARY_CREATES = everyone_else({"secretary": OK}, DENIED)
MEMBERS_CREATE = everyone_else({"secretary": OK, "leader": OK, "member": OK}, DENIED)
ISSUED_READ = everyone_else(
    {"supervisor": SUBTREE_AND_ABOVE, "secretary": ABOVE, "leader": ABOVE, "member": ABOVE},
    ALL_HIDDEN,
)
# Drafts are not shown to the groups at all; an issued prompt is read-only (400 for the
# supervisor who may edit drafts, 403 for the groups).
DRAFT_WRITE = everyone_else({"supervisor": SUBTREE}, ALL_HIDDEN)
ISSUED_WRITE = everyone_else(
    {
        "supervisor": SUBTREE_ABOVE_READ_ONLY,
        "secretary": ABOVE_READ_ONLY,
        "leader": ABOVE_READ_ONLY,
        "member": ABOVE_READ_ONLY,
    },
    ALL_HIDDEN,
)
ACK = everyone_else(
    {
        "supervisor": {**SUBTREE_READ_ONLY, "parent": DENIED},
        "secretary": ABOVE,
        "leader": ABOVE,
        "member": ABOVE_READ_ONLY,
    },
    ALL_HIDDEN,
)
ACK_TRACKING = everyone_else(
    {
        "supervisor": SUBTREE_AND_ABOVE,
        "secretary": ABOVE_READ_ONLY,
        "leader": ABOVE_READ_ONLY,
        "member": ABOVE_READ_ONLY,
    },
    ALL_HIDDEN,
)
ITEM_WRITE = everyone_else(
    {
        "supervisor": SUBTREE_ABOVE_READ_ONLY,
        "secretary": {**ABOVE_READ_ONLY, "own": OK},
        "leader": ABOVE_READ_ONLY,
        "member": ABOVE_READ_ONLY,
    },
    ALL_HIDDEN,
)
RECORD_READ = GROUP_READ
SECRETARY_WRITE = everyone_else(
    {
        "supervisor": SUBTREE_READ_ONLY,
        "secretary": OWN,
        "leader": OWN_READ_ONLY,
        "member": OWN_READ_ONLY,
    },
    ALL_HIDDEN,
)
LEADER_WRITE = everyone_else(
    {
        "supervisor": SUBTREE_READ_ONLY,
        "secretary": OWN_READ_ONLY,
        "leader": OWN,
        "member": OWN_READ_ONLY,
    },
    ALL_HIDDEN,
)
# The "own" output, leave request and make-up are the member's.
AUTHOR_WRITE = everyone_else(
    {
        "supervisor": SUBTREE_READ_ONLY,
        "secretary": OWN_READ_ONLY,
        "leader": OWN_READ_ONLY,
        "member": OWN,
    },
    ALL_HIDDEN,
)
STAFF_READ = everyone_else(
    {"supervisor": SUBTREE, "secretary": OWN, "leader": OWN, "member": OWN_READ_ONLY},
    ALL_HIDDEN,
)
SUPERVISOR_SUBTREE = everyone_else({"supervisor": SUBTREE}, ALL_HIDDEN)

ENTRIES += [
    # prompts
    Api("/api/prompts", "GET", LIST),
    Api(
        "/api/prompts",
        "POST",
        SUPERVISOR_CREATES,
        body={"issuer_unit": NOBODY, "year": 2026, "quarter": 1, "title": "提示", "themes": "主题"},
    ),
    Api("/api/prompts/{prompt_id}", "GET", ISSUED_READ, obj="prompt"),
    Api("/api/prompts/{prompt_id}", "GET", DRAFT_WRITE, obj="draft_prompt"),
    Api(
        "/api/prompts/{prompt_id}",
        "PATCH",
        DRAFT_WRITE,
        obj="draft_prompt",
        body={"version": 1, "title": "改后的提示"},
    ),
    Api(
        "/api/prompts/{prompt_id}",
        "PATCH",
        ISSUED_WRITE,
        obj="prompt",
        body={"version": 1, "title": "改后的提示"},
    ),
    Api("/api/prompts/{prompt_id}", "DELETE", DRAFT_WRITE, obj="draft_prompt"),
    Api(
        "/api/prompts/{prompt_id}/issue",
        "POST",
        DRAFT_WRITE,
        obj="draft_prompt",
        body={"version": 1},
    ),
    Api("/api/prompts/{prompt_id}/acknowledge", "POST", ACK, obj="prompt", body={}),
    Api("/api/prompts/{prompt_id}/acks", "GET", ACK_TRACKING, obj="prompt"),
    # first items
    Api("/api/first-items", "GET", LIST),
    Api(
        "/api/first-items",
        "POST",
        STAFF_CREATES,
        body={"owner_unit": NOBODY, "title": "讲话", "kind": "speech", "released_on": "2026-01-05"},
    ),
    Api("/api/first-items/{item_id}", "GET", ISSUED_READ, obj="first_item"),
    Api("/api/first-items/{item_id}/groups", "GET", ISSUED_READ, obj="first_item"),
    Api(
        "/api/first-items/{item_id}",
        "PATCH",
        ITEM_WRITE,
        obj="first_item",
        body={"title": "改后的议题"},
    ),
    Api("/api/first-items/{item_id}", "DELETE", ITEM_WRITE, obj="first_item"),
    # plans
    Api("/api/plans", "GET", LIST),
    Api("/api/plans", "POST", SECRETARY_CREATES, body={"group": NOBODY, "year": 2026}),
    Api("/api/plans/filing", "GET", SUPERVISOR_ONLY),
    Api("/api/plans/{plan_id}", "GET", RECORD_READ, obj="plan"),
    Api("/api/plans/{plan_id}/plan.docx", "GET", RECORD_READ, obj="plan"),
    Api(
        "/api/plans/{plan_id}",
        "PATCH",
        SECRETARY_WRITE,
        obj="plan",
        body={"version": 1, "title": "改后的计划"},
    ),
    Api(
        "/api/plans/{plan_id}/topics",
        "POST",
        SECRETARY_WRITE,
        obj="plan",
        body={"title": "新专题", "quarter": 2},
    ),
    Api(
        "/api/plans/topics/{topic_id}",
        "PATCH",
        SECRETARY_WRITE,
        obj="topic",
        body={"title": "改后的专题"},
    ),
    Api("/api/plans/topics/{topic_id}", "DELETE", SECRETARY_WRITE, obj="topic"),
    Api("/api/plans/{plan_id}/submit", "POST", SECRETARY_WRITE, obj="plan", body={"version": 1}),
    Api(
        "/api/plans/{plan_id}/approve",
        "POST",
        LEADER_WRITE,
        obj="submitted_plan",
        body={"version": 1},
    ),
    Api(
        "/api/plans/{plan_id}/return",
        "POST",
        LEADER_WRITE,
        obj="submitted_plan",
        body={"version": 1, "comment": "请补充专题"},
    ),
    Api(
        "/api/plans/{plan_id}/file",
        "POST",
        SECRETARY_WRITE,
        obj="approved_plan",
        body={"version": 1},
    ),
    Api(
        "/api/plans/{plan_id}/reopen",
        "POST",
        SECRETARY_WRITE,
        obj="filed_plan",
        body={"version": 1, "reason": "调整专题"},
    ),
    # outputs and conversions
    Api("/api/outputs", "GET", LIST),
    Api(
        "/api/outputs",
        "POST",
        MEMBERS_CREATE,
        body={"group": NOBODY, "kind": "reflection", "title": "心得", "body": "正文"},
    ),
    Api("/api/outputs/{output_id}", "GET", RECORD_READ, obj="output"),
    Api(
        "/api/outputs/counts",
        "GET",
        everyone_else({"supervisor": OK, "secretary": OK, "leader": OK}, DENIED),
    ),
    Api(
        "/api/outputs/{output_id}",
        "PATCH",
        AUTHOR_WRITE,
        obj="output",
        body={"version": 1, "title": "改后的题目"},
    ),
    Api("/api/outputs/{output_id}", "DELETE", AUTHOR_WRITE, obj="output"),
    Api(
        "/api/outputs/{output_id}/review",
        "POST",
        LEADER_WRITE,
        obj="output",
        body={"version": 1, "decision": "approve"},
    ),
    Api("/api/conversions", "GET", LIST),
    Api(
        "/api/conversions",
        "POST",
        SECRETARY_CREATES,
        body={"output": NOBODY, "kind": "measure", "title": "举措", "issued_on": "2026-03-01"},
    ),
    Api("/api/conversions/{conversion_id}", "GET", RECORD_READ, obj="conversion"),
    Api("/api/conversions/{conversion_id}", "DELETE", SECRETARY_WRITE, obj="conversion"),
    # rules
    Api("/api/rules", "GET", SUPERVISOR_ONLY),
    Api("/api/rules/overrides", "GET", LIST),
    Api(
        "/api/rules/overrides",
        "POST",
        SUPERVISOR_CREATES,
        body={"rule": "sessions_per_year", "unit": NOBODY, "value": 10},
    ),
    Api("/api/rules/overrides/{value_id}", "GET", SUPERVISOR_SUBTREE, obj="rule_value"),
    Api("/api/rules/overrides/{value_id}", "DELETE", SUPERVISOR_SUBTREE, obj="rule_value"),
]


def _attendance(world, rel):
    """The roll row of the member's make-up (in the own group: the `member` user's)."""
    from zhongxinzu.meetings.tests.matrix import OBJECTS as MEETINGS

    return MEETINGS["makeup"](world, rel).attendance


OBJECTS = {"attendance": _attendance}

ENTRIES += [
    # sessions
    Api("/api/sessions", "GET", LIST),
    Api(
        "/api/sessions",
        "POST",
        SECRETARY_CREATES,
        body={
            "group": NOBODY,
            "kind": "study",
            "title": "集体学习",
            "starts_at": "2026-05-06T09:00:00",
            "ends_at": "2026-05-06T12:00:00",
            "place": "第一会议室",
        },
    ),
    Api("/api/sessions/{session_id}", "GET", RECORD_READ, obj="session"),
    Api(
        "/api/sessions/{session_id}",
        "PATCH",
        SECRETARY_WRITE,
        obj="session",
        body={"version": 1, "place": "第二会议室"},
    ),
    Api("/api/sessions/{session_id}/held", "POST", SECRETARY_WRITE, obj="session"),
    Api(
        "/api/sessions/{session_id}/record",
        "POST",
        SECRETARY_WRITE,
        obj="session",
        body={"version": 1, "content": "学习内容", "effect": "学习效果"},
    ),
    Api("/api/sessions/{session_id}/sign-in-token", "GET", SECRETARY_WRITE, obj="session"),
    # attendance
    Api("/api/attendance", "GET", LIST),
    Api("/api/attendance/{attendance_id}", "GET", RECORD_READ, obj="attendance"),
    # without ?group= a caller in no group gets a 400 on that parameter
    Api("/api/attendance/rates", "GET", LIST),
    Api(
        "/api/attendance/roll-call",
        "POST",
        SECRETARY_CREATES,
        body={"session": NOBODY, "rows": [{"person": NOBODY, "status": "present"}]},
    ),
    # a stale or forged code: 400 for the groups' people
    Api("/api/attendance/sign-in", "POST", MEMBERS_CREATE, body={"token": "1-0000"}),
    # leave
    Api("/api/leave-requests", "GET", LIST),
    Api(
        "/api/leave-requests",
        "POST",
        MEMBERS_CREATE,
        body={"session": NOBODY, "reason": "出差"},
    ),
    Api("/api/leave-requests/{leave_id}", "GET", RECORD_READ, obj="leave_request"),
    Api(
        "/api/leave-requests/{leave_id}/decide",
        "POST",
        LEADER_WRITE,
        obj="leave_request",
        body={"decision": "approve"},
    ),
    # make-up study
    Api("/api/makeups", "GET", LIST),
    Api("/api/makeups/{makeup_id}", "GET", RECORD_READ, obj="makeup"),
    Api(
        "/api/makeups/{makeup_id}/submit",
        "POST",
        AUTHOR_WRITE,
        obj="makeup",
        body={"text": "补学心得"},
    ),
    Api(
        "/api/makeups/{makeup_id}/review",
        "POST",
        SECRETARY_WRITE,
        obj="makeup",
        body={"action": "confirm"},
    ),
]

ENTRIES += [
    # compliance: the drill-down and the documents are for the group's staff and supervisors
    Api("/api/compliance", "GET", SUPERVISOR_ONLY),
    Api("/api/compliance/groups/{group_id}", "GET", RECORD_READ, obj="group"),
    # "{check}" stays literal here: an unknown rule is a 400 for those allowed to look
    Api("/api/compliance/groups/{group_id}/records/{check}", "GET", STAFF_READ, obj="group"),
    Api("/api/groups/{group_id}/annual-report", "GET", STAFF_READ, obj="group"),
    Api(
        "/api/groups/{group_id}/annual-report",
        "PATCH",
        SECRETARY_WRITE,
        obj="group",
        body={"problems": "存在的问题", "next_steps": "下步打算"},
    ),
    Api("/api/groups/{group_id}/annual-report.docx", "GET", STAFF_READ, obj="group"),
    Api("/api/groups/{group_id}/attendance-register.xlsx", "GET", STAFF_READ, obj="group"),
]

# Supervision's operations live beside this module, one file per area.
from zhongxinzu.api.tests import (  # noqa: E402
    matrix_archive,
    matrix_assessment,
    matrix_bulletins,
    matrix_dashboard,
    matrix_filings,
    matrix_problems,
    matrix_statistics,
    matrix_visits,
)

ENTRIES += matrix_visits.ENTRIES + matrix_problems.ENTRIES + matrix_assessment.ENTRIES
ENTRIES += matrix_statistics.ENTRIES + matrix_filings.ENTRIES + matrix_bulletins.ENTRIES
ENTRIES += matrix_archive.ENTRIES + matrix_dashboard.ENTRIES
