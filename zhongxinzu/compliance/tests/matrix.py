"""规则落实 pages, documents and the reminder inbox."""

from zhongxinzu.lib.matrix import (
    ALL_HIDDEN,
    DENIED,
    OK,
    OWN,
    OWN_READ_ONLY,
    SUBTREE,
    SUBTREE_READ_ONLY,
    Page,
    everyone_else,
)

BUSINESS = everyone_else({"supervisor": OK, "secretary": OK, "leader": OK, "member": OK}, DENIED)
SUPERVISOR_ONLY = everyone_else({"supervisor": OK}, DENIED)
LOGGED_IN = everyone_else({}, OK)
GROUP_READ = everyone_else(
    {"supervisor": SUBTREE, "secretary": OWN, "leader": OWN, "member": OWN}, DENIED
)
# the group's secretary and leaders, and supervisors above it; plain members may not
STAFF_READ = everyone_else(
    {"supervisor": SUBTREE, "secretary": OWN, "leader": OWN, "member": OWN_READ_ONLY}, DENIED
)
SECRETARY_WRITE = everyone_else(
    {
        "supervisor": SUBTREE_READ_ONLY,
        "secretary": OWN,
        "leader": OWN_READ_ONLY,
        "member": OWN_READ_ONLY,
    },
    DENIED,
)
# a notification belongs to one user: the member's, whatever the relation
MEMBERS_OWN = {**everyone_else({"member": OK}, ALL_HIDDEN)}


def _notification(world, rel):
    from zhongxinzu.compliance.models import Notification

    return Notification.objects.get_or_create(
        user=world.users["member"],
        key=f"test:{rel}",
        defaults={"kind": "makeup", "message": "补学已逾期", "link": "/compliance/"},
    )[0]


OBJECTS = {"notification": _notification}

ENTRIES = [
    Page("compliance:home", "GET", BUSINESS),
    Page("compliance:overview", "GET", SUPERVISOR_ONLY),
    Page("compliance:overview_xlsx", "GET", SUPERVISOR_ONLY),
    Page(
        "compliance:overview_xlsx",
        "GET",
        everyone_else({"supervisor": SUBTREE}, DENIED),
        obj="unit",
        param="unit",
    ),
    Page(
        "compliance:overview",
        "GET",
        everyone_else({"supervisor": SUBTREE}, DENIED),
        obj="unit",
        param="unit",
    ),  # fmt: skip
    Page("compliance:group_detail", "GET", GROUP_READ, obj="group"),
    Page("compliance:records", "GET", STAFF_READ, obj="group", kwargs={"key": "sessions"}),
    Page("compliance:report_edit", "GET", STAFF_READ, obj="group"),
    Page(
        "compliance:report_edit",
        "POST",
        SECRETARY_WRITE,
        obj="group",
        data={"problems": "问题", "next_steps": "打算"},
    ),
    Page("compliance:report_docx", "GET", STAFF_READ, obj="group"),
    Page("compliance:register", "GET", STAFF_READ, obj="group"),
    Page("compliance:register_xlsx", "GET", STAFF_READ, obj="group"),
    Page("compliance:inbox", "GET", LOGGED_IN),
    Page("compliance:inbox", "POST", LOGGED_IN),
    Page("compliance:notification_read", "POST", MEMBERS_OWN, obj="notification"),
]
