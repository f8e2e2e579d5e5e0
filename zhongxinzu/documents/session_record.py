"""A held session as documents of the archive volume, through the GB/T 9704 builder:

- the session record (学习记录, DOMAIN.md §6): time, place, chair, who led the study, who
  attended, who was absent and why, agenda, content, form, the speakers' subtopics and the
  effect — in the builder's `labelled()` lines (label 黑体, text 仿宋);
- the minutes (纪要, GB/T 9704 §10.3): the red "…纪要" mark with its issue number
  (`doc_number`, e.g. 2026年第3期), the minutes as typed, then 出席 / 请假 / 列席.

Pure functions: a SessionRecordData in, .docx bytes out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from zhongxinzu.documents.gbt9704 import OfficialDocument, chinese_date


@dataclass
class SessionRecordData:
    group: str  # the group's name (责任者)
    title: str
    kind: str  # 学习形式 label
    starts: dt.datetime  # local time
    ends: dt.datetime
    place: str
    chair: str = ""
    lead_reader: str = ""
    present: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    leave: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)
    absent: list[tuple[str, str]] = field(default_factory=list)
    sitting_in: list[str] = field(default_factory=list)  # 列席
    agenda: list[tuple[str, bool]] = field(default_factory=list)  # (item, 第一议题)
    speakers: list[tuple[str, str]] = field(default_factory=list)  # (name, subtopic)
    content: str = ""
    effect: str = ""
    materials: str = ""
    minutes: str = ""

    @property
    def when(self) -> str:
        return (
            f"{chinese_date(self.starts.date())}{self.starts:%H:%M}—{self.ends:%H:%M}"
            if self.starts.date() == self.ends.date()
            else f"{chinese_date(self.starts.date())}{self.starts:%H:%M}—"
            f"{chinese_date(self.ends.date())}{self.ends:%H:%M}"
        )


def _names(names: list[str]) -> str:
    return "、".join(names) if names else "无"


def _with_reasons(rows: list[tuple[str, str]]) -> str:
    return "、".join(f"{n}（{r}）" if r else n for n, r in rows) if rows else "无"


def record_title(s: SessionRecordData) -> str:
    return f"学习记录：{s.title}"


def minutes_title(s: SessionRecordData) -> str:
    return f"{s.title}会议纪要"


def session_record_docx(s: SessionRecordData) -> bytes:
    """学习记录 of one held session (no red mark: an internal record)."""
    doc = OfficialDocument(title=record_title(s), issuer=s.group, mark="", kind="report")
    doc.labelled("时间", s.when)
    doc.labelled("地点", s.place or "—")
    doc.labelled("形式", s.kind)
    doc.labelled("主持", s.chair or "—")
    doc.labelled("领学", s.lead_reader or "—")
    doc.labelled("出席", _names(s.present + s.late))
    if s.late:
        doc.labelled("迟到", _names(s.late))
    doc.labelled("请假", _with_reasons(s.leave))
    doc.labelled("缺席", _with_reasons(s.absent))
    if s.sitting_in:
        doc.labelled("列席", _names(s.sitting_in))
    doc.heading(1, "学习议程", numbered=True)
    if s.agenda:
        for i, (item, first) in enumerate(s.agenda, start=1):
            doc.paragraph(f"{i}.{item}" + ("（第一议题）" if first else ""))
    else:
        doc.paragraph("（未登记议程）")
    doc.heading(1, "学习内容", numbered=True)
    doc.paragraphs(s.content or "（未登记）")
    if s.materials.strip():
        doc.labelled("学习材料", s.materials.strip().replace("\n", "；"))
    doc.heading(1, "发言情况", numbered=True)
    if s.speakers:
        for name, subtopic in s.speakers:
            doc.labelled(name, subtopic)
    else:
        doc.paragraph("（未安排分题发言）")
    doc.heading(1, "学习效果", numbered=True)
    doc.paragraphs(s.effect or "（未登记）")
    return doc.to_bytes()


def session_minutes_docx(s: SessionRecordData, *, doc_number: str) -> bytes:
    """纪要 of one session: red mark "<group>纪要", the issue number, the minutes, then the
    出席 / 请假 / 列席 lines."""
    doc = OfficialDocument(
        title=minutes_title(s), issuer=s.group, kind="minutes", doc_number=doc_number
    )
    doc.paragraph(
        f"{chinese_date(s.starts.date())}，{s.group}在{s.place or '本单位'}开展{s.kind}"
        + (f"，{s.chair}主持" if s.chair else "")
        + "。现将有关情况纪要如下："
    )
    doc.rich_text(s.minutes)
    doc.blank()
    doc.labelled("出席", _names(s.present + s.late))
    doc.labelled("请假", _with_reasons(s.leave))
    if s.absent:
        doc.labelled("缺席", _with_reasons(s.absent))
    if s.sitting_in:
        doc.labelled("列席", _names(s.sitting_in))
    return doc.to_bytes()
