"""Excel exports of the plan filing overview and the first-item pool: records in, .xlsx out.

Callers pass the rows the pages show (same scope, same filters, same order), not paginated;
the views only set the response headers (lib.xlsx.xlsx_response audits)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from zhongxinzu.lib.xlsx import Sheet, workbook_bytes
from zhongxinzu.plans.models import FirstItem, YearPlan
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


def first_items_xlsx(
    *, items: QuerySet[FirstItem], show_restricted: bool, show_studied: bool
) -> bytes:
    """The first-item pool as the page lists it: a restricted item's source only for those
    the page shows it to; "本组学习" for group members (items annotated with `studied`)."""
    headers = ["发布日期", "题目", "类别", "出处", "限定范围", "议题库"]
    if show_studied:
        headers.append("本组学习")

    def rows() -> Iterator[list]:
        for i in items.iterator(chunk_size=2000):
            row = [
                i.released_on,
                i.title,
                i.get_kind_display(),
                (i.source or "—") if not i.restricted or show_restricted else "—",
                "是" if i.restricted else "",
                i.owner_unit.name,
            ]
            if show_studied:
                row.append("已学习" if i.studied else "未学习")
            yield row

    return workbook_bytes(
        Sheet(title="第一议题", headers=headers, rows=rows(), caption="第一议题库", wrap=True)
    )
