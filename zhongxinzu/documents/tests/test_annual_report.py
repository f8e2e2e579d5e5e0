"""The annual report and the attendance register: figures from the records, reopened."""

import datetime as dt
import io
import re

import docx
import openpyxl
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from zhongxinzu.compliance.selectors import annual_figures, attendance_register
from zhongxinzu.compliance.tests import factories as f
from zhongxinzu.documents.annual_report import annual_report_docx, draft_narrative
from zhongxinzu.documents.attendance_register import attendance_register_xlsx

AFTER = dt.date(2026, 1, 15)


@pytest.fixture
def year(world):
    return f.build_year(world, 2025)


def test_figures_are_computed_from_the_records(year):
    fig = annual_figures(year.good, 2025, as_of=AFTER)
    assert fig.sessions == 12 and fig.discussions == 4 and fig.topical == 4
    assert fig.by_kind == {"集体学习": 8, "专题学习研讨": 4}
    assert fig.first_item_sessions == 12 and fig.first_items_studied == 12
    assert (fig.due, fig.attended, fig.attendance_rate) == (120, 119, 99.2)
    assert fig.members == 10 and fig.members_meeting_rate == 10
    assert fig.participation_avg == 99.2
    assert fig.leader_led == 6 and fig.leader_share == 50.0  # odd months led by the 组长
    # the notes are the members' self-study notebooks (自学笔记), one each
    assert fig.outputs == {"研讨发言材料": 1, "学习笔记": 10, "调研报告": 1, "理论文章": 10}
    assert fig.outputs_total == 22
    assert fig.conversions == {"制度文件": 1} and fig.conversion_list[0][3] == "X〔2025〕1号"
    assert (fig.makeups, fig.makeups_done) == (1, 1)


def test_draft_problems_name_the_missed_rules(year):
    fig = annual_figures(year.bad, 2025, as_of=AFTER)
    text = draft_narrative(fig, group_name=year.bad.name)["problems"]
    assert text.startswith("（一）集体学习次数未达到要求。已举行9次，要求不少于12次，缺3次。")


def build(fig, group, narrative=None):
    narrative = narrative or draft_narrative(fig, group_name=group.name)
    data = annual_report_docx(
        figures=fig,
        narrative=narrative,
        unit_name=group.unit.name,
        group_name=group.name,
        addressee="市委宣传部",
        signed_on=dt.date(2026, 1, 5),
    )
    return docx.Document(io.BytesIO(data))


def test_report_document_has_the_seed_structure_and_every_figure(year):
    fig = annual_figures(year.good, 2025, as_of=AFTER)
    narrative = {
        "intro": "现将本年度学习情况汇报如下：",
        "practices": "（一）完善制度，压实责任。成立学习领导小组。",
        "problems": "（一）学习形式还比较单调。",
        "next_steps": "（一）注重学以致用。细化学习要求。",
    }
    document = build(fig, year.good, narrative)
    texts = [p.text for p in document.paragraphs]
    body = "\n".join(texts)
    assert f"{year.good.name}2025年度学习情况汇报" in texts
    assert "市委宣传部：" in texts
    headings = [t for t in texts if t[:2] in ("一、", "二、", "三、")]
    assert headings == [
        "一、2025年理论学习中心组学习完成情况",
        "二、存在的问题和不足",
        "三、下步工作打算",
    ]
    for figure in (
        "全年组织中心组集体学习12次（集体学习8次、专题学习研讨4次），其中集中研讨4次，专题包括",
        "12次学习设置“第一议题”，全年学习“第一议题”12项",
        "全年应到120人次、实到119人次，出勤率99.2%",
        "成员平均参学率99.2%，10名成员参学率达到80%以上",
        "由组长领学6次，占集体学习的50%",
        "全年形成学习成果22篇，其中研讨发言材料1篇、学习笔记10篇、调研报告1篇、理论文章10篇",
        "推动成果转化1项，其中制度文件1项",
    ):
        assert figure in body, figure
    rules = document.tables[0]
    assert [c.text for c in rules.rows[0].cells] == ["规则要求", "标准", "完成情况", "结论"]
    sessions_row = next(r for r in rules.rows if r.cells[0].text == "集体学习次数")
    assert [c.text for c in sessions_row.cells[1:]] == ["≥12次", "12次", "达标"]
    assert document.tables[1].rows[1].cells[1].text.startswith("转化成果")
    assert texts.index("二、存在的问题和不足") < texts.index("（一）学习形式还比较单调。")
    assert "2026年1月5日" in texts


