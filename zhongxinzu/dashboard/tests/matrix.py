"""驾驶舱: pages in the permission matrix."""

from zhongxinzu.lib.matrix import DENIED, OK, OWN, SUBTREE, Page, everyone_else

BUSINESS = everyone_else({"supervisor": OK, "secretary": OK, "leader": OK, "member": OK}, DENIED)

OBJECTS = {}

ENTRIES = [
    Page("dashboard:home", "GET", BUSINESS),
    Page("dashboard:unit", "GET", everyone_else({"supervisor": OK}, DENIED)),
    Page(
        "dashboard:unit",
        "GET",
        everyone_else({"supervisor": SUBTREE}, DENIED),
        obj="unit",
        param="unit",
    ),
    Page(
        "dashboard:group",
        "GET",
        everyone_else(
            {"supervisor": SUBTREE, "secretary": OWN, "leader": OWN, "member": OWN}, DENIED
        ),
        obj="group",
    ),
]
