"""Excel exports of the org lists: records in, .xlsx bytes out, one audit record each.

Callers pass querysets already scoped and filtered by the access module (the same ones the
list pages show); phones are always masked here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet

from zhongxinzu.audit.services import audit_record
from zhongxinzu.lib import xlsx
from zhongxinzu.org import selectors
from zhongxinzu.org.imports import UNIT_COLUMNS
from zhongxinzu.org.models import Person, RosterRequirement, StudyGroup, Unit

FILTER_KEYS = ("q", "kind", "active", "unit")


def _audit(actor, *, kind: str, object_type: str, rows: int, obj=None, **detail) -> None:
    audit_record(
        actor=actor,
        action="export",
        obj=obj,
        object_type=object_type,
        detail={"kind": kind, "rows": rows, **detail},
    )


def clean_filters(params) -> dict[str, str]:
    return {k: str(params.get(k))[:100] for k in FILTER_KEYS if params.get(k)}


def units_export(
    *,
    actor,
    units: QuerySet[Unit],
    visible: QuerySet[Unit],
    show_people: bool,
    filters: dict | None = None,
) -> bytes:
    """The unit list. The first five columns are the import template's, so an export edited
    and uploaded again updates the same units. A parent outside `visible` is left blank
    (which the import reads as "keep the current parent")."""
    units = list(units)
    parent_paths = {u.path[: -Unit.steplen] for u in units if u.depth > 1}
    parent_codes = dict(visible.filter(path__in=parent_paths).values_list("path", "code"))
    headers = [*UNIT_COLUMNS, "层级", "状态"] + (["在册成员"] if show_people else [])
    rows = []
    for u in units:
        row = [
            u.code,
            u.name,
            u.kind,
            parent_codes.get(u.path[: -Unit.steplen], ""),
            u.order,
            u.depth,
            "启用" if u.is_active else "已停用",
        ]
        if show_people:
            row.append(getattr(u, "member_count", None) or 0)
        rows.append(row)
    data = xlsx.write_xlsx(title="单位列表", headers=headers, rows=rows)
    _audit(actor, kind="units", object_type="org.Unit", rows=len(rows), filters=filters or {})
    return data


def people_export(*, actor, people: QuerySet[Person], filters: dict | None = None) -> bytes:
    """The people list, phones masked."""
    headers = ["单位编码", "所在单位", "姓名", "性别", "职务", "排序号", "手机号", "状态"]
    count = 0

    def rows() -> Iterable[list]:
        nonlocal count
        for p in people.iterator(chunk_size=2000):
            count += 1
            yield [
                p.unit.code,
                p.unit.name,
                p.name,
                p.gender,
                p.post,
                p.rank_order,
                p.masked_phone,
                "在职" if p.is_active else "已停用",
            ]

    data = xlsx.write_xlsx(title="人员名单", headers=headers, rows=rows())
    _audit(actor, kind="people", object_type="org.Person", rows=count, filters=filters or {})
    return data


def roster_export(*, actor, group: StudyGroup, on: dt.date) -> bytes:
    """A group's roster on `on`, in official order, phones masked."""
    headers = ["序号", "组内角色", "姓名", "性别", "职务", "手机号", "起始日期", "结束日期"]
    rows = [
        [
            i,
            m.get_role_display(),
            m.person.name,
            m.person.gender,
            m.person.post,
            m.person.masked_phone,
            m.start_date,
            m.end_date,
        ]
        for i, m in enumerate(selectors.roster(group, on=on), start=1)
    ]
    data = xlsx.write_xlsx(title=f"名册{on:%Y%m%d}", headers=headers, rows=rows)
    _audit(
        actor,
        kind="roster",
        object_type="org.StudyGroup",
        obj=group,
        rows=len(rows),
        on=on.isoformat(),
    )
    return data


def requirements_export(*, actor, requirements: QuerySet[RosterRequirement]) -> bytes:
    """The roster rules (required posts) in the actor's scope."""
    headers = ["要求", "职务类别", "适用范围（含下级）", "适用范围编码", "状态"]
    rows = [
        [
            r.label,
            r.get_post_category_display() or r.keywords,
            r.scope.name,
            r.scope.code,
            "启用" if r.is_active else "已停用",
        ]
        for r in requirements
    ]
    data = xlsx.write_xlsx(title="名册必备职务", headers=headers, rows=rows)
    _audit(actor, kind="requirements", object_type="org.RosterRequirement", rows=len(rows))
    return data
