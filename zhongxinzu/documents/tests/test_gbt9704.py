"""The official-document builder: reopen the bytes and check the GB/T 9704 layout."""

import datetime as dt
import io
import zipfile

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from zhongxinzu.documents.gbt9704 import (
    OfficialDocument,
    chinese_date,
    cn_numeral,
    document_number,
)


def east_asia(run) -> str:
    return run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def reopen(doc: OfficialDocument):
    data = doc.to_bytes()
    return docx.Document(io.BytesIO(data)), zipfile.ZipFile(io.BytesIO(data))


def paragraph_with(document, text):
    return next(p for p in document.paragraphs if text in p.text)


@pytest.fixture
def report():
    doc = OfficialDocument(
        title="2026年度理论学习中心组学习情况汇报",
        issuer="中共某某委员会",
        doc_number=document_number("某党", 2026, 5),
        addressee="市委宣传部",
    )
    doc.heading(1, "完成情况", numbered=True)
    doc.heading(2, "完善制度。", numbered=True, body="成立学习领导小组。")
    doc.heading(3, "制定计划", numbered=True)
    doc.paragraph("全年组织集中学习12次。")
    doc.table(["姓名", "出勤次数"], [["张三", 12], ["李四", None]])
    doc.heading(1, "存在问题", numbered=True)
    doc.heading(2, "学习形式单一", numbered=True)
    doc.signature("中共某某委员会", dt.date(2026, 1, 5))
    doc.colophon(cc="市委宣传部", printer="某某委员会办公室", printed_on=dt.date(2026, 1, 6))
    return doc


def test_page_is_a4_with_the_standard_margins(report):
    document, _ = reopen(report)
    section = document.sections[0]
    assert section.page_width.twips == 11906 and section.page_height.twips == 16838  # A4
    assert abs(section.top_margin - Mm(37)) < Mm(0.1)
    assert abs(section.left_margin - Mm(28)) < Mm(0.1)
    assert abs(section.right_margin - Mm(26)) < Mm(0.1)
    assert abs(section.bottom_margin - Mm(35)) < Mm(0.1)


def test_body_is_16pt_fangsong_indented_two_characters_on_fixed_lines(report):
    document, _ = reopen(report)
    p = paragraph_with(document, "全年组织集中学习12次")
    run = p.runs[0]
    assert east_asia(run) == "仿宋_GB2312" and run.font.size == Pt(16)
    assert p.paragraph_format.first_line_indent == Pt(32)
    assert p._p.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
    normal = document.styles["Normal"].paragraph_format
    assert normal.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert 28.8 <= normal.line_spacing.pt <= 29.0  # 22 lines in the 225 mm text block


def test_title_is_22pt_xiaobiaosong_centred(report):
    document, _ = reopen(report)
    title = paragraph_with(document, "学习情况汇报")
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert east_asia(title.runs[0]) == "方正小标宋简体" and title.runs[0].font.size == Pt(22)
    assert document.core_properties.title == "2026年度理论学习中心组学习情况汇报"


def test_red_mark_number_and_rule(report):
    document, _ = reopen(report)
    mark = document.paragraphs[0]
    assert mark.text == "中共某某委员会文件" and mark.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert str(mark.runs[0].font.color.rgb) == "FF0000"
    number = paragraph_with(document, "某党〔2026〕5号")
    rule = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"


def test_headings_fonts_and_numbering(report):
    document, _ = reopen(report)
    assert east_asia(paragraph_with(document, "一、完成情况").runs[0]) == "黑体"
    level2 = paragraph_with(document, "（一）完善制度。")
    assert east_asia(level2.runs[0]) == "楷体_GB2312" and east_asia(level2.runs[1]) == "仿宋_GB2312"
    assert east_asia(paragraph_with(document, "1.制定计划").runs[0]) == "仿宋_GB2312"
    # counters restart below a new first-level heading
    assert paragraph_with(document, "二、存在问题")
    assert paragraph_with(document, "（一）学习形式单一")


