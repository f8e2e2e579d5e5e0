"""/api/statistics: the subtree statistics of the 学习统计 page — one row of figures per
study group for a period, the subtotals by level and the total (supervisors)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from zhongxinzu.api.common import ERRORS
from zhongxinzu.api.schemas import PageParams
from zhongxinzu.org import access
from zhongxinzu.stats.access import get_root_for
from zhongxinzu.stats.periods import span_from
from zhongxinzu.stats.selectors import FIGURES, Row, subtree_statistics

router = Router(tags=["学习统计"])


class StatisticsParams(PageParams):
    unit: int | None = Field(None, description="统计的单位（默认为本人督导的第一个单位）")
    period: str = Field("year", description="year 年度 / half 半年 / quarter 季度 / custom 自定义")
    year: int | None = Field(None, description="年度（默认今年）")
    n: int | None = Field(None, description="半年（1–2）或季度（1–4）")
    start: str | None = Field(None, description="自定义开始日期 YYYY-MM-DD")
    end: str | None = Field(None, description="自定义结束日期 YYYY-MM-DD")


class FigureOut(Schema):
    key: str
    label: str
    kind: str = Field(description="count 计数 / rate 百分比 / mean 平均")
    unit: str


class RowOut(Schema):
    label: str
    level: str
    depth: int
    group_id: int | None
    unit_id: int | None
    values: dict[str, float | None] = Field(description="指标 → 数值（百分比为 0–100）")
    numerators: dict[str, float]
    denominators: dict[str, int]


class StatisticsOut(Schema):
    unit_id: int
    unit: str
    period: str
    start: str
    end: str
    as_of: str
    group_count: int
    figures: list[FigureOut]
    total: RowOut
    levels: list[RowOut]
    items: list[RowOut]
    count: int


def _row(row: Row) -> dict:
    return {
        "label": row.label,
        "level": row.level_label if row.depth >= 0 else "合计",
        "depth": row.depth,
        "group_id": row.group.pk if row.group else None,
        "unit_id": row.group.unit_id if row.group else None,
        "values": {f.key: row.value(f.key) for f in FIGURES},
        "numerators": {f.key: row.cell(f.key).numerator for f in FIGURES},
        "denominators": {f.key: row.cell(f.key).denominator for f in FIGURES if f.kind != "count"},
    }


@router.get(
    "",
    response={200: StatisticsOut, **ERRORS},
    summary="学习统计：督导范围内各中心组的学习情况统计（督导）",
)
def statistics(request, params: Query[StatisticsParams]):
    """The rows are paged (`items`, `count`); `total` and `levels` cover the whole subtree
    and equal the sums of all its rows."""
    user = request.auth
    if not access.principal_of(user).is_supervisor:
        raise PermissionDenied("只有督导可以查看学习统计")
    root = get_root_for(user, pk=params.unit)
    query = {k: str(v) for k, v in params.dict().items() if v is not None}
    span = span_from(query, default_year=timezone.localdate().year)
    stats = subtree_statistics(root, span)
    rows = stats.rows[params.offset : params.offset + params.limit]
    return {
        "unit_id": root.pk,
        "unit": root.name,
        "period": span.label,
        "start": span.start.isoformat(),
        "end": span.end.isoformat(),
        "as_of": stats.as_of.isoformat(),
        "group_count": stats.group_count,
        "figures": [
            {"key": f.key, "label": f.label, "kind": f.kind, "unit": f.unit} for f in FIGURES
        ],
        "total": _row(stats.total),
        "levels": [_row(r) for r in stats.levels],
        "items": [_row(r) for r in rows],
        "count": stats.group_count,
    }
