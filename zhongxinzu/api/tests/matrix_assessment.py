"""API operations of supervision (assessment) in the permission matrix; see matrix.py.

A scheme belongs to a supervising unit: the supervisors of that unit and of the units above
it see and manage it; nobody else sees it (404), not even the assessed groups. A group's
secretary and leaders read their own group's score card once the scheme is published.
Objects come from assessment/tests/matrix.py: "scheme" is a draft, "published_scheme" is
locked (writes to it answer 400 for the supervisors: create a new edition first).
"""

from zhongxinzu.lib.matrix import ALL_HIDDEN, DENIED, OK, OWN, SUBTREE, Api, everyone_else

NOBODY = 999_999_999
LIST = everyone_else({}, OK)
SUPERVISOR_CREATES = everyone_else({"supervisor": OK}, DENIED)
SCHEME = everyone_else({"supervisor": SUBTREE}, ALL_HIDDEN)
CARD = everyone_else({"supervisor": SUBTREE, "secretary": OWN, "leader": OWN}, ALL_HIDDEN)

ENTRIES = [
    Api("/api/assessments", "GET", LIST),
    Api("/api/assessments", "POST", SUPERVISOR_CREATES, body={"owner_unit": NOBODY, "year": 2026}),
    Api("/api/assessments/results", "GET", LIST),
    Api("/api/assessments/results/{result_id}", "GET", CARD, obj="assessment_result"),
    Api("/api/assessments/{scheme_id}", "GET", SCHEME, obj="scheme"),
    Api("/api/assessments/{scheme_id}", "GET", SCHEME, obj="published_scheme"),
    Api(
        "/api/assessments/{scheme_id}",
        "PATCH",
        SCHEME,
        obj="scheme",
        body={"version": 1, "name": "改后的考核方案", "bottom_n": 2},
    ),
    Api(
        "/api/assessments/{scheme_id}",
        "PATCH",
        SCHEME,
        obj="published_scheme",
        body={"version": 1, "name": "改后的考核方案"},
    ),
    Api("/api/assessments/{scheme_id}/indicators", "POST", SCHEME, obj="scheme"),
    Api(
        "/api/assessments/{scheme_id}/indicators/{indicator_id}",
        "DELETE",
        SCHEME,
        obj="indicator",
    ),
    Api(
        "/api/assessments/{scheme_id}/manual-scores",
        "PUT",
        SCHEME,
        obj="scheme",
        body={"indicator": NOBODY, "scores": []},
    ),
    Api(
        "/api/assessments/{scheme_id}/adjustments",
        "POST",
        SCHEME,
        obj="scheme",
        body={"group": NOBODY, "points": -2, "reason": "未按期报备", "evidence": "督查通报"},
    ),
    Api(
        "/api/assessments/{scheme_id}/adjustments/{adjustment_id}",
        "DELETE",
        SCHEME,
        obj="adjustment",
    ),
    Api("/api/assessments/{scheme_id}/compute", "POST", SCHEME, obj="scheme"),
    Api("/api/assessments/{scheme_id}/publish", "POST", SCHEME, obj="scheme", body={"version": 1}),
    Api("/api/assessments/{scheme_id}/new-edition", "POST", SCHEME, obj="published_scheme"),
    Api("/api/assessments/{scheme_id}/results", "GET", SCHEME, obj="scheme"),
    Api("/api/assessments/{scheme_id}/results", "GET", SCHEME, obj="published_scheme"),
    Api("/api/assessments/{scheme_id}/talk-list", "GET", SCHEME, obj="published_scheme"),
    Api("/api/assessments/{scheme_id}/ranking.xlsx", "GET", SCHEME, obj="published_scheme"),
]
