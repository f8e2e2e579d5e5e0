"""Exports of the supervision lists and tables: records in, .xlsx/.docx bytes out.

The list exports take the rows the pages show (same scope, same filters, same order), not
paginated. The 旁听记录表 and the score statistics are also official documents (.docx, GB/T
9704 layout via documents.gbt9704) and spreadsheets, each closing with signature and date
lines for the people who sign them on paper. Views only set the response headers
(lib.downloads audits)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from zhongxinzu.documents.gbt9704 import OfficialDocument
from zhongxinzu.documents.lists import cn_date, local
from zhongxinzu.lib.xlsx import Sheet, score, workbook_bytes
from zhongxinzu.supervision.models import Expert, ObservationVisit, Problem, VisitPlan
from zhongxinzu.supervision.scoring import ScoreStats, StatRow
from zhongxinzu.supervision.selectors import Deadline

SIGN_LINE = "签名：____________　　日期：____年__月__日"
DEADLINE_STATES = {"done": "已完成", "overdue": "已逾期", "pending": "待完成"}


def sign_line(role: str, name: str = "") -> str:
    """ "旁听人员 张三　签名：______　　日期：____年__月__日"."""
    who = f"{role} {name}".strip()
    return f"{who}　{SIGN_LINE}"


# --- the lists ---------------------------------------------------------------------------

EXPERT_HEADERS = [
    "姓名",
    "研究领域",
    "职务/职称",
    "工作单位",
    "可参加时间",
    "专家库",
    "状态",
    "有账号",
]


def experts_xlsx(*, experts: QuerySet[Expert], caption: str) -> bytes:
    def rows() -> Iterator[list]:
        for e in experts.iterator(chunk_size=2000):
            yield [
                e.name,
                e.field,
                e.title,
                e.home_unit.name if e.home_unit_id else e.employer,
                e.availability,
                e.owner_unit.name,
                "在库" if e.is_active else "已出库",
                "是" if e.user_id else "否",
            ]

    return workbook_bytes(
        Sheet(title="专家库", headers=EXPERT_HEADERS, rows=rows(), caption=caption)
    )


def _deadline(d: Deadline) -> str:
    if d.due is None and d.status == "pending":
        return ""
    return DEADLINE_STATES[d.status]


VISIT_HEADERS = [
    "日期",
    "被旁听中心组",
    "旁听方",
    "计划",
    "阶段",
    "材料报送期限",
    "材料报送",
    "总结提交期限",
    "旁听总结",
    "反馈意见",
]


def visits_xlsx(
    *, visits: Iterable[ObservationVisit], deadlines: dict[int, list[Deadline]], caption: str
) -> bytes:
    """`deadlines` from selectors.visit_deadlines, as the page shows them."""

    def rows() -> Iterator[list]:
        for v in visits:
            by_stage = {d.stage: d for d in deadlines[v.pk]}
            before, after, feedback = by_stage["before"], by_stage["after"], by_stage["feedback"]
            draft = v.plan_id and v.plan.status == VisitPlan.Status.DRAFT
            yield [
                v.planned_on,
                v.group.name,
                _observer(v),
                ("草稿" if draft else "已发布") if v.plan_id else "",
                v.get_stage_display(),
                before.due,
                _deadline(before),
                after.due,
                _deadline(after),
                "已反馈" if feedback.done else "",
            ]

    return workbook_bytes(
        Sheet(title="列席旁听", headers=VISIT_HEADERS, rows=rows(), caption=caption)
    )


def _observer(v: ObservationVisit) -> str:
    if v.team_id:
        return v.team.name
    return v.observer_group.name if v.observer_group_id else "—"


PLAN_HEADERS = ["序号", "日期", "被旁听中心组", "旁听方", "对应集体学习", "材料报送期限"]


def plan_xlsx(
    *, plan: VisitPlan, visits: QuerySet[ObservationVisit], loads: Sequence[tuple[str, int]]
) -> bytes:
    """A visit plan: its visits in the page's order, and the teams' loads."""
    rows = [
        [
            i,
            v.planned_on,
            v.group.name,
            _observer(v),
            v.session.title if v.session_id else "（计划日期，待中心组排定）",
            v.materials_due,
        ]
        for i, v in enumerate(visits.iterator(chunk_size=2000), start=1)
    ]
    status = plan.get_status_display()
    main = Sheet(
        title="旁听安排",
        headers=PLAN_HEADERS,
        rows=rows,
        caption=f"{plan.owner_unit.name}{plan.year}年度中心组学习旁听计划（{status}）",
    )
    teams = Sheet(
        title="旁听组任务",
        headers=["旁听组", "旁听次数"],
        rows=[list(t) for t in loads],
        caption="各旁听组旁听次数",
    )
    return workbook_bytes(main, teams)


PROBLEM_HEADERS = [
    "发现日期",
    "中心组",
    "来源",
    "类别",
    "问题",
    "整改措施",
    "责任人",
    "责任部门",
    "整改时限",
    "状态",
    "是否逾期",
    "销号时间",
]


def problems_xlsx(*, problems: QuerySet[Problem], caption: str) -> bytes:
    """`problems` with the `overdue` annotation (problems.with_overdue)."""

    def rows() -> Iterator[list]:
        for p in problems.iterator(chunk_size=2000):
            r = getattr(p, "rectification", None)
            yield [
                p.found_on,
                p.group.name,
                p.get_source_display(),
                p.category,
                p.description,
                r.measures if r else "",
                r.owner.name if r and r.owner_id else "",
                r.department if r else "",
                r.deadline if r else None,
                r.get_status_display() if r else "",
                "逾期" if p.overdue else "",
                local(r.closed_at) if r else None,
            ]

    return workbook_bytes(
        Sheet(title="问题清单", headers=PROBLEM_HEADERS, rows=rows(), caption=caption, wrap=True)
    )


SCORED_HEADERS = ["日期", "中心组", "旁听组", "学习主题", "已提交评分", "平均分"]


def scored_visits_xlsx(*, visits: QuerySet[ObservationVisit]) -> bytes:
    """The scoring list: visits annotated with `submitted` and `average`."""

    def rows() -> Iterator[list]:
        for v in visits.iterator(chunk_size=2000):
            yield [
                v.planned_on,
                v.group.name,
                v.team.name if v.team_id else "—",
                v.session.title if v.session_id else "—",
                v.submitted,
                score(round(v.average, 1)) if v.average is not None else "—",
            ]

    return workbook_bytes(
        Sheet(title="旁听评分", headers=SCORED_HEADERS, rows=rows(), caption="旁听评分一览")
    )


# --- score statistics ----------------------------------------------------------------------

STAT_HEADERS = ["名称", "旁听次数", "平均分", "最低分", "均达分数线", "等次分布"]


def _stat_row(row: StatRow) -> list:
    return [
        row.label,
        row.visits,
        score(row.average) if row.average is not None else "—",
        score(row.minimum) if row.minimum is not None else "—",
        f"否（{row.below}次未达）" if row.below else "是",
        "，".join(f"{label}{n}" for label, n in row.grade_list),
    ]


def stats_summary(stats: ScoreStats) -> str:
    grades = "，".join(f"{label}{n}次" for label, n in stats.grade_list)
    average = stats.average if stats.average is not None else "—"
    return f"已评分旁听{stats.visits}次，平均分{average}；等次分布：{grades}"


def stats_period(start: dt.date | None, end: dt.date | None) -> str:
    if start and end:
        return f"{cn_date(start)}至{cn_date(end)}"
    if start:
        return f"{cn_date(start)}以来"
    if end:
        return f"截至{cn_date(end)}"
    return "全部"


SIGNERS = ("统计人", "审核人")


def score_stats_xlsx(*, stats: ScoreStats, period: str) -> bytes:
    headers = [*STAT_HEADERS]
    headers[4] = f"均不低于{stats.threshold}分"
    notes = [stats_summary(stats), "", *(sign_line(s) for s in SIGNERS)]
    by_group = Sheet(
        title="按中心组",
        headers=["中心组", *headers[1:]],
        rows=[_stat_row(r) for r in stats.by_group],
        caption=f"旁听评分统计（按中心组，{period}）",
        notes=notes,
    )
    by_team = Sheet(
        title="按旁听组",
        headers=["旁听组", *headers[1:]],
        rows=[_stat_row(r) for r in stats.by_team],
        caption=f"旁听评分统计（按旁听组，{period}）",
        notes=notes,
    )
    return workbook_bytes(by_group, by_team)


def _doc_value(value) -> str:
    return "—" if value is None else str(value)


def score_stats_docx(*, stats: ScoreStats, period: str, today: dt.date) -> bytes:
    doc = OfficialDocument(title="中心组学习旁听评分统计表", kind="report")
    doc.paragraph(f"统计期间：{period}。{stats_summary(stats)}。")
    widths = [52, 18, 18, 18, 26, 36]
    for heading, rows, first in (
        ("按中心组", stats.by_group, "中心组"),
        ("按旁听组", stats.by_team, "旁听组"),
    ):
        doc.heading(1, heading, numbered=True)
        headers = [
            first,
            "旁听次数",
            "平均分",
            "最低分",
            f"均不低于{stats.threshold}分",
            "等次分布",
        ]
        table_rows = [
            [
                r.label,
                r.visits,
                _doc_value(r.average),
                _doc_value(r.minimum),
                f"否（{r.below}次未达）" if r.below else "是",
                "，".join(f"{label}{n}" for label, n in r.grade_list),
            ]
            for r in rows
        ] or [["暂无已提交的评分", "", "", "", "", ""]]
        doc.table(headers, table_rows, widths_mm=widths)
    doc.blank()
    for s in SIGNERS:
        doc.paragraph(sign_line(s), indent=False)
    doc.paragraph(f"（本表生成于{cn_date(today)}）", indent=False)
    return doc.to_bytes()


# --- 旁听记录表 ----------------------------------------------------------------------------


@dataclass
class RecordSheet:
    """What the record sheet page shows (scoring_views.record_context)."""

    visit: ObservationVisit
    fields: list[tuple[str, str]]  # 被旁听单位, 学习时间, ...
    observers: list[str]  # names, "（组长）" marked
    columns: list  # (sheet, entries)
    item_rows: list  # (item, entries, average)
    average: object
    grade: str
    remarks: list[tuple[str, str]]  # (observer, overall remarks)


def _entry(e):
    if e is None:
        return "—"
    return f"{e.score}（{e.remark}）" if e.remark else e.score


def _dash(value):
    return "—" if value is None or value == "" else value


def _score_table(record: RecordSheet) -> tuple[list[str], list[list]]:
    """Headers and rows of the score table: one column per submitted sheet, then the
    average; the totals and grades last. Scores stay numbers (Decimal)."""
    headers = ["评分项目", "分值", *(s.observer.name for s, _ in record.columns), "平均"]
    rows = [
        [item.title, item.points, *(_entry(e) for e in entries), _dash(avg)]
        for item, entries, avg in record.item_rows
    ]
    rows.append(["总分", 100, *(s.total for s, _ in record.columns), _dash(record.average)])
    rows.append(["等次", "", *(s.grade for s, _ in record.columns), _dash(record.grade)])
    return headers, rows


def _signers(record: RecordSheet) -> list[str]:
    lines = [sign_line("旁听人员", name) for name in record.observers] or [sign_line("旁听人员")]
    return [*lines, sign_line("记录人")]


def record_xlsx(record: RecordSheet) -> bytes:
    headers, rows = _score_table(record)
    rows = [[score(v) if isinstance(v, Decimal) else v for v in r] for r in rows]
    signers = _signers(record)
    head = Sheet(
        title="旁听记录表",
        headers=["项目", "内容"],
        rows=[list(f) for f in record.fields],
        caption="中心组学习旁听记录表",
        wrap=True,
        notes=["", *signers],
    )
    remarks = [f"{name}总体意见：{text}" for name, text in record.remarks]
    scores = Sheet(
        title="评分",
        headers=headers,
        rows=rows,
        caption=f"旁听评分（{record.visit.group.name}）",
        notes=[*remarks, "", *signers],
    )
    return workbook_bytes(head, scores)


def record_docx(record: RecordSheet) -> bytes:
    doc = OfficialDocument(title="中心组学习旁听记录表", kind="report")
    doc.table(["项目", "内容"], record.fields, widths_mm=[40, 116])
    headers, rows = _score_table(record)
    text_rows = [["" if v is None else str(v) for v in r] for r in rows]
    doc.blank()
    doc.table(headers, text_rows, caption="评分情况")
    for name, text in record.remarks:
        doc.labelled(f"{name}总体意见", text)
    doc.blank()
    for line in _signers(record):
        doc.paragraph(line, indent=False)
    return doc.to_bytes()
