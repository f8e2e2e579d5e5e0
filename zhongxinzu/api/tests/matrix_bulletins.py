"""/api/bulletins in the permission matrix (objects from bulletins/tests/matrix.py).

The API gives the admins no business data: their lists are empty and objects 404. Roles
without a bulletin in scope see 404 for one, where the pages answer 403 for the role."""

from zhongxinzu.bulletins.tests.matrix import ABOVE, ABOVE_READ_ONLY, SUBTREE_READ_ONLY
from zhongxinzu.lib.matrix import ALL_HIDDEN, OK, SUBTREE, Api, everyone_else

NOBODY = 999_999_999
LIST = everyone_else({}, OK)
CREATE = everyone_else({"supervisor": OK}, 403)
ISSUED_READ = everyone_else(
    {"supervisor": SUBTREE, "secretary": ABOVE, "leader": ABOVE, "member": ABOVE}, ALL_HIDDEN
)
DRAFT_WRITE = everyone_else({"supervisor": SUBTREE}, ALL_HIDDEN)
ISSUED_WRITE = everyone_else(
    {
        "supervisor": SUBTREE,
        "secretary": {**ABOVE_READ_ONLY},
        "leader": {**ABOVE_READ_ONLY},
        "member": {**ABOVE_READ_ONLY},
    },
    ALL_HIDDEN,
)
ACK = everyone_else(
    {
        "supervisor": SUBTREE_READ_ONLY,
        "secretary": ABOVE,
        "leader": ABOVE,
        "member": ABOVE_READ_ONLY,
    },
    ALL_HIDDEN,
)

ENTRIES = [
    Api("/api/bulletins", "GET", LIST),
    Api("/api/bulletins", "POST", CREATE, body={"issuer_unit": NOBODY, "period": "year"}),
    Api("/api/bulletins/{bulletin_id}", "GET", ISSUED_READ, obj="bulletin"),
    Api("/api/bulletins/{bulletin_id}", "GET", DRAFT_WRITE, obj="draft_bulletin"),
    Api(
        "/api/bulletins/{bulletin_id}",
        "PATCH",
        DRAFT_WRITE,
        obj="draft_bulletin",
        body={"version": 1, "requirements": "（一）新的要求。"},
    ),
    Api(
        "/api/bulletins/{bulletin_id}",
        "PATCH",
        ISSUED_WRITE,
        obj="bulletin",
        body={"version": 1, "overview": "改后的总体情况。", "reason": "更正"},
    ),
    Api(
        "/api/bulletins/{bulletin_id}/issue",
        "POST",
        DRAFT_WRITE,
        obj="draft_bulletin",
        body={"version": 1},
    ),
    Api("/api/bulletins/{bulletin_id}/docx", "GET", ISSUED_READ, obj="bulletin"),
    Api("/api/bulletins/{bulletin_id}/acknowledge", "POST", ACK, obj="bulletin", body={}),
]
