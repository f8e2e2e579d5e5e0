"""Working-day arithmetic on China's official calendar (holidays and make-up working days),
from the maintained `chinese_calendar` package. Years the package has no data for yet fall
back to Monday–Friday; `is_official(year)` tells which applies so pages can say so."""

from __future__ import annotations

import datetime as dt

import chinese_calendar


def is_official(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 2))
    except NotImplementedError:
        return False
    return True


def is_workday(day: dt.date) -> bool:
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
