"""Working-day arithmetic on China's official calendar (holidays and make-up working days).

Two sources, the first that knows a day wins:
1. days an administrator entered (rules.CalendarDay): the rules app registers a loader with
   `use_entered_days` at start-up, so this bottom layer imports no app;
2. the maintained `chinese_calendar` package.
A year neither covers falls back to Monday–Friday; `is_official(year)` tells which applies
so pages can say so.

Deadlines are computed for thousands of groups, so a year's entered days are loaded with
one query and kept: the rules app forgets them when each request starts and after each
write, and a long-running process outside requests (the job worker) re-reads them after
`ENTERED_TTL` seconds."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import chinese_calendar

# date -> True (a working day) / False (a day off), for one year
EnteredDays = dict[dt.date, bool]
ENTERED_TTL = 60.0


def _nothing_entered(year: int) -> EnteredDays:
    return {}


_loader: Callable[[int], EnteredDays] = _nothing_entered
_cache: dict[int, tuple[float, EnteredDays]] = {}


def use_entered_days(loader: Callable[[int], EnteredDays]) -> Callable[[int], EnteredDays]:
    """Read entered days through `loader(year)`; returns the loader it replaces."""
    global _loader
    previous, _loader = _loader, loader
    forget_entered_days()
    return previous


def forget_entered_days() -> None:
    _cache.clear()


def entered_days(year: int) -> EnteredDays:
    now = time.monotonic()
    hit = _cache.get(year)
    if hit is None or now - hit[0] > ENTERED_TTL:
        hit = _cache[year] = (now, _loader(year))
    return hit[1]


def package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 2))
    except NotImplementedError:
        return False
    return True


def is_official(year: int) -> bool:
    """Whether `year`'s holidays are known (entered, or in chinese_calendar)."""
    return bool(entered_days(year)) or package_covers(year)


def missing_years(*years: int) -> list[int]:
    """The given years whose working days fall back to Monday–Friday, sorted."""
    return sorted(y for y in set(years) if not is_official(y))


def is_workday(day: dt.date) -> bool:
    entered = entered_days(day.year).get(day)
    if entered is not None:
        return entered
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (before it, if negative)."""
    step = 1 if days >= 0 else -1
    day, remaining = start, abs(days)
    while remaining:
        day += dt.timedelta(days=step)
        if is_workday(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (negative if end < start)."""
    if end < start:
        return -working_days_between(end, start)
    return sum(
        1 for i in range(1, (end - start).days + 1) if is_workday(start + dt.timedelta(days=i))
    )
