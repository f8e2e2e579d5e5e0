"""学习统计: the supervisors' table of figures per unit for any period, its export, and the
records behind every cell."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from zhongxinzu.lib.views import fail, paginate, querystring_without_page, role_required
from zhongxinzu.lib.xlsx import xlsx_response
from zhongxinzu.stats import access
from zhongxinzu.stats.exports import statistics_xlsx
from zhongxinzu.stats.periods import Kind, Span, span_from, year_span
from zhongxinzu.stats.records import figure_records
from zhongxinzu.stats.selectors import (
    FIGURE_BY_KEY,
    FIGURES,
    MAIN,
    THEMES,
    cell_value,
    level_label,
    subtree_statistics,
)

supervisors = role_required(lambda p: p.is_supervisor)

VIEWS = {
    "main": ("主要指标", MAIN),
    **{key: (label, keys) for key, label, keys in THEMES},
    "all": ("全部指标", [f.key for f in FIGURES]),
}


def _span(request) -> Span:
    try:
        return span_from(request.GET, default_year=timezone.localdate().year)
    except ValidationError as e:
        fail(request, e)
        return year_span(timezone.localdate().year)


def _root(request):
    return access.get_root_for(
        request.user, pk=request.GET.get("unit"), code=request.GET.get("code", "").strip()
    )


def _figures(request) -> tuple[str, list]:
    view = request.GET.get("show", "main")
    if view not in VIEWS:
        view = "main"
    return view, [FIGURE_BY_KEY[k] for k in VIEWS[view][1]]


def _sorted(rows, key: str, descending: bool):
    if key not in FIGURE_BY_KEY:
        return rows
    present = [r for r in rows if r.value(key) is not None]
    absent = [r for r in rows if r.value(key) is None]
    return sorted(present, key=lambda r: r.value(key), reverse=descending) + absent


def _records_link(root, span: Span, key: str, **where) -> str:
    params = {"unit": root.pk, "figure": key, **where, **span.query}
    return f"{reverse('stats:records')}?{urlencode(params)}"


def _line(root, span, row, figures, **where):
    return [
        (cell_value(f, row.cell(f.key)), _records_link(root, span, f.key, **where), f)
        for f in figures
    ]


@require_GET
@supervisors
def table(request):
    root, span = _root(request), _span(request)
    view, figures = _figures(request)
    stats = subtree_statistics(root, span)
    sort, descending = request.GET.get("sort", ""), request.GET.get("dir") == "desc"
    page = paginate(request, _sorted(stats.rows, sort, descending))
    rows = [(r, _line(root, span, r, figures, group=r.group.pk)) for r in page]
    levels = [(r, _line(root, span, r, figures, level=r.depth)) for r in stats.levels]
    params = request.GET.copy()
    for name in ("sort", "dir", "page"):
        params.pop(name, None)
    return render(
        request,
        "stats/table.html",
        {
            "root": root,
            "span": span,
            "stats": stats,
            "figures": figures,
            "rows": rows,
            "levels": levels,
            "total": _line(root, span, stats.total, figures),
            "page_obj": page,
            "querystring_base": querystring_without_page(request),
            "sort_base": params.urlencode(),
            "sort": sort,
            "sort_label": FIGURE_BY_KEY[sort].label if sort in FIGURE_BY_KEY else "",
            "descending": descending,
            "views": [(k, label) for k, (label, _) in VIEWS.items()],
            "view": view,
            "kinds": Kind.CHOICES,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
        },
    )


@require_GET
@supervisors
def table_xlsx(request):
    root, span = _root(request), _span(request)
    stats = subtree_statistics(root, span)
    return xlsx_response(
        request,
        f"{root.name}学习情况统计（{span.label}）.xlsx",
        statistics_xlsx(stats),
        obj=root,
        detail={"period": span.label},
    )


def _pairs(drill, record):
    cells, href = drill.line(record)
    return list(zip(drill.headers, cells, strict=True)), href


def _level(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise Http404("没有这一级单位") from None


@require_GET
@supervisors
def records(request):
    root, span = _root(request), _span(request)
    key = request.GET.get("figure") or "sessions"
    if key not in FIGURE_BY_KEY:
        raise Http404("没有这项统计指标")
    where, only = "合计", Q()
    if request.GET.get("group"):
        group = access.get_group_below(root, request.GET["group"])
        where, only = group.unit.name, Q(pk=group.pk)
    elif request.GET.get("level", "") != "":
        level = _level(request.GET["level"])
        where, only = level_label(level), Q(unit__depth=root.depth + level)
    stats = subtree_statistics(root, span, only=only)
    if not stats.rows:
        raise Http404("这一级没有中心组")
    figure, total, rows = FIGURE_BY_KEY[key], stats.total, stats.rows
    drill, found = figure_records(key, [r.group for r in rows], span, as_of=stats.as_of)
    page = paginate(request, found)
    return render(
        request,
        "stats/records.html",
        {
            "root": root,
            "span": span,
            "figure": figure,
            "where": where,
            "groups": len(rows),
            "value": total.value(key),
            "cell": total.cell(key),
            "drill": drill,
            "lines": [_pairs(drill, x) for x in page],
            "page_obj": page,
            "querystring_base": querystring_without_page(request),
            "back": f"{reverse('stats:table')}?{urlencode({'unit': root.pk, **span.query})}",
        },
    )
