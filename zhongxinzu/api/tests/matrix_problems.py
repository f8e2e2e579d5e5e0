"""API operations of supervision (score sheets, problems, rectifications) in the permission
matrix; see matrix.py.

Score sheets are read by the supervisors of the host group's subtree and by the observers of
the visiting team (the `observer` user is on the team of the "own" visit only); only those
observers fill them in. Problems and rectifications are seen by the supervisors of the
subtree and the group's secretary and leaders; the secretary reports progress, only the
supervisor closes or sends back. Objects come from supervision/tests/matrix.py.
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

NOBODY = 999_999_999

LIST = everyone_else({}, OK)
SUPERVISOR_ONLY = everyone_else({"supervisor": OK}, DENIED)
OBSERVER_ONLY = everyone_else({"observer": OK}, DENIED)
SCORE_READ = everyone_else({"supervisor": SUBTREE, "observer": OWN}, ALL_HIDDEN)
PROBLEM_WRITERS = everyone_else({"supervisor": OK, "secretary": OK}, DENIED)
# Without ?group= a supervisor gets a 400 on that parameter, the group's staff their group.
LIST_USERS = everyone_else({"supervisor": OK, "secretary": OK, "leader": OK}, DENIED)
PROBLEM_READ = everyone_else({"supervisor": SUBTREE, "secretary": OWN, "leader": OWN}, ALL_HIDDEN)
PROBLEM_REPORT = everyone_else(
    {"supervisor": SUBTREE_READ_ONLY, "secretary": OWN, "leader": OWN_READ_ONLY}, ALL_HIDDEN
)
PROBLEM_DECIDE = everyone_else(
    {"supervisor": SUBTREE, "secretary": OWN_READ_ONLY, "leader": OWN_READ_ONLY}, ALL_HIDDEN
)

ENTRIES = [
    # score sheets
    Api("/api/score-sheets", "GET", LIST),
    # a visit that does not exist: 400 for an observer, 403 for the others
    Api(
        "/api/score-sheets",
        "POST",
        OBSERVER_ONLY,
        body={"visit": NOBODY, "entries": [], "submit": False},
    ),
    Api("/api/score-sheets/templates", "GET", SUPERVISOR_ONLY),
    Api("/api/score-sheets/stats", "GET", SUPERVISOR_ONLY),
    Api("/api/score-sheets/visits/{visit_id}", "GET", SCORE_READ, obj="visit"),
    Api("/api/score-sheets/{sheet_id}", "GET", SCORE_READ, obj="score_sheet"),
    # problems
    Api("/api/problems", "GET", LIST),
    Api(
        "/api/problems",
        "POST",
        PROBLEM_WRITERS,
        body={
            "group": NOBODY,
            "source": "self_check",
            "category": "学习制度",
            "description": "研讨发言念稿",
            "measures": "脱稿交流",
            "deadline": "2026-12-31",
        },
    ),
    Api("/api/problems/lists", "GET", LIST_USERS),
    Api("/api/problems/lists.xlsx", "GET", LIST_USERS),
    Api("/api/problems/lists.docx", "GET", LIST_USERS),
    Api("/api/problems/{problem_id}", "GET", PROBLEM_READ, obj="problem"),
    # rectifications
    Api("/api/rectifications", "GET", LIST),
    Api("/api/rectifications/{rectification_id}", "GET", PROBLEM_READ, obj="rectification"),
    Api(
        "/api/rectifications/{rectification_id}/reports",
        "POST",
        PROBLEM_REPORT,
        obj="rectification",
        body={"version": 1, "text": "已整改", "evidence": "学习记录"},
    ),
    Api(
        "/api/rectifications/{rectification_id}/close",
        "POST",
        PROBLEM_DECIDE,
        obj="reported_rectification",
        body={"version": 1},
    ),
    Api(
        "/api/rectifications/{rectification_id}/return",
        "POST",
        PROBLEM_DECIDE,
        obj="reported_rectification",
        body={"version": 1, "note": "佐证材料不足"},
    ),
]
