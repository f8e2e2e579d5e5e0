from zhongxinzu.lib.matrix import (
    DENIED,
    OK,
    OWN,
    OWN_READ_ONLY,
    SUBTREE,
    Page,
    everyone_else,
)

BROWSE = everyone_else(
    {"supervisor": OK, "secretary": OK, "leader": OK, "member": OK, "sys_admin": OK}, DENIED
)
BUSINESS = everyone_else({"supervisor": OK, "secretary": OK, "leader": OK, "member": OK}, DENIED)
SUPERVISOR_ONLY = everyone_else({"supervisor": OK}, DENIED)
UNIT_WRITE = everyone_else(
    {
        "supervisor": SUBTREE,
        "secretary": OWN_READ_ONLY,
        "leader": OWN_READ_ONLY,
        "member": OWN_READ_ONLY,
        "sys_admin": OK,
    },
    DENIED,
)
GROUP_READ = everyone_else(
    {"supervisor": SUBTREE, "secretary": OWN, "leader": OWN, "member": OWN}, DENIED
)
GROUP_WRITE = everyone_else(
    {"supervisor": SUBTREE, "secretary": OWN, "leader": OWN_READ_ONLY, "member": OWN_READ_ONLY},
    DENIED,
)
ROSTER_IMPORT = everyone_else({"supervisor": OK, "secretary": OK}, DENIED)
UNIT_IMPORT = everyone_else({"supervisor": OK, "sys_admin": OK}, DENIED)


def _requirement(world, rel):
    from zhongxinzu.org.models import RosterRequirement

    return RosterRequirement.objects.get_or_create(
        scope=world.units[rel], label="党群部门负责人", keywords="党群工作部"
    )[0]


OBJECTS = {"requirement": _requirement}

ENTRIES = [
    Page("org:unit_list", "GET", BROWSE),
    Page("org:unit_create", "GET", everyone_else({"sys_admin": OK}, DENIED)),
    Page("org:unit_create", "GET", UNIT_WRITE, obj="unit", param="parent"),
    Page(
        "org:unit_create",
        "POST",
        UNIT_WRITE,
        obj="unit",
        param="parent",
        data={"name": "新单位", "code": "NEW1", "kind": "党委", "order": 1},
    ),
    Page(
        "org:unit_detail",
        "GET",
        everyone_else(
            {
                "supervisor": SUBTREE,
                "secretary": OWN,
                "leader": OWN,
                "member": OWN,
                "sys_admin": OK,
            },
            DENIED,
        ),
        obj="unit",
    ),
    Page("org:unit_edit", "GET", UNIT_WRITE, obj="unit"),
    Page("org:unit_edit", "POST", UNIT_WRITE, obj="unit", data={"name": ""}),
    Page(
        "org:unit_move", "GET", {**UNIT_WRITE, "supervisor": {**SUBTREE, "own": DENIED}}, obj="unit"
    ),
    Page(
        "org:unit_move",
        "POST",
        {**UNIT_WRITE, "supervisor": {**SUBTREE, "own": DENIED}},
        obj="unit",
        data={"parent_code": "B"},
    ),
    Page("org:unit_set_active", "POST", UNIT_WRITE, obj="unit", data={"active": "0"}),
    Page("org:group_detail", "GET", GROUP_READ, obj="group"),
    Page("org:membership_create", "GET", GROUP_WRITE, obj="group"),
    Page("org:membership_create", "POST", GROUP_WRITE, obj="group", data={"role": "member"}),
    Page("org:membership_edit", "GET", GROUP_WRITE, obj="membership"),
    Page("org:membership_edit", "POST", GROUP_WRITE, obj="membership", data={"role": "x"}),
    Page("org:membership_end", "GET", GROUP_WRITE, obj="membership"),
    Page("org:membership_end", "POST", GROUP_WRITE, obj="membership", data={"end_date": "x"}),
    Page("org:person_list", "GET", BUSINESS),
    Page("org:person_create", "GET", everyone_else({"supervisor": OK, "secretary": OK}, DENIED)),
    Page(
        "org:person_create",
        "POST",
        everyone_else({"supervisor": OK, "secretary": OK}, DENIED),
        data={"name": ""},
    ),
    Page("org:person_detail", "GET", GROUP_READ, obj="person"),
    Page("org:person_edit", "GET", GROUP_WRITE, obj="person"),
    Page("org:person_edit", "POST", GROUP_WRITE, obj="person", data={"name": ""}),
    Page("org:person_deactivate", "POST", GROUP_WRITE, obj="person"),
    Page("org:requirement_list", "GET", SUPERVISOR_ONLY),
    Page("org:requirement_list", "POST", SUPERVISOR_ONLY, data={"label": ""}),
    Page(
        "org:requirement_deactivate",
        "POST",
        everyone_else({"supervisor": SUBTREE}, DENIED),
        obj="requirement",
    ),
    # Excel import and export
    Page("org:import_home", "GET", ROSTER_IMPORT),
    Page("org:import_units", "GET", UNIT_IMPORT),
    Page("org:import_units", "POST", UNIT_IMPORT),
    Page("org:import_roster", "GET", ROSTER_IMPORT),
    Page("org:import_roster", "POST", ROSTER_IMPORT),
    Page("org:units_template", "GET", UNIT_IMPORT),
    Page("org:roster_template", "GET", ROSTER_IMPORT),
    Page("org:unit_export", "GET", BROWSE),
    Page("org:person_export", "GET", BUSINESS),
    Page("org:roster_export", "GET", GROUP_READ, obj="group"),
    Page("org:requirement_export", "GET", SUPERVISOR_ONLY),
]
