"""Rule overrides: supervisors only, and only within their subtree."""

from zhongxinzu.lib.matrix import DENIED, OK, SUBTREE, Page, everyone_else

SUPERVISOR_ONLY = everyone_else({"supervisor": OK}, DENIED)
SUPERVISOR_SUBTREE = everyone_else({"supervisor": SUBTREE}, DENIED)


def _rule_value(world, rel):
    from zhongxinzu.rules.models import Rule, RuleValue

    return RuleValue.objects.get_or_create(
        rule=Rule.objects.get(key="sessions_per_year"),
        scope=world.units[rel],
        year=None,
        defaults={"value": 10},
    )[0]


OBJECTS = {"rule_value": _rule_value}

ENTRIES = [
    Page("rules:rule_list", "GET", SUPERVISOR_ONLY),
    Page("rules:rule_list", "GET", SUPERVISOR_SUBTREE, obj="unit", param="unit"),
    Page("rules:value_set", "GET", SUPERVISOR_SUBTREE, obj="unit"),
    Page(
        "rules:value_set",
        "POST",
        SUPERVISOR_SUBTREE,
        obj="unit",
        data={"rule": "attendance_rate", "value": "85"},
    ),
    Page("rules:value_clear", "POST", SUPERVISOR_SUBTREE, obj="rule_value"),
]
