"""/api/compliance: every rule evaluated for a group (and its members) over a year or a
quarter — met / at risk / missed — with the records that prove each verdict, and the
supervisors' subtree overview (red / amber / green)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Query, Router

from zhongxinzu.api import scope
from zhongxinzu.api.common import ERRORS
from zhongxinzu.api.errors import FieldError
from zhongxinzu.api.schemas import (
    GroupComplianceOut,
    Id,
    OverviewFilters,
    OverviewOut,
    PeriodParams,
    ProofOut,
)
from zhongxinzu.compliance import selectors
from zhongxinzu.compliance.engine import (
    CHECK_BY_KEY,
    Check,
    Period,
    evaluate_group,
    proving_records,
)
from zhongxinzu.org import access

router = Router(tags=["规则落实"])


def _check(c: Check) -> dict:
    return {
        "key": c.key,
        "label": c.label,
        "status": c.status,
        "status_label": c.status_label,
        "value_text": c.value_text,
        "target_text": c.target_text,
        "detail": c.detail,
        "final": c.final,
        "source": c.source,
    }


def _period(params: PeriodParams) -> Period:
    year = params.year or timezone.localdate().year
    return Period.quarter(year, params.quarter) if params.quarter else Period.year(year)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    return str(value)


@router.get(
    "",
    response={200: OverviewOut, **ERRORS},
    summary="规则落实总览：督导范围内各中心组的结论（督导）",
)
def overview(request, filters: Query[OverviewFilters]):
    """Paged like every list (`offset` a multiple of `limit`); the totals cover the whole
    subtree. Large subtrees read the totals from the snapshot `manage.py refresh_compliance`
    keeps (`live` false, dated by `computed_at`); the rows are always evaluated live."""
    user = request.auth
    p = access.principal_of(user)
    if not p.is_supervisor:
        raise PermissionDenied("只有督导可以查看规则落实总览")
    root = (
        scope.get(scope.supervised_units(user), filters.unit) if filters.unit else p.supervised[0]
    )
    if filters.offset % filters.limit:
        raise FieldError("offset", "起始位置应为每页条数的整数倍")
    year = filters.year or timezone.localdate().year
    ov = selectors.overview(
        root=root,
        period=Period.year(year),
        as_of=timezone.localdate(),
        q=filters.q or "",
        status=filters.status or "",
        check=filters.check or "",
        page=filters.offset // filters.limit + 1,
        per_page=filters.limit,
    )
    count = ov.page.paginator.count
    rows = ov.rows if filters.offset < count else []
    return {
        "items": [
            {
                "group_id": r.group.pk,
                "group_name": r.group.name,
                "unit_id": r.group.unit_id,
                "unit_name": r.group.unit.name,
                "worst": r.worst,
                "missed": r.missed,
                "at_risk": r.at_risk,
                "statuses": {key: c.status for key, c in r.checks.items()},
            }
            for r in rows
        ],
        "count": count,
        "unit_id": root.pk,
        "year": year,
        "total": ov.total,
        "worst": dict(ov.worst),
        "by_check": {key: dict(counts) for key, counts in ov.by_check.items()},
        "live": ov.live,
        "computed_at": ov.computed_at,
    }


@router.get(
    "/groups/{group_id}",
    response={200: GroupComplianceOut, **ERRORS},
    summary="中心组规则落实情况（全年或某季度）",
)
def group_compliance(request, group_id: Id, params: Query[PeriodParams]):
    user = request.auth
    group = scope.get_group(user, group_id)
    period = _period(params)
    result = evaluate_group(group, period)
    members = result.members
    if not scope.is_group_staff(user, group):
        members = [m for m in members if m.person_id == access.principal_of(user).person_id]
    return {
        "group_id": group.pk,
        "group_name": group.name,
        "unit_name": group.unit.name,
        "period": {"start": period.start, "end": period.end, "label": period.label},
        "as_of": result.as_of,
        "worst": result.worst,
        "missed": result.missed,
        "at_risk": result.at_risk,
        "checks": [_check(c) for c in result.checks.values()],
        "members": [
            {
                "person_id": m.person_id,
                "name": m.name,
                "role": m.role,
                "role_label": m.role_label,
                "due": m.due,
                "attended": m.attended,
                "rate": m.rate,
                "worst": m.worst,
                "checks": [_check(c) for c in m.checks.values()],
            }
            for m in members
        ],
    }


@router.get(
    "/groups/{group_id}/records/{check}",
    response={200: ProofOut, **ERRORS},
    summary="某项规则的证明记录（学习秘书、组长和督导）",
)
def group_records(request, group_id: Id, check: str, params: Query[PeriodParams]):
    user = request.auth
    group = scope.get_group(user, group_id)
    if not scope.is_group_staff(user, group):
        raise PermissionDenied("只有学习秘书、组长和督导可以查看证明记录")
    if check not in CHECK_BY_KEY:
        raise FieldError("check", "没有这项规则，可选：" + "、".join(CHECK_BY_KEY))
    result = evaluate_group(group, _period(params))
    proof = proving_records(result, check)
    return {
        "key": check,
        "title": proof.title,
        "status": result.checks[check].status,
        "summary": proof.summary,
        "headers": proof.headers,
        "rows": [
            {"cells": [_cell(c) for c in row.cells], "status": row.status} for row in proof.rows
        ],
    }
