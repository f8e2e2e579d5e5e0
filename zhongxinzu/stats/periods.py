"""The periods statistics and bulletins are drawn for: a year, a half-year, a quarter or any
range of dates, each with the Chinese label a bulletin prints ("2026年第一季度")."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from zhongxinzu.compliance.engine import Period
from zhongxinzu.documents.gbt9704 import chinese_date


class Kind:
    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"
    CUSTOM = "custom"
    CHOICES = [(YEAR, "年度"), (HALF, "半年"), (QUARTER, "季度"), (CUSTOM, "自定义日期")]


HALF_NAMES = {1: "上半年", 2: "下半年"}
QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


@dataclass(frozen=True)
class Span:
    """A period with its kind and number (the half or quarter), so it can be named."""

    kind: str
    start: dt.date
    end: dt.date
    n: int = 0

    @property
    def year(self) -> int:
        """The year whose rules apply: the year the period starts in."""
        return self.start.year

    @property
    def period(self) -> Period:
        return Period(self.start, self.end)

    @property
    def label(self) -> str:
        if self.kind == Kind.YEAR:
            return f"{self.year}年度"
        if self.kind == Kind.HALF:
            return f"{self.year}年{HALF_NAMES[self.n]}"
        if self.kind == Kind.QUARTER:
            return f"{self.year}年{QUARTER_NAMES[self.n]}"
        return f"{chinese_date(self.start)}至{chinese_date(self.end)}"

    @property
    def query(self) -> dict[str, str]:
        """The GET parameters that name this period (for links and exports)."""
        if self.kind == Kind.CUSTOM:
            return {
                "period": self.kind,
                "start": self.start.isoformat(),
                "end": self.end.isoformat(),
            }
        out = {"period": self.kind, "year": str(self.year)}
        if self.n:
            out["n"] = str(self.n)
        return out

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        return self.period.bounds()


def year_span(year: int) -> Span:
    return Span(Kind.YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31))


def half_span(year: int, half: int) -> Span:
    if half == 1:
        return Span(Kind.HALF, dt.date(year, 1, 1), dt.date(year, 6, 30), 1)
    return Span(Kind.HALF, dt.date(year, 7, 1), dt.date(year, 12, 31), 2)


def quarter_span(year: int, quarter: int) -> Span:
    first = 3 * (quarter - 1) + 1
    last = first + 2
    end = dt.date(year, last, calendar.monthrange(year, last)[1])
    return Span(Kind.QUARTER, dt.date(year, first, 1), end, quarter)


def custom_span(start: dt.date, end: dt.date) -> Span:
    if end < start:
        raise ValidationError({"end": "结束日期不能早于开始日期"})
    if (end - start).days > 366 * 3:
        raise ValidationError({"end": "统计期间最长三年"})
    return Span(Kind.CUSTOM, start, end)


def _int(params, key: str, low: int, high: int, message: str) -> int:
    try:
        value = int(params.get(key, ""))
    except ValueError:
        raise ValidationError({key: message}) from None
    if not low <= value <= high:
        raise ValidationError({key: message})
    return value


def _date(params, key: str, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat(params.get(key, ""))
    except ValueError:
        raise ValidationError({key: f"请填写{label}（如 2026-03-01）"}) from None


def span_from(params, *, default_year: int) -> Span:
    """The period named by GET/API parameters: period=year|half|quarter|custom, year, n
    (the half 1–2 or quarter 1–4), start and end (custom). Missing → the default year."""
    kind = params.get("period") or Kind.YEAR
    if kind == Kind.CUSTOM:
        return custom_span(_date(params, "start", "开始日期"), _date(params, "end", "结束日期"))
    year = default_year
    if params.get("year"):
        year = _int(params, "year", 2000, 2100, "年度应为 2000—2100 之间的年份")
    if kind == Kind.YEAR:
        return year_span(year)
    if kind == Kind.HALF:
        return half_span(year, _int(params, "n", 1, 2, "请选择上半年或下半年"))
    if kind == Kind.QUARTER:
        return quarter_span(year, _int(params, "n", 1, 4, "季度应为 1—4"))
    raise ValidationError({"period": "统计期间应为年度、半年、季度或自定义日期"})
