"""The assessment ranking as .xlsx: one row per group with total, grade, rank and the score
of every indicator (numbers shown with two decimals); a second sheet with the 约谈名单.
Each sheet has its title row above the table."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from zhongxinzu.lib.xlsx import Sheet, score, workbook_bytes


def _number(text) -> Decimal | str:
    try:
        return Decimal(str(text))
    except ArithmeticError:
        return str(text or "")


def ranking_xlsx(*, scheme, indicators: list, results: Iterable, talk_list: list) -> bytes:
    """`results` are AssessmentResult rows (with group and unit) in ranking order."""
    headers = [
        "排名",
        "中心组",
        "单位",
        "总分",
        f"折算分（权重{scheme.annual_weight.normalize():f}%）",
        "等次",
        *[f"{i.name}（{i.weight.normalize():f}分）" for i in indicators],
        "加扣分",
    ]

    def rows():
        for r in results:
            scores = [
                score(_number(r.breakdown.get(str(i.pk), {}).get("score", ""))) for i in indicators
            ]
            adj = sum(
                (Decimal(a["points"]) for a in r.breakdown.get("adjustments", [])), Decimal(0)
            )
            yield [
                r.rank,
                r.group.name,
                r.group.unit.name,
                score(r.total),
                score(scheme.converted(r.total)),
                r.grade,
                *scores,
                score(adj),
            ]

    status = scheme.get_status_display()
    main = Sheet(
        title="考核结果",
        headers=headers,
        rows=rows(),
        caption=f"{scheme.name}（第{scheme.edition}版，{status}）",
    )
    talks = Sheet(
        title="约谈名单",
        headers=["中心组", "单位"],
        rows=[[g.name, g.unit.name] for g in talk_list],
        caption=(
            f"约谈名单：连续两年（{scheme.year - 1}、{scheme.year}年度）"
            f"考核排名末{scheme.bottom_n}位或最低等次"
        ),
    )
    return workbook_bytes(main, talks)


def talk_list_xlsx(*, scheme, previous, rows: Iterable) -> bytes:
    """约谈名单 on its own: `rows` are (group, this year's result, last year's result) in the
    page's order, with the rank and grade of both years that put the group on the list."""
    headers = [
        "序号",
        "中心组",
        "单位",
        f"{previous.year}年度排名",
        f"{previous.year}年度等次",
        f"{scheme.year}年度排名",
        f"{scheme.year}年度总分",
        f"{scheme.year}年度等次",
    ]
    body = [
        [
            n,
            g.name,
            g.unit.name,
            last.rank if last else None,
            last.grade if last else "",
            this.rank if this else None,
            score(this.total) if this else None,
            this.grade if this else "",
        ]
        for n, (g, this, last) in enumerate(rows, start=1)
    ]
    return workbook_bytes(
        Sheet(
            title="约谈名单",
            headers=headers,
            rows=body,
            caption=(f"{scheme.name}约谈名单（连续两年考核排名末{scheme.bottom_n}位或最低等次）"),
            notes=[] if body else ["无"],
        )
    )
