"""Rules as data: resolve the values in force for a unit and year, and change them."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from zhongxinzu.audit.services import audit_record
from zhongxinzu.lib import workdays
from zhongxinzu.org.models import Unit
from zhongxinzu.org.selectors import ancestor_paths
from zhongxinzu.rules.models import CalendarDay, Rule, RuleValue


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


# --- Official holidays and 调休 working days (lib.workdays reads them) ---

HOLIDAY_WORDS = ["休", "放假", "休息", "假", "节假日", "holiday"]
WORKDAY_WORDS = ["班", "上班", "调休上班", "补班", "工作日", "workday"]
KIND_WORDS = {
    **dict.fromkeys(HOLIDAY_WORDS, CalendarDay.Kind.HOLIDAY),
    **dict.fromkeys(WORKDAY_WORDS, CalendarDay.Kind.WORKDAY),
}
CALENDAR_MAX_LINES = 400
CALENDAR_MAX_RANGE = 31
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
_SPLIT = re.compile(r"[\s,，]+")


@dataclass(frozen=True)
class CalendarEntry:
    line: int
    date: dt.date
    kind: str
    name: str


def calendar_year_days(year: int) -> workdays.EnteredDays:
    """One year's entered days as lib.workdays reads them (registered in apps.py)."""
    rows = CalendarDay.objects.filter(date__year=year).values_list("date", "kind")
    return {day: kind == CalendarDay.Kind.WORKDAY for day, kind in rows}


def _calendar_changed() -> None:
    workdays.forget_entered_days()
    transaction.on_commit(workdays.forget_entered_days)


def _parse_date(text: str) -> dt.date | None:
    match = _DATE.fullmatch(text)
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _parse_days(token: str) -> list[dt.date] | str:
    """The day or range ("2027-10-01至2027-10-07") of a line, or what is wrong with it."""
    parts = re.split(r"至|~|～", token)
    if len(parts) > 2:
        return f"“{token}”不是有效日期"
    dates = [_parse_date(p) for p in parts]
    bad = [p for p, d in zip(parts, dates, strict=True) if d is None]
    if bad:
        return f"“{bad[0]}”不是有效日期，请按“2027-01-01”的格式填写"
    first, last = dates[0], dates[-1]
    if not 2000 <= first.year <= 2100 or not 2000 <= last.year <= 2100:
        return "日期应在2000年到2100年之间"
    if last < first:
        return f"“{token}”的结束日期早于开始日期"
    if (last - first).days >= CALENDAR_MAX_RANGE:
        return f"一行的日期范围不能超过{CALENDAR_MAX_RANGE}天"
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def parse_calendar_lines(text: str) -> list[CalendarEntry]:
    """Lines "日期 [名称] 休|上班" as entries; every error of every line, with its number."""
    entries: list[CalendarEntry] = []
    errors: list[str] = []
    seen: dict[dt.date, int] = {}
    lines = text.splitlines()
    if len(lines) > CALENDAR_MAX_LINES:
        raise ValidationError({"lines": f"一次最多录入{CALENDAR_MAX_LINES}行"})
    for number, raw in enumerate(lines, start=1):
        words = [w for w in _SPLIT.split(raw.strip()) if w]
        if not words or words[0].startswith("#"):
            continue
        days = _parse_days(words[0])
        if isinstance(days, str):
            errors.append(f"第{number}行：{days}")
            continue
        kinds = {KIND_WORDS[w.lower()] for w in words[1:] if w.lower() in KIND_WORDS}
        if len(kinds) != 1:
            errors.append(
                f"第{number}行：请写明“休”（放假）或“上班”（调休上班）"
                if not kinds
                else f"第{number}行：不能同时写“休”和“上班”"
            )
            continue
        kind = kinds.pop()
        name = " ".join(w for w in words[1:] if w.lower() not in KIND_WORDS)
        if len(name) > 40:
            errors.append(f"第{number}行：名称最多40个字")
            continue
        for day in days:
            if day in seen:
                errors.append(f"第{number}行：{day:%Y-%m-%d}与第{seen[day]}行重复")
                continue
            seen[day] = number
            entries.append(CalendarEntry(number, day, kind, name))
    if errors:
        raise ValidationError({"lines": errors})
    if not entries:
        raise ValidationError({"lines": "请至少填写一行，例如“2027-01-01 元旦 休”"})
    return entries


@transaction.atomic
def calendar_days_add(*, actor, lines: str) -> list[CalendarDay]:
    """Enter official holidays and 调休 working days pasted as lines, e.g. "2027-01-01 元旦 休",
    "2027-02-07 调休上班", "2027-10-01至2027-10-07 国庆节 休". All lines or none (a bad
    line or a day already entered refuses the paste); audited; working days follow at once."""
    entries = parse_calendar_lines(lines)
    taken = {d.date: d for d in CalendarDay.objects.filter(date__in=[e.date for e in entries])}
    if taken:
        raise ValidationError(
            {
                "lines": [
                    f"第{e.line}行：{e.date:%Y-%m-%d}已录入为“{taken[e.date]}”，如需修改请先删除"
                    for e in entries
                    if e.date in taken
                ]
            }
        )
    days = CalendarDay.objects.bulk_create(
        CalendarDay(date=e.date, kind=e.kind, name=e.name) for e in entries
    )
    audit_record(
        actor=actor,
        action="calendar_day_add",
        object_type=CalendarDay._meta.label,
        detail={"days": [[f"{e.date:%Y-%m-%d}", e.kind, e.name] for e in entries]},
    )
    _calendar_changed()
    return days


@transaction.atomic
def calendar_day_delete(*, actor, day: CalendarDay) -> None:
    """Remove an entered day: chinese_calendar (or Monday–Friday) applies to it again."""
    audit_record(
        actor=actor,
        action="calendar_day_delete",
        obj=day,
        detail={"date": f"{day.date:%Y-%m-%d}", "kind": day.kind, "name": day.name},
    )
    CalendarDay.objects.filter(pk=day.pk).delete()
    _calendar_changed()
