"""API operations of supervision (visits) in the permission matrix; see matrix.py.

The expert pool, teams and visit plans belong to a supervising unit: its supervisors and
those above manage them; everyone else gets empty lists and 404. A visit is read by the
supervisors of the host group's subtree, the host group's secretary and leaders and the
observers of the visiting team (the `observer` user is on the "own" visit's team only);
visits of draft plans only by the supervisors. Objects come from
zhongxinzu/supervision/tests/matrix.py.
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

NOBODY = 999_999_999  # a record that does not exist: 400 on that field for the allowed

LIST = everyone_else({}, OK)
SUPERVISOR_CREATES = everyone_else({"supervisor": OK}, DENIED)
OWNED = everyone_else({"supervisor": SUBTREE}, ALL_HIDDEN)
VISIT_READ = everyone_else(
    {"supervisor": SUBTREE, "secretary": OWN, "leader": OWN, "observer": OWN}, ALL_HIDDEN
)
# The published visit is seen by the host and the team but only the plan's supervisors
# change the plan (and get a 400: the plan is published).
PLAN_EDIT = everyone_else(
    {
        "supervisor": SUBTREE,
        "secretary": OWN_READ_ONLY,
        "leader": OWN_READ_ONLY,
        "observer": OWN_READ_ONLY,
    },
    ALL_HIDDEN,
)
MATERIALS = everyone_else(
    {
        "supervisor": SUBTREE_READ_ONLY,
        "secretary": OWN,
        "leader": OWN_READ_ONLY,
        "observer": OWN_READ_ONLY,
    },
    ALL_HIDDEN,
)
TEAM_NOTES = everyone_else(
    {
        "supervisor": SUBTREE,
        "secretary": OWN_READ_ONLY,
        "leader": OWN_READ_ONLY,
        "observer": OWN,
    },
    ALL_HIDDEN,
)
FEEDBACK = PLAN_EDIT

ENTRIES = [
    # 专家库
    Api("/api/experts", "GET", LIST),
    Api("/api/experts", "POST", SUPERVISOR_CREATES, body={"owner_unit": NOBODY, "name": "专家"}),
    Api("/api/experts/{expert_id}", "GET", OWNED, obj="expert"),
    Api(
        "/api/experts/{expert_id}",
        "PATCH",
        OWNED,
        obj="expert",
        body={"version": 1, "field": "党建", "is_active": False},
    ),
    # 旁听组
    Api("/api/teams", "GET", LIST),
    Api(
        "/api/teams",
        "POST",
        SUPERVISOR_CREATES,
        body={"owner_unit": NOBODY, "year": 2026, "name": "新旁听组"},
    ),
    Api("/api/teams/{team_id}", "GET", OWNED, obj="team"),
    Api(
        "/api/teams/{team_id}",
        "PATCH",
        OWNED,
        obj="team",
        body={"version": 1, "name": "改名后的旁听组"},
    ),
    Api("/api/teams/{team_id}/members", "POST", OWNED, obj="team", body={"expert": NOBODY}),
    Api("/api/teams/{team_id}/members/{team_member_id}", "DELETE", OWNED, obj="team_member"),
    Api(
        "/api/teams/{team_id}/members/{team_member_id}/leader",
        "POST",
        OWNED,
        obj="team_member",
    ),
    # 旁听计划
    Api("/api/visit-plans", "GET", LIST),
    Api(
        "/api/visit-plans",
        "POST",
        SUPERVISOR_CREATES,
        body={
            "owner_unit": NOBODY,
            "year": 2026,
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
    ),
    Api("/api/visit-plans/{visit_plan_id}", "GET", OWNED, obj="visit_plan"),
    # a draft without visits: 400 for the supervisors
    Api(
        "/api/visit-plans/{visit_plan_id}/publish",
        "POST",
        OWNED,
        obj="visit_plan",
        body={"version": 1},
    ),
    Api("/api/visit-plans/{visit_plan_id}", "DELETE", OWNED, obj="visit_plan"),
    # 列席旁听
    Api("/api/visits", "GET", LIST),
    Api("/api/visits/{visit_id}", "GET", VISIT_READ, obj="visit"),
    Api("/api/visits/{visit_id}", "GET", OWNED, obj="draft_visit"),
    Api(
        "/api/visits/{visit_id}",
        "PATCH",
        OWNED,
        obj="draft_visit",
        body={"version": 1, "planned_on": "2026-06-17"},
    ),
    Api(
        "/api/visits/{visit_id}",
        "PATCH",
        PLAN_EDIT,
        obj="visit",
        body={"version": 1, "planned_on": "2026-06-17"},
    ),
    Api("/api/visits/{visit_id}", "DELETE", OWNED, obj="draft_visit"),
    Api("/api/visits/{visit_id}", "DELETE", PLAN_EDIT, obj="visit"),
    Api("/api/visits/{visit_id}/materials", "POST", MATERIALS, obj="visit", body={}),
    Api(
        "/api/visits/{visit_id}/checklist",
        "POST",
        TEAM_NOTES,
        obj="visit",
        body={"checked": ["plan", "roster"], "note": "材料基本齐全"},
    ),
    Api(
        "/api/visits/{visit_id}/onsite",
        "POST",
        TEAM_NOTES,
        obj="visit",
        body={"comments": "现场点评"},
    ),
    Api(
        "/api/visits/{visit_id}/interview",
        "POST",
        TEAM_NOTES,
        obj="visit",
        body={"notes": "访谈记录"},
    ),
    Api(
        "/api/visits/{visit_id}/summary",
        "POST",
        TEAM_NOTES,
        obj="visit",
        body={"overall": "总体评价", "highlights": "亮点", "problems": "问题"},
    ),
    # no summary yet: 400 for the supervisors
    Api("/api/visits/{visit_id}/feedback", "POST", FEEDBACK, obj="visit"),
    # before the feedback only the team and the supervisors (who get a 400: no summary yet)
    Api("/api/visits/{visit_id}/feedback.docx", "GET", TEAM_NOTES, obj="visit"),
]
