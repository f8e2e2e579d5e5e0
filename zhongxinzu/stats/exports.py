"""The statistics table as .xlsx: the rows, the subtotals by level and the total, numbers
stored as numbers (rates with a percent format)."""

from __future__ import annotations

from zhongxinzu.lib.xlsx import Formatted, Sheet, workbook_bytes
from zhongxinzu.stats.selectors import (
    COUNT,
    FIGURE_BY_KEY,
    RATE,
    THEMES,
    Figure,
    Row,
    Statistics,
    cell_value,
    level_label,
)

PERCENT = "0.0%"
ONE_DECIMAL = "0.0"


def _value(figure: Figure, row: Row):
    value = cell_value(figure, row.cell(figure.key))
    if value is None:
        return "—"
    if figure.kind == COUNT:
        return value
    if figure.kind == RATE:
        c = row.cell(figure.key)
        return Formatted(c.numerator / c.denominator, PERCENT)
    return Formatted(value, ONE_DECIMAL)


def header(figure: Figure) -> str:
    return f"{figure.label}（{figure.unit}）"


def _sheet(stats: Statistics, title: str, figures: list[Figure]) -> Sheet:
    headers = ["单位", "层级", *(header(f) for f in figures)]
    rows = [[r.label, level_label(r.depth), *(_value(f, r) for f in figures)] for r in stats.rows]
    rows += [[r.label, "小计", *(_value(f, r) for f in figures)] for r in stats.levels]
    total = f"合计（{stats.group_count}个中心组）"
    rows.append([total, "", *(_value(f, stats.total) for f in figures)])
    caption = f"{stats.root.name}理论学习中心组{title}统计（{stats.span.label}）"
    as_of = stats.as_of
    notes = [f"统计截至{as_of.year}年{as_of.month}月{as_of.day}日。"]
    return Sheet(title, headers, rows, caption=caption, notes=notes)


def statistics_xlsx(stats: Statistics) -> bytes:
    """One sheet per theme of figures, each narrow enough to print on one A4 page wide."""
    return workbook_bytes(
        *(_sheet(stats, label, [FIGURE_BY_KEY[k] for k in keys]) for _, label, keys in THEMES)
    )
