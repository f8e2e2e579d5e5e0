"""Rules as data: resolve the values in force for a unit and year, and change them."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from zhongxinzu.audit.services import audit_record
from zhongxinzu.org.models import Unit
from zhongxinzu.org.selectors import ancestor_paths
from zhongxinzu.rules.models import Rule, RuleValue


def month_day(value: str, year: int) -> dt.date:
    """A "MM-DD" rule value in `year`; 02-29 falls on 02-28 in a common year."""
    month, day = (int(x) for x in str(value).split("-"))
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


DEFAULT_SOURCE = "全国/通用默认"


@dataclass
class RuleBook:
    """The rule values in force for one unit and year, with where each came from."""

    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def source(self, key: str) -> str:
        return self.sources[key]


def _rank(value: RuleValue) -> tuple[int, int]:
    depth = len(value.scope.path) if value.scope_id else 0
    return depth, 1 if value.year else 0


def _values_for(paths: set[str], year: int) -> list[RuleValue]:
    return list(
        RuleValue.objects.filter(Q(scope__isnull=True) | Q(scope__path__in=paths))
        .filter(Q(year__isnull=True) | Q(year=year))
        .select_related("rule", "scope")
    )


def _book(unit: Unit, values: list[RuleValue], year: int) -> RuleBook:
    book, best = RuleBook(), {}
    for v in values:
        if v.scope_id and not unit.path.startswith(v.scope.path):
            continue
        key = v.rule.key
        if key not in best or _rank(v) > _rank(best[key]):
            best[key] = v
    for key, v in best.items():
        book.values[key] = v.value
        where = v.scope.name if v.scope_id else DEFAULT_SOURCE
        book.sources[key] = f"{where}（{v.year}年）" if v.year else where
    return book


def rulebook_for(unit: Unit, year: int) -> RuleBook:
    """The nearest value up the tree wins; at the same unit a year's value beats the general."""
    return _book(unit, _values_for(set(ancestor_paths(unit)), year), year)


def rulebooks_for(units: list[Unit], year: int) -> dict[int, RuleBook]:
    """Rule books for many units with one query."""
    paths = {p for u in units for p in ancestor_paths(u)}
    values = _values_for(paths, year)
    return {u.pk: _book(u, values, year) for u in units}


def format_value(rule: Rule, value) -> str:
    """A rule value as shown to users: 90%, 1月31日, 是, 12 次."""
    if value is None:
        return "—"
    if rule.kind == Rule.Kind.BOOL:
        return "是" if value else "否"
    if rule.kind == Rule.Kind.PERCENT:
        return f"{value}%"
    if rule.kind == Rule.Kind.MONTH_DAY:
        month, _, day = str(value).partition("-")
        return f"{int(month)}月{int(day)}日" if month.isdigit() and day.isdigit() else str(value)
    return f"{value} {rule.unit}".strip()


def parse_value(rule: Rule, raw: Any) -> Any:
    text = str(raw).strip()
    if rule.kind in (Rule.Kind.INT, Rule.Kind.PERCENT):
        try:
            number = int(text)
        except ValueError:
            raise ValidationError({"value": f"“{rule.label}”应为整数"}) from None
        upper = 100 if rule.kind == Rule.Kind.PERCENT else 10000
        if not 0 <= number <= upper:
            raise ValidationError({"value": f"“{rule.label}”应在0到{upper}之间"})
        return number
    if rule.kind == Rule.Kind.BOOL:
        if text.lower() in ("1", "true", "是", "yes"):
            return True
        if text.lower() in ("0", "false", "否", "no"):
            return False
        raise ValidationError({"value": f"“{rule.label}”应为“是”或“否”"})
    try:
        dt.datetime.strptime(f"2024-{text}", "%Y-%m-%d")
    except ValueError:
        raise ValidationError({"value": f"“{rule.label}”应为“月-日”格式，例如01-31"}) from None
    return text


@transaction.atomic
def rule_value_set(
    *, actor, rule: Rule, scope: Unit | None, year: int | None, value: Any, note: str = ""
) -> RuleValue:
    """Set (or replace) the value of `rule` for `scope`'s subtree and `year`; audited."""
    parsed = parse_value(rule, value)
    if year is not None and not 2000 <= year <= 2100:
        raise ValidationError({"year": "年度不正确"})
    existing = RuleValue.objects.filter(rule=rule, scope=scope, year=year).first()
    old = existing.value if existing else None
    if existing:
        existing.value, existing.note, existing.set_by = parsed, note, actor
        existing.save()
        rv = existing
    else:
        rv = RuleValue.objects.create(
            rule=rule, scope=scope, year=year, value=parsed, note=note, set_by=actor
        )
    audit_record(
        actor=actor,
        action="rule_change",
        obj=rv,
        detail={
            "rule": rule.key,
            "scope": getattr(scope, "code", None),
            "year": year,
            "old": old,
            "new": parsed,
        },
    )
    return rv


@transaction.atomic
def rule_value_clear(*, actor, value: RuleValue) -> None:
    """Remove an override so the value from further up the tree applies again."""
    if value.scope_id is None and value.year is None:
        raise ValidationError("全国/通用默认值不能删除，只能修改")
    audit_record(
        actor=actor,
        action="rule_change",
        obj=value,
        detail={"rule": value.rule.key, "old": value.value, "new": None},
    )
    RuleValue.objects.filter(pk=value.pk).delete()
