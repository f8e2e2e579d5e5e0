"""A group's annual report (学习情况汇报) as .docx in the GB/T 9704 layout, structured like
seed 002: 一、完成情况 (every figure computed from the records), 二、存在问题, 三、下步打算.
The narrative parts come in as text the secretary edited; `draft_narrative` proposes them.

Pure functions: figures (compliance.selectors.AnnualFigures) and text in, bytes out.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from zhongxinzu.documents.gbt9704 import OfficialDocument, cn_numeral

if TYPE_CHECKING:
    from zhongxinzu.compliance.selectors import AnnualFigures

NARRATIVE_FIELDS = ("intro", "practices", "problems", "next_steps")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


def _listing(counts: dict[str, int], unit: str) -> str:
    return "、".join(f"{label}{n}{unit}" for label, n in counts.items())


def report_title(group_name: str, year: int) -> str:
    return f"{group_name}{year}年度学习情况汇报"


def period_words(fig: AnnualFigures) -> str:
    """ "全年" for a year that is over, "截至X月X日" while it is still running."""
    as_of, end = fig.result.as_of, fig.result.period.end
    return "全年" if as_of >= end else f"截至{as_of.month}月{as_of.day}日"


def completion_text(fig: AnnualFigures) -> list[str]:
    """The 完成情况 paragraphs: every number from the records; clauses about nothing (0)
    are left out."""
    target = fig.result.book["participation_rate"]
    span = period_words(fig)
    parts = [f"{span}组织中心组集体学习{fig.sessions}次"]
    if fig.by_kind:
        # the kinds are listed once; 读书班 is its own kind, not a second count of 专题学习研讨
        parts[0] += f"（{_listing(fig.by_kind, '次')}）"
    if fig.discussions:
        parts[0] += f"，其中集中研讨{fig.discussions}次"
    if fig.themes:
        shown = "、".join(f"“{t}”" for t in fig.themes[:6])
        parts[0] += f"，专题包括{shown}{'等' if len(fig.themes) > 6 else ''}"
    parts[0] += "。"
    if fig.first_item_sessions:
        parts[0] += (
            f"{fig.first_item_sessions}次学习设置“第一议题”，"
            f"{span}学习“第一议题”{fig.first_items_studied}项。"
        )
    attendance = (
        f"中心组成员{fig.members}名，{span}应到{fig.due}人次、实到{fig.attended}人次，"
        f"出勤率{_pct(fig.attendance_rate)}；成员平均参学率{_pct(fig.participation_avg)}，"
        f"{fig.members_meeting_rate}名成员参学率达到{target}%以上。"
    )
    if fig.leader_led:
        attendance += f"由组长领学{fig.leader_led}次，占集体学习的{_pct(fig.leader_share)}。"
    if fig.makeups:
        attendance += f"因故缺席或请假应补学{fig.makeups}人次，已完成补学{fig.makeups_done}人次。"
    clauses = []
    if fig.outputs_total:
        clause = f"{span}形成学习成果{fig.outputs_total}篇"
        if fig.outputs:
            clause += f"，其中{_listing(fig.outputs, '篇')}"
        clauses.append(clause)
    if fig.conversions_total:
        clause = f"推动成果转化{fig.conversions_total}项"
        if fig.conversions:
            clause += f"，其中{_listing(fig.conversions, '项')}"
        clauses.append(clause)
    paragraphs = [parts[0], attendance]
    if clauses:
        paragraphs.append("；".join(clauses) + "。")
    return paragraphs


def draft_narrative(fig: AnnualFigures, *, group_name: str) -> dict[str, str]:
    """Starting text for the editable parts; 存在问题 lists the rules the records show missed."""
    from zhongxinzu.compliance.engine import MISSED

    year = fig.result.period.rule_year
    problems = []
    for check in fig.result.checks.values():
        if check.status == MISSED:
            n = len(problems) + 1
            problems.append(f"（{cn_numeral(n)}）{check.label}未达到要求。{check.detail}。")
    if not problems:
        problems.append("（一）学习形式还比较单一。集中学习多、研讨交流少，新的学习手段运用不够。")
    problems.append(
        f"（{cn_numeral(len(problems) + 1)}）理论联系实际还不够紧密。"
        "运用理论成果推动解决实际问题的办法还不多，学习成果转化还需加强。"
    )
    return {
        "intro": (
            f"{year}年，{group_name}坚持把学习贯彻习近平新时代中国特色社会主义思想作为首要"
            "政治任务，严格落实理论学习中心组学习制度，坚持理论联系实际、学以致用，不断提高"
            "中心组成员的政治素养和理论水平。现将本年度学习情况汇报如下："
        ),
        "practices": (
            "（一）完善制度，压实责任。主要负责同志履行第一责任人职责，学习秘书负责会前准备、"
            "考勤记录和资料归档，成员按计划做好个人自学和研讨发言准备。\n"
            "（二）制定计划，严格执行。年初制定学习计划并按期报备，严格落实“第一议题”制度，"
            "做到第一时间传达学习、第一时间研究贯彻。\n"
            "（三）联系实际，务求实效。坚持问题导向，把学习成果转化为推动工作的思路和举措。"
        ),
        "problems": "\n".join(problems),
        "next_steps": (
            "（一）注重学以致用。进一步细化学习制度和要求，做到有学习记录、有研究提纲，"
            "对研讨中发现的问题及时梳理。\n"
            "（二）注重多措并举。把专题学习与研讨交流、集体学习与个人自学结合起来，"
            "拓宽学习渠道，提升学习效果。\n"
            "（三）注重成果转化。坚持学思用贯通，把调研的过程作为解决问题的过程，"
            "推动学习成果转化为推动高质量发展的实际成效。"
        ),
    }


def annual_report_docx(
    *,
    figures: AnnualFigures,
    narrative: dict[str, str],
    unit_name: str,
    group_name: str,
    addressee: str | None,
    signed_on: dt.date,
) -> bytes:
    """The report as .docx bytes."""
    year = figures.result.period.rule_year
    # An upward report (报告) without 发文字号 or 签发人: the plain layout of seed 002, no red
    # 文件 mark (mark=""), the title first.
    doc = OfficialDocument(
        title=report_title(group_name, year),
        issuer=unit_name,
        kind="report",
        mark="",
        addressee=addressee,
    )
    doc.rich_text(narrative.get("intro", ""))
    doc.heading(1, f"一、{year}年理论学习中心组学习完成情况")
    for text in completion_text(figures):
        doc.paragraph(text)
    checks = [c for c in figures.result.checks.values() if c.status != "na"]
    if checks:
        doc.table(
            ["规则要求", "标准", "完成情况", "结论"],
            [[c.label, c.target_text, c.value_text, c.status_label] for c in checks],
            widths_mm=[52, 36, 44, 24],
            caption="主要学习规则落实情况",
        )
    if figures.conversion_list:
        doc.paragraph("学习成果转化情况如下：")
        doc.table(
            ["转化类型", "名称", "文号", "日期"],
            [
                [kind, title, number or "—", f"{on.year}年{on.month}月{on.day}日"]
                for kind, title, on, number in figures.conversion_list
            ],
            widths_mm=[24, 56, 38, 38],  # 4号: a date or 文号 needs about 36 mm
        )
    doc.rich_text(narrative.get("practices", ""))
    doc.heading(1, "二、存在的问题和不足")
    doc.rich_text(narrative.get("problems", ""))
    doc.heading(1, "三、下步工作打算")
    doc.rich_text(narrative.get("next_steps", ""))
    doc.signature(unit_name, signed_on)
    doc.colophon(printer=f"{unit_name}办公室", printed_on=signed_on)
    return doc.to_bytes()
