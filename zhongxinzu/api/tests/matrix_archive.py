"""/api/archive in the permission matrix (objects: archive/tests/matrix.py)."""

from zhongxinzu.lib.matrix import ALL_HIDDEN, OWN, OWN_READ_ONLY, SUBTREE, Api, everyone_else

ARCHIVE_READ = everyone_else(
    {"supervisor": SUBTREE, "secretary": OWN, "leader": OWN, "member": OWN_READ_ONLY},
    ALL_HIDDEN,
)
ARCHIVE_BUILD = everyone_else(
    {
        "supervisor": SUBTREE,
        "secretary": OWN,
        "leader": OWN_READ_ONLY,
        "member": OWN_READ_ONLY,
    },
    ALL_HIDDEN,
)

ENTRIES = [
    Api("/api/archive/groups/{group_id}", "GET", ARCHIVE_READ, obj="group"),
    Api(
        "/api/archive/groups/{group_id}/build",
        "POST",
        ARCHIVE_BUILD,
        obj="group",
        body={"year": 2026},
    ),
    Api("/api/archive/volumes/{volume_id}/download", "GET", ARCHIVE_READ, obj="archive_volume"),
]
