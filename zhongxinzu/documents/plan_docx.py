"""The year plan (年度学习计划) as a .docx in the GB/T 9704 layout, through the shared builder:
title, the guidance as typed (its 一、/（一） lines become headings), the topics by month or
quarter as a table, each topic's content, and the group's signature."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from django.utils import timezone

from zhongxinzu.documents.gbt9704 import OfficialDocument, heading_prefix

TOPIC_HEADERS = ["序号", "时间", "学习专题", "学习形式", "领学/主讲"]
TOPIC_WIDTHS_MM = [14, 24, 64, 28, 26]  # the 156 mm text block
_LEVEL_1 = re.compile(r"^\s*[一二三四五六七八九十]+、")


def topic_when(topic) -> str:
    if topic.month:
        return f"{topic.month}月"
    if topic.quarter:
        return f"第{topic.quarter}季度"
    return ""


def _document_date(plan) -> dt.date:
    when = plan.filed_at or plan.approved_at
    return timezone.localtime(when).date() if when else timezone.localdate()


def plan_docx(plan, topics: Sequence) -> bytes:
    """`plan` a YearPlan (with group), `topics` its PlanTopics in order (lead loaded)."""
    doc = OfficialDocument(title=plan.title, issuer=plan.group.name, mark="", kind="plan")
    guidance = (plan.guidance or "").strip()
    sections = sum(1 for line in guidance.splitlines() if _LEVEL_1.match(line))
    if guidance:
        doc.rich_text(guidance)
    doc.heading(1, heading_prefix(1, sections + 1) + "学习专题安排")
    if topics:
        doc.paragraph(f"{plan.year}年，本中心组安排以下{len(topics)}个学习专题：")
        rows = [
            [
                i,
                topic_when(t),
                t.title,
                t.form or "",
                t.lead.name if t.lead_id else "",
            ]
            for i, t in enumerate(topics, start=1)
        ]
        doc.table(TOPIC_HEADERS, rows, widths_mm=TOPIC_WIDTHS_MM)
    else:
        doc.paragraph("（尚未安排学习专题）")
    detailed = [t for t in topics if (t.content or "").strip()]
    if detailed:
        doc.heading(1, heading_prefix(1, sections + 2) + "专题学习内容")
        for i, t in enumerate(detailed, start=1):
            when = topic_when(t)
            head = f"{heading_prefix(2, i)}{t.title}" + (f"（{when}）" if when else "") + "。"
            doc.heading(2, head)
            doc.paragraphs(t.content)
    doc.signature(plan.group.name, _document_date(plan), sealed=False)
    return doc.to_bytes()
