"""Every API operation × every role × every relation (see tests/test_permission_matrix.py).

Scope as in the UI: a supervisor reads and writes their subtree, a secretary their group
(and reads their unit), leaders and members read their group. The observer and the three
admin roles get no business data from the API: empty lists, 404 on any record.

Bodies are fixed, so create operations name records that do not exist: an allowed caller
gets a 400 on that field (counted as allowed), a caller without the right gets 403 first.
"""

from zhongxinzu.lib.matrix import (
    ALL_HIDDEN,
    DENIED,
    OK,
    OWN,
    OWN_READ_ONLY,
    SUBTREE,
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
