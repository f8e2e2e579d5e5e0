"""学习统计 in the permission matrix: supervisors only, for units (and groups) of the
subtrees they supervise; every other role is refused (403), a unit outside is hidden (404)."""

from zhongxinzu.lib.matrix import DENIED, OK, SUBTREE, Page, everyone_else

SUPERVISORS = everyone_else({"supervisor": OK}, DENIED)
IN_SUBTREE = everyone_else({"supervisor": SUBTREE}, DENIED)

OBJECTS = {}

ENTRIES = [
    *(
        entry
        for name in ("stats:table", "stats:table_xlsx", "stats:records")
        for entry in (
            Page(name, "GET", SUPERVISORS),
            Page(name, "GET", IN_SUBTREE, obj="unit", param="unit"),
        )
    ),
    Page("stats:records", "GET", IN_SUBTREE, obj="group", param="group"),
]
