"""Shared pieces of the list exports (each app's exports.py): the values a list cell holds
in a spreadsheet, and the file name stamp. The list exports themselves are pure functions
records → bytes built on lib.xlsx; views only set the response headers."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def local(value: dt.datetime | None) -> dt.datetime | None:
    """An aware datetime as the naive China-time value a spreadsheet cell holds (Excel has no
    time zones); None stays None."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


def stamp() -> str:
    """Today as 20260315, for file names."""
    return timezone.localdate().strftime("%Y%m%d")


def cn_date(value: dt.date | None) -> str:
    """2026年3月5日; "" for no date."""
    return f"{value.year}年{value.month}月{value.day}日" if value else ""
