"""一学一报: the short report of one session, generated from its record (GB/T 9704 layout)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from zhongxinzu.documents.gbt9704 import OfficialDocument, chinese_date


@dataclass
class SessionFacts:
    group_name: str
    unit_name: str
    addressee: str | None
    title: str
    kind: str  # the label: 集体学习, 专题研讨 …
    day: dt.date
    place: str
    chair: str
    lead_reader: str
    due: int  # members expected (not 列席)
    attended: int
    leave: int
    absent: int
    agenda: list[str] = field(default_factory=list)
    first_items: list[str] = field(default_factory=list)
    content: str = ""
    effect: str = ""


def report_title(f: SessionFacts) -> str:
    return f"关于{chinese_date(f.day)}理论学习中心组{f.kind}情况的报告"


def session_report_docx(f: SessionFacts, *, signed_on: dt.date) -> bytes:
    doc = OfficialDocument(
        title=report_title(f), issuer=f.unit_name, mark="", kind="report", addressee=f.addressee
    )
    lead = f"，{f.lead_reader}领学" if f.lead_reader else ""
    chair = f"，{f.chair}主持" if f.chair else ""
    doc.paragraph(
        f"{chinese_date(f.day)}，{f.group_name}在{f.place or '本单位'}开展{f.kind}，"
        f"主题为“{f.title}”{chair}{lead}。应参加{f.due}人，实到{f.attended}人，"
        f"请假{f.leave}人，缺席{f.absent}人。现将有关情况报告如下。"
    )
    doc.heading(1, "学习内容", numbered=True)
    if f.first_items:
        doc.paragraph("第一议题：" + "；".join(f.first_items) + "。")
    for i, item in enumerate(f.agenda, start=1):
        doc.paragraph(f"{i}. {item}")
    if f.content.strip():
        doc.paragraphs(f.content)
    if not (f.agenda or f.content.strip()):
        doc.paragraph("（学习记录未填写学习内容）")
    doc.heading(1, "学习效果", numbered=True)
    doc.paragraphs(f.effect) if f.effect.strip() else doc.paragraph("（学习记录未填写学习效果）")
    doc.signature(f.unit_name, signed_on, sealed=False)
    return doc.to_bytes()