def test_report_document_layout(year):
    document = build(annual_figures(year.bad, 2025, as_of=AFTER), year.bad)
    section = document.sections[0]
    assert section.page_width.twips == 11906 and section.page_height.twips == 16838
    assert abs(section.top_margin - Mm(37)) < Mm(0.1)
    assert abs(section.left_margin - Mm(28)) < Mm(0.1)
    title = next(p for p in document.paragraphs if p.text.endswith("学习情况汇报"))
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER and title.runs[0].font.size == Pt(22)
    fonts = title.runs[0]._element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    figures = next(p for p in document.paragraphs if p.text.startswith("全年组织"))
    fonts = figures.runs[0]._element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312" and figures.runs[0].font.size == Pt(16)
    # an upward report without 发文字号/签发人: the plain layout of seed 002, no red 文件 mark
    assert not any(p.text.endswith("文件") for p in document.paragraphs)
    assert not any(
        r.font.color is not None and r.font.color.rgb is not None
        for p in document.paragraphs
        for r in p.runs
    )
    assert document.paragraphs[0].text == "" and document.paragraphs[1].text == title.text
    assert document.settings.odd_and_even_pages_header_footer
    # the drafted problems became level-2 headings in 楷体
    problem = next(p for p in document.paragraphs if p.text.startswith("（一）集体学习次数"))
    fonts = problem.runs[0]._element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "楷体_GB2312"


def test_attendance_register_xlsx(year):
    reg = attendance_register(year.bad, 2025)
    assert len(reg.sessions) == 9 and len(reg.rows) == 5
    wb = openpyxl.load_workbook(io.BytesIO(attendance_register_xlsx(reg)))
    ws = wb["考勤登记表"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == f"{year.bad.name}2025年度考勤登记表"  # the title row
    assert rows[1][3] == "1月10日" and rows[1][-6:] == (
        "出席",
        "迟到",
        "请假",
        "缺席",
        "应参加",
        "参学率",
    )
    leader = rows[2]
    assert leader[1] == year.bp["leader"].name and leader[3:12] == ("出",) * 9
    assert leader[-2:] == (9, 1)
    assert ws.cell(row=3, column=len(rows[1])).number_format == "0.0%"
    due = next(r for r in rows if r[1] == "应到")
    rate = next(r for r in rows if r[1] == "出勤率")
    assert due[3] == 5 and rate[3] == pytest.approx(0.8) and rate[-1] == pytest.approx(8 / 9)
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$2:$2"
    listing = list(wb["学习场次"].iter_rows(values_only=True))
    assert listing[1] == ("序号", "日期", "学习主题", "学习形式", "应到", "实到", "出勤率")
    assert len(listing) == 11 and listing[2][3] == "集体学习"
    assert isinstance(listing[2][-1], float)


def _completion(group, year_, as_of):
    from zhongxinzu.documents.annual_report import completion_text

    return "".join(completion_text(annual_figures(group, year_, as_of=as_of)))


def test_reading_class_is_not_a_second_count_of_topical_study(year):
    f.session(year.good, f.at(2025, 11, 20, 9, 0), kind="reading")
    text = _completion(year.good, 2025, AFTER)
    assert "专题学习研讨4次、读书班1次" in text
    assert "专题学习研讨5次" not in text and text.count("专题学习研讨") == 1


def test_speech_for_a_session_not_yet_held_is_not_an_output(year):
    before = annual_figures(year.good, 2025, as_of=AFTER).outputs_total
    later = f.session(year.good, f.at(2025, 12, 28, 9, 0), status="planned")
    f.output(year.good, year.gp["leader"], year=2025, kind="speech", session=later)
    assert annual_figures(year.good, 2025, as_of=AFTER).outputs_total == before


def test_a_running_year_says_up_to_which_day(year):
    text = _completion(year.good, 2025, dt.date(2025, 10, 8))
    assert "全年" not in text
    assert text.startswith("截至10月8日组织中心组集体学习")


def test_zero_clauses_are_left_out(year):
    text = _completion(year.bad, 2025, AFTER)
    # "0次" but not "10次": a zero count standing alone
    assert not re.search(r"(?<![0-9])0[项篇次]", text), text
    assert "推动成果转化" not in text
