"""The observation feedback letter (列席旁听反馈意见) as a .docx in the GB/T 9704 layout."""

from __future__ import annotations

import datetime as dt

from zhongxinzu.documents.gbt9704 import OfficialDocument, chinese_date


def feedback_letter_docx(visit, *, issuer: str, on: dt.date) -> bytes:
    """Records in, bytes out: the host group, the visit date and who observed it, then the
    summary's three parts (总体评价、特色亮点、存在问题) and the request to rectify."""
    group = visit.group
    title = f"关于{group.name}学习列席旁听情况的反馈意见"
    doc = OfficialDocument(
        title=title, issuer=issuer, kind="notice", mark="", addressee=group.unit.name
    )
    observers = visit.team.name if visit.team_id else ""
    if not observers and visit.observer_group_id:
        observers = visit.observer_group.name
    session = visit.session
    theme = f"，围绕“{session.title}”开展学习" if session is not None else ""
    doc.paragraph(
        f"{chinese_date(visit.planned_on)}，{observers or '旁听组'}列席旁听了你单位党委（党组）"
        f"理论学习中心组学习{theme}。现将旁听情况反馈如下。"
    )
    sections = [
        ("总体评价", visit.summary_overall),
        ("特色亮点", visit.summary_highlights),
        ("存在问题", visit.summary_problems),
    ]
    for heading, text in sections:
        doc.heading(1, heading, numbered=True)
        if (text or "").strip():
            doc.paragraphs(text)
        else:
            doc.paragraph("无。")
    doc.heading(1, "整改要求", numbered=True)
    doc.paragraph(
        "请针对存在问题认真研究制定整改措施，明确责任人和整改时限，整改情况按要求报送，"
        "问题逐项整改销号。"
    )
    doc.signature(issuer, on, sealed=False)
    return doc.to_bytes()
