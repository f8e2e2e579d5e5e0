"""/api/dashboard in the permission matrix."""

from zhongxinzu.lib.matrix import ALL_HIDDEN, DENIED, OK, OWN, SUBTREE, Api, everyone_else

ENTRIES = [
    Api("/api/dashboard", "GET", everyone_else({"supervisor": OK}, DENIED)),
    Api(
        "/api/dashboard/groups/{group_id}",
        "GET",
        everyone_else(
            {"supervisor": SUBTREE, "secretary": OWN, "leader": OWN, "member": OWN}, ALL_HIDDEN
        ),
        obj="group",
    ),
]