def test_table_cells_are_fangsong(report):
    document, _ = reopen(report)
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["姓名", "出勤次数"]
    assert table.cell(1, 1).text == "12" and table.cell(2, 1).text == ""
    assert east_asia(table.cell(1, 0).paragraphs[0].runs[0]) == "仿宋_GB2312"
    assert east_asia(table.cell(0, 0).paragraphs[0].runs[0]) == "黑体"


def test_signature_and_date_right_aligned_without_leading_zeros(report):
    document, _ = reopen(report)
    date = paragraph_with(document, "2026年1月5日")
    assert date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert date.paragraph_format.right_indent == Pt(64)  # 4 characters in when sealed
    organ = [p for p in document.paragraphs if p.text == "中共某某委员会"][-1]
    assert organ.alignment == WD_ALIGN_PARAGRAPH.RIGHT


def test_colophon_between_rules(report):
    document, _ = reopen(report)
    cc = paragraph_with(document, "抄送：市委宣传部。")
    assert cc.runs[0].font.size == Pt(14) and east_asia(cc.runs[0]) == "仿宋_GB2312"
    printer = paragraph_with(document, "2026年1月6日印发")
    assert printer.text.startswith("某某委员会办公室\t")
    assert cc._p.pPr.find(qn("w:pBdr")).find(qn("w:top")) is not None
    assert printer._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:sz")) == "8"


def test_page_numbers_odd_right_even_left_with_page_field(report):
    document, package = reopen(report)
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    for p in (odd, even):
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert east_asia(p.runs[0]) == "宋体" and p.runs[0].font.size == Pt(14)
        instr = p._p.xpath(".//w:instrText")
        assert instr and instr[0].text.strip() == "PAGE"


def test_fonts_fall_back_through_the_font_table(report):
    _, package = reopen(report)
    fonts = package.read("word/fontTable.xml").decode()
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in fonts
    assert '<w:font w:name="方正小标宋简体"><w:altName w:val="宋体"/>' in fonts
    settings = package.read("word/settings.xml").decode()
    assert 'w:eastAsia="zh-CN"' in settings


def test_minutes_variant_with_labels():
    doc = OfficialDocument(
        title="学习贯彻重要讲话精神",
        issuer="市教育局党委理论学习中心组学习",
        kind="minutes",
        doc_number="第3期",
    )
    doc.labelled("出席", "张三、李四")
    doc.labelled("请假", "王五（公务）")
    document, _ = reopen(doc)
    assert document.paragraphs[0].text == "市教育局党委理论学习中心组学习纪要"
    line = paragraph_with(document, "出席：")
    assert east_asia(line.runs[0]) == "黑体" and east_asia(line.runs[1]) == "仿宋_GB2312"
    assert line.runs[1].text == "张三、李四"
    assert line.paragraph_format.first_line_indent < 0  # wrapped names align after the colon


def test_rich_text_turns_numbered_lines_into_headings():
    doc = OfficialDocument(title="汇报")
    doc.rich_text("二、存在问题\n（一）形式单一。学习形式还比较单调。\n一般段落")
    document, _ = reopen(doc)
    assert east_asia(paragraph_with(document, "二、存在问题").runs[0]) == "黑体"
    p = paragraph_with(document, "（一）形式单一。")
    assert p.runs[0].text == "（一）形式单一。" and p.runs[1].text == "学习形式还比较单调。"


def test_small_helpers():
    assert chinese_date(dt.date(2026, 1, 5)) == "2026年1月5日"
    assert [cn_numeral(n) for n in (1, 10, 12, 20, 21)] == ["一", "十", "十二", "二十", "二十一"]
    assert document_number("教党", 2026, 5) == "教党〔2026〕5号"
    with pytest.raises(ValueError):
        OfficialDocument(title="x", kind="poster")
