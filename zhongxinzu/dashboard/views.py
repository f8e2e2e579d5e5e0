"""驾驶舱 pages: the charts' data goes to the page as JSON (json_script) and
static/js/dashboard.js draws them with ECharts; every chart has a table under it."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from zhongxinzu.dashboard import access as dash_access
from zhongxinzu.dashboard import selectors
from zhongxinzu.lib.views import role_required, year_param
from zhongxinzu.org import access

business = role_required(lambda p: p.is_supervisor or bool(p.group_roles))
supervisors = role_required(lambda p: p.is_supervisor)


def _years() -> list[int]:
    this = timezone.localdate().year
    return list(range(this, this - 4, -1))


def table(chart: dict) -> dict:
    """The chart as rows (one per category) of cells (one per series) for its table."""
    rows = []
    for i, label in enumerate(chart["categories"]):
        cells = []
        for s in chart["series"]:
            value = s["data"][i]
            text = s["text"][i] if "text" in s else ("—" if value is None else f"{value:g}")
            cells.append(
                {"name": s["name"], "text": text, "link": s.get("links", [None] * (i + 1))[i]}
            )
        rows.append({"label": label, "cells": cells})
    return {**chart, "rows": rows}


def _render(request, template: str, data: dict, context: dict):
    return render(
        request,
        template,
        {
            "data": data,
            "charts": [table(c) for c in data["charts"]],
            "years": _years(),
            **context,
        },
    )


@require_GET
@business
def home(request):
    """驾驶舱 in the menu: a supervisor's subtree, else the user's first group."""
    p = access.principal_of(request.user)
    if p.is_supervisor:
        return redirect("dashboard:unit")
    return redirect("dashboard:group", pk=(p.staff_group_ids() or list(p.group_roles))[0])


@require_GET
@supervisors
def unit(request):
    p = access.principal_of(request.user)
    root = (
        dash_access.get_dashboard_unit_for(request.user, request.GET["unit"])
        if request.GET.get("unit")
        else p.supervised[0]
    )
    year = year_param(request, timezone.localdate().year)
    data = selectors.unit_dashboard(user=request.user, root=root, year=year)
    context = {"root": root, "year": year, "branches": selectors.branches(root)}
    return _render(request, "dashboard/unit.html", data, context)


@require_GET
@business
def group(request, pk):
    group = dash_access.get_dashboard_group_for(request.user, pk)
    year = year_param(request, timezone.localdate().year)
    staff = dash_access.sees_group_staff_charts(request.user, group)
    data = selectors.group_dashboard(group=group, year=year, staff=staff)
    context = {
        "group": group,
        "year": year,
        "supervises": access.supervises(request.user, group.unit),
    }
    return _render(request, "dashboard/group.html", data, context)
