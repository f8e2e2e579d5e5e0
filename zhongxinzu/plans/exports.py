"""Excel export of the supervisor's plan filing overview: records in, .xlsx bytes out.

The caller passes the overview's filings (same groups, same ?state= tab, same order), not
paginated; the view only sets the response headers (lib.xlsx.xlsx_response audits)."""

from __future__ import annotations

from collections.abc import Iterable

from zhongxinzu.lib.xlsx import Sheet, workbook_bytes
from zhongxinzu.plans.models import YearPlan
from zhongxinzu.plans.selectors import Filing

FILING_STATES = {
    "on_time": "按时报备",
    "late": "逾期报备",
    "missing": "逾期未报备",
    "pending": "未到期",
}
HEADERS = ["序号", "单位", "中心组", "计划状态", "报备截止", "报备日期", "报备情况", "备注"]


def plan_status_label(plan: YearPlan | None) -> str:
    """As the page's plans/plan_status.html shows it."""
    if plan is None:
        return "未编制"
    if plan.status == YearPlan.Status.FILED:
        return "已报备"
    if plan.status == YearPlan.Status.APPROVED:
        return "已审批"
    if plan.status == YearPlan.Status.SUBMITTED:
        return "待组长审批"
    return "已退回" if plan.return_comment else "草稿"


def filing_xlsx(*, filings: Iterable[Filing], year: int, summary: str) -> bytes:
    rows = [
        [
            i,
            f.group.unit.name,
            f.group.name,
            plan_status_label(f.plan),
            f.due,
            f.filed_on,
            FILING_STATES[f.state],
            "修订中" if f.reopened else "",
        ]
        for i, f in enumerate(filings, start=1)
    ]
    return workbook_bytes(
        Sheet(
            title="计划报备情况",
            headers=HEADERS,
            rows=rows,
            caption=f"{year}年度学习计划报备情况",
            notes=[summary],
        )
    )
