"""/api/dashboard: 驾驶舱 — the same chart data as the pages (categories, series, the
records link behind each point), for a supervisor's subtree or for one group."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from zhongxinzu.api.common import ERRORS
from zhongxinzu.api.schemas import Id, Year
from zhongxinzu.dashboard import access as dash_access
from zhongxinzu.dashboard import selectors
from zhongxinzu.org import access

router = Router(tags=["驾驶舱"])


class DashboardParams(Schema):
    unit: Id = Field(None, description="督导范围内的单位；不填则为您督导的第一个单位")
    year: Year = Field(None, description="不填为今年")


class GroupDashboardParams(Schema):
    year: Year = Field(None, description="不填为今年")


class SeriesOut(Schema):
    name: str
    type: str = Field(description="bar（柱）或 line（线）")
    data: list[float | None] = Field(description="每个类别一个数；尚未到来的月份为空")
    text: list[str] | None = Field(None, description="表格中显示的文字（如“3个（50%）”）")
    links: list[str] | None = Field(None, description="每个数背后的记录页面（相对地址）")
    stack: str | None = None
    dashed: bool = False


class ChartOut(Schema):
    id: str
    title: str
    axis: str
    unit: str
    horizontal: bool = False
    categories: list[str]
    series: list[SeriesOut]
    summary: str
    computed_at: dt.datetime | None = None


class ScopeOut(Schema):
    kind: str = Field(description="unit（单位及下级）或 group（中心组）")
    unit_id: int | None = None
    group_id: int | None = None
    name: str
    year: int


class DashboardOut(Schema):
    scope: ScopeOut
    charts: list[ChartOut]


@router.get(
    "",
    response={200: DashboardOut, **ERRORS},
    summary="驾驶舱：督导范围内某单位及其下级的图表数据（督导）",
)
def unit_dashboard(request, params: Query[DashboardParams]):
    user = request.auth
    p = access.principal_of(user)
    if not p.is_supervisor:
        raise PermissionDenied("只有督导可以查看单位驾驶舱")
    root = dash_access.get_dashboard_unit_for(user, params.unit) if params.unit else p.supervised[0]
    year = params.year or timezone.localdate().year
    return selectors.unit_dashboard(user=user, root=root, year=year)


@router.get(
    "/groups/{group_id}",
    response={200: DashboardOut, **ERRORS},
    summary="驾驶舱：一个中心组的图表数据（本组成员和上级督导）",
)
def group_dashboard(request, group_id: Id, params: Query[GroupDashboardParams]):
    user = request.auth
    group = dash_access.get_dashboard_group_for(user, group_id)
    year = params.year or timezone.localdate().year
    staff = dash_access.sees_group_staff_charts(user, group)
    return selectors.group_dashboard(group=group, year=year, staff=staff)
