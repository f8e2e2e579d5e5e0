"""Excel export of the supervisors' compliance overview (规则落实总览): records in, .xlsx out.

The caller passes the overview with every matching group on one page (same root, year,
filters and order as the page); the view only sets the response headers."""

from __future__ import annotations

from zhongxinzu.compliance.engine import AT_RISK, CHECKS, MET, MISSED, NA, STATUS_LABELS
from zhongxinzu.compliance.selectors import Overview
from zhongxinzu.lib.xlsx import Sheet, workbook_bytes

STATUSES = (MISSED, AT_RISK, MET, NA)


def _cell(check) -> str:
    """达标（12次）: the verdict, then what proves it."""
    proof = check.value_text or check.detail
    return f"{check.status_label}（{proof}）" if proof else check.status_label


def overview_xlsx(*, ov: Overview, root_name: str, period_label: str) -> bytes:
    headers = ["序号", "单位", "中心组", *(c.label for c in CHECKS), "未达标项", "有风险项"]
    rows = [
        [
            i,
            r.group.unit.name,
            r.group.name,
            *(_cell(r.checks[c.key]) if c.key in r.checks else "—" for c in CHECKS),
            r.missed,
            r.at_risk,
        ]
        for i, r in enumerate(ov.rows, start=1)
    ]
    worst = ov.worst
    summary = (
        f"范围内共{ov.total}个中心组：未达标{worst[MISSED]}个，有风险{worst[AT_RISK]}个，"
        f"全部达标{worst[MET]}个" + (f"，无数据{worst[NA]}个" if worst.get(NA) else "")
    )
    basis = "实时计算" if ov.live else "统计快照（表中各中心组的结果为实时计算）"
    grid = Sheet(
        title="规则落实总览",
        headers=headers,
        rows=rows,
        caption=f"规则落实总览：{root_name}（{period_label}）",
        notes=[summary, f"合计依据：{basis}"],
    )
    by_check = Sheet(
        title="按规则汇总",
        headers=["规则", *(STATUS_LABELS[s] for s in STATUSES)],
        rows=[[c.label, *(ov.by_check.get(c.key, {}).get(s, 0) for s in STATUSES)] for c in CHECKS],
        caption=f"范围内各规则的中心组数：{root_name}（{period_label}）",
    )
    return workbook_bytes(grid, by_check)
