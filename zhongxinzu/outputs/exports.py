"""Excel exports of the output and conversion lists: records in, .xlsx bytes out.

Callers pass the rows the list pages show (same scope, same filters, same order), not
paginated; the views only set the response headers (lib.xlsx.xlsx_response audits)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from zhongxinzu.documents.lists import local
from zhongxinzu.lib.xlsx import Sheet, workbook_bytes
from zhongxinzu.meetings.selectors import local_date
from zhongxinzu.outputs.models import Conversion, Output

REVIEW_STATES = {"ok": "会前已审阅", "pending": "待会前审阅", "late": "未在会前审阅通过"}
OUTPUT_HEADERS = [
    "题目",
    "类别",
    "作者",
    "中心组",
    "年度",
    "关联学习",
    "状态",
    "会前审阅",
    "提交时间",
    "转化数",
]


def outputs_xlsx(*, outputs: Iterable[Output], caption: str) -> bytes:
    """`outputs` as the page shows them, each with its `review_state` (views._review_flags)
    and `conversion_count` if annotated."""

    def rows() -> Iterator[list]:
        for o in outputs:
            yield [
                o.title,
                o.get_kind_display(),
                o.author.name,
                o.group.name,
                o.year,
                local_date(o.session) if o.session_id else None,
                o.status_label,
                REVIEW_STATES.get(getattr(o, "review_state", None) or "", ""),
                local(o.submitted_at),
                getattr(o, "conversion_count", None),
            ]

    return workbook_bytes(
        Sheet(title="学习成果", headers=OUTPUT_HEADERS, rows=rows(), caption=caption)
    )


CONVERSION_HEADERS = ["日期", "类型", "名称", "文号", "来源成果", "作者", "中心组", "说明"]


def conversions_xlsx(*, conversions: QuerySet[Conversion], caption: str) -> bytes:
    def rows() -> Iterator[list]:
        for c in conversions.iterator(chunk_size=2000):
            yield [
                c.issued_on,
                c.get_kind_display(),
                c.title,
                c.doc_number,
                c.output.title,
                c.output.author.name,
                c.output.group.name,
                c.description,
            ]

    return workbook_bytes(
        Sheet(title="成果转化", headers=CONVERSION_HEADERS, rows=rows(), caption=caption)
    )
