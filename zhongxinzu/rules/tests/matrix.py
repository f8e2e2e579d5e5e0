"""Rule overrides: supervisors only, and only within their subtree. The holiday calendar:
the system administrator only."""

from zhongxinzu.lib.matrix import DENIED, OK, SUBTREE, Page, everyone_else

SUPERVISOR_ONLY = everyone_else({"supervisor": OK}, DENIED)
SUPERVISOR_SUBTREE = everyone_else({"supervisor": SUBTREE}, DENIED)
SYS_ADMIN_ONLY = everyone_else({"sys_admin": OK}, DENIED)


def _rule_value(world, rel):
    from zhongxinzu.rules.models import Rule, RuleValue

    return RuleValue.objects.get_or_create(
        rule=Rule.objects.get(key="sessions_per_year"),
        scope=world.units[rel],
        year=None,
        defaults={"value": 10},
    )[0]


def _calendar_day(world, rel):
    import datetime as dt

    from zhongxinzu.rules.models import CalendarDay

    return CalendarDay.objects.get_or_create(
        date=dt.date(2099, 1, 1), defaults={"kind": "holiday", "name": "元旦"}
    )[0]


OBJECTS = {"rule_value": _rule_value, "calendar_day": _calendar_day}

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
    Page("rules:calendar", "GET", SYS_ADMIN_ONLY),
    Page("rules:calendar", "POST", SYS_ADMIN_ONLY, data={"lines": "2099-01-02 元旦 休"}),
    Page("rules:calendar_delete", "POST", SYS_ADMIN_ONLY, obj="calendar_day"),
]
