"""GB/T 9704 as LibreOffice and Word lay it out: read the .docx XML back (document.xml,
styles.xml) and check the grid, the tables, the signature, the 版记 and the title."""

import datetime as dt
import io
import zipfile
from types import SimpleNamespace

import docx
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from zhongxinzu.documents.gbt9704 import OfficialDocument, text_width

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def xml_of(data: bytes, part: str = "word/document.xml"):
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(part))


def ppr_flag(p, tag: str) -> bool:
    ppr = p._p.pPr
    return ppr is not None and ppr.find(qn(tag)) is not None


def lines_of(p) -> list[str]:
    """A paragraph's text split at its explicit line breaks (w:br)."""
    out = [""]
    for el in p._p.iter(W + "t", W + "br"):
        if el.tag == W + "br":
            out.append("")
        else:
            out[-1] += el.text or ""
    return out


def test_character_grid_gives_28_characters_of_3hao_in_the_text_width():
    """A grid of lines (22 of 28.95 pt) and 3号 characters set 0.25 pt tighter: 28 fit in
    156 mm, 29 do not (measured in LibreOffice: a linesAndChars grid narrower than the
    font gave each character two cells, 14 a line)."""
    data = OfficialDocument(title="标题").to_bytes()
    grid = xml_of(data).find(f".//{W}sectPr/{W}docGrid")
    assert grid.get(W + "type") == "lines"
    assert grid.get(W + "linePitch") == "579"  # 28.95 pt, 22 lines
    styles = xml_of(data, "word/styles.xml")
    normal = next(s for s in styles.iter(f"{W}style") if s.get(W + "styleId") == "Normal")
    size = int(normal.find(f"{W}rPr/{W}sz").get(W + "val")) / 2
    tighten = int(normal.find(f"{W}rPr/{W}spacing").get(W + "val")) / 20
    pitch = size + tighten
    assert size == 16
    assert pitch * 28 <= Mm(156).pt < pitch * 29


def test_table_grid_columns_equal_cell_widths_rows_keep_together_header_repeats():
    doc = OfficialDocument(title="标题")
    doc.table(
        ["规则要求", "标准", "完成情况", "结论"],
        [["a", "b", "c", "d"]] * 3,
        widths_mm=[52, 36, 44, 24],
    )
    doc.table(["姓名", "出勤"], [["张三", "12"]])  # no widths given: equal columns
    for tbl in xml_of(doc.to_bytes()).iter(W + "tbl"):
        grid = [int(c.get(W + "w")) for c in tbl.find(W + "tblGrid")]
        assert sum(grid) == Mm(156).twips
        rows = tbl.findall(W + "tr")
        for i, tr in enumerate(rows):
            widths = [int(tc.find(f"{W}tcPr/{W}tcW").get(W + "w")) for tc in tr.findall(W + "tc")]
            assert widths == grid
            assert tr.find(f"{W}trPr/{W}cantSplit") is not None
            assert (tr.find(f"{W}trPr/{W}tblHeader") is not None) == (i == 0)
        assert tbl.find(f"{W}tblPr/{W}tblLayout").get(W + "type") == "fixed"
    first = next(xml_of(doc.to_bytes()).iter(W + "tbl"))
    assert [int(c.get(W + "w")) for c in first.find(W + "tblGrid")][:2] == [2948, 2041]


def test_wide_table_is_set_at_5hao_and_its_headers_fit_their_columns():
    from zhongxinzu.supervision.problems import RECT_HEADERS, GroupLists, lists_docx

    rect = SimpleNamespace(
        status="open",
        deadline=dt.date(2026, 1, 19),
        get_status_display=lambda: "整改中",
        closed_at=None,
        owner_id=None,
        measures="建立学习台账",
        department="党委办公室",
    )
    problem = SimpleNamespace(
        rectification=rect,
        get_source_display=lambda: "列席旁听",
        category="学习制度",
        description="学习记录不完整",
        evidence="旁听记录",
        found_on=dt.date(2026, 1, 5),
    )
    lists = GroupLists(
        group=SimpleNamespace(name="中共某某委员会理论学习中心组"),
        year=2026,
        plan=None,
        topics=[],
        problems=[problem],
        today=dt.date(2026, 1, 10),
    )
    document = docx.Document(io.BytesIO(lists_docx(lists)))
    wide = next(t for t in document.tables if len(t.columns) == 8)
    assert [c.text for c in wide.rows[0].cells] == RECT_HEADERS
    grid = [int(c.get(W + "w")) for c in wide._tbl.tblGrid]
    assert sum(grid) == Mm(156).twips
    padding = Mm(2).twips
    for row in wide.rows:
        for cell, col in zip(row.cells, grid, strict=True):
            run = cell.paragraphs[0].runs[0]
            assert run.font.size == Pt(10.5)
            if row is wide.rows[0] or "年" in cell.text:  # labels and dates on one line
                assert text_width(cell.text) * Pt(10.5).twips + padding <= col, cell.text
    # dates in tables the Chinese way
    texts = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "2026年1月19日" in texts and "2026年1月5日" in texts
    assert not any("2026-" in t or "2026." in t for t in texts)


def test_iso_dates_in_table_cells_are_written_the_chinese_way():
    doc = OfficialDocument(title="标题")
    doc.table(["规则要求", "完成情况"], [["年度学习计划报备", "2026-01-19报备"]])
    document = docx.Document(io.BytesIO(doc.to_bytes()))
    assert document.tables[0].cell(1, 1).text == "2026年1月19日报备"


def _signed(sealed: bool):
    doc = OfficialDocument(title="标题")
    doc.paragraph("正文。")
    doc.signature("中共某某委员会", dt.date(2026, 1, 5), sealed=sealed)
    document = docx.Document(io.BytesIO(doc.to_bytes()))
    paragraphs = document.paragraphs
    date_at = next(i for i, p in enumerate(paragraphs) if p.text == "2026年1月5日")
    return paragraphs, date_at


def test_signature_lines_keep_with_the_date():
    for sealed in (True, False):
        paragraphs, date_at = _signed(sealed)
        body_at = next(i for i, p in enumerate(paragraphs) if p.text == "正文。")
        for p in paragraphs[body_at + 1 : date_at]:
            assert ppr_flag(p, "w:keepNext") and ppr_flag(p, "w:keepLines")


def test_organ_is_centred_over_the_date_counting_digits_as_half_characters():
    for sealed in (True, False):
        paragraphs, date_at = _signed(sealed)
        date, organ = paragraphs[date_at], paragraphs[date_at - 1]
        assert organ.text == "中共某某委员会"
        date_in = int(date._p.pPr.find(qn("w:ind")).get(qn("w:rightChars"))) / 100
        organ_in = int(organ._p.pPr.find(qn("w:ind")).get(qn("w:rightChars"))) / 100
        assert date_in == 4  # 右空四字
        # 2026年1月5日 is 6 characters wide (4 + 2 half-width digits), the organ 7
        assert date_in + text_width("2026年1月5日") / 2 == organ_in + text_width(organ.text) / 2
        assert organ_in == 3.5
        assert date.paragraph_format.right_indent == Pt(64)
        assert abs(organ.paragraph_format.right_indent - Pt(56)) < Pt(0.01)


def test_colophon_is_framed_at_the_foot_of_the_page():
    doc = OfficialDocument(title="标题")
    doc.paragraph("正文。")
    doc.colophon(cc="市委宣传部", printer="某某委员会办公室", printed_on=dt.date(2026, 1, 6))
    body = xml_of(doc.to_bytes()).find(W + "body")
    paragraphs = body.findall(W + "p")
    framed = [p for p in paragraphs if p.find(f"{W}pPr/{W}framePr") is not None]
    assert ["".join(p.itertext()) for p in framed] == [
        "抄送：市委宣传部。",
        "某某委员会办公室2026年1月6日印发",  # (the tab is an element)
    ]
    for p in framed:  # 4号, off the 3号 character grid
        assert p.find(f"{W}pPr/{W}snapToGrid").get(W + "val") == "0"
    frames = [p.find(f"{W}pPr/{W}framePr") for p in framed]
    assert all(dict(f.attrib) == dict(frames[0].attrib) for f in frames)  # one frame
    frame = frames[0]
    assert frame.get(W + "vAnchor") == "margin" and frame.get(W + "yAlign") == "bottom"
    assert frame.get(W + "hAnchor") == "margin" and frame.get(W + "w") == str(Mm(156).twips)
    # an unframed anchor paragraph follows, 1 pt high; no blank lines push the 版记 down
    assert paragraphs[-1].find(f"{W}pPr/{W}framePr") is None
    assert not "".join(paragraphs[-1].itertext())
    before = paragraphs[paragraphs.index(framed[0]) - 1]
    assert "".join(before.itertext()) == "正文。"


def test_long_title_is_broken_into_balanced_lines():
    title = "关于中共某某市某某区委员会理论学习中心组学习列席旁听情况的反馈意见"  # 33
    doc = OfficialDocument(title=title)
    document = docx.Document(io.BytesIO(doc.to_bytes()))
    p = next(p for p in document.paragraphs if p.runs and p.runs[0].font.size == Pt(22))
    lines = lines_of(p)
    assert "".join(lines) == title
    assert len(lines) == 2
    assert all(2 <= text_width(line) <= 20 for line in lines)
    assert abs(text_width(lines[0]) - text_width(lines[1])) <= 2
    # one character over a line: not 20 + 1
    doc = OfficialDocument(title="二〇二六年度中共某某委员会理论学习中心组学习计划")  # 23
    document = docx.Document(io.BytesIO(doc.to_bytes()))
    p = next(p for p in document.paragraphs if p.runs and p.runs[0].font.size == Pt(22))
    assert min(text_width(line) for line in lines_of(p)) >= 10
    # explicit lines are kept; digits are never split
    doc = OfficialDocument(title="某某委员会\n2026年学习清单、问题清单、整改清单")
    document = docx.Document(io.BytesIO(doc.to_bytes()))
    p = next(p for p in document.paragraphs if p.runs and p.runs[0].font.size == Pt(22))
    assert lines_of(p) == ["某某委员会", "2026年学习清单、问题清单、整改清单"]


def test_red_mark_top_is_35mm_below_the_text_block():
    doc = OfficialDocument(title="标题", issuer="中共某某委员会", addressee="市委宣传部")
    document = docx.Document(io.BytesIO(doc.to_bytes()))
    mark = document.paragraphs[0]
    assert mark.text == "中共某某委员会文件"
    fmt = mark.paragraph_format
    assert abs(fmt.space_before - Mm(35)) < Mm(0.1)
    # a line exactly the type size: the em box starts at the top of the line
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert fmt.line_spacing == mark.runs[0].font.size


def test_one_blank_line_between_title_and_addressee():
    doc = OfficialDocument(title="标题", issuer="中共某某委员会", addressee="市委宣传部")
    document = docx.Document(io.BytesIO(doc.to_bytes()))
    texts = [p.text for p in document.paragraphs]
    at = texts.index("市委宣传部：")
    assert texts[at - 1] == "" and texts[at - 2] == "标题"


def test_feedback_letter_keeps_organ_and_date_together_and_balances_its_title():
    from zhongxinzu.documents.feedback_letter import feedback_letter_docx

    group = SimpleNamespace(
        name="中共某某市某某区委员会理论学习中心组", unit=SimpleNamespace(name="某某区委")
    )
    visit = SimpleNamespace(
        group=group,
        team_id=1,
        team=SimpleNamespace(name="市委第一旁听组"),
        observer_group_id=None,
        session=None,
        planned_on=dt.date(2026, 1, 5),
        summary_overall="学习准备充分。",
        summary_highlights="",
        summary_problems="发言念稿。",
    )
    data = feedback_letter_docx(visit, issuer="中共某某市委宣传部", on=dt.date(2026, 1, 19))
    document = docx.Document(io.BytesIO(data))
    paragraphs = document.paragraphs
    date_at = next(i for i, p in enumerate(paragraphs) if p.text == "2026年1月19日")
    organ = paragraphs[date_at - 1]
    assert organ.text == "中共某某市委宣传部"
    assert ppr_flag(organ, "w:keepNext") and ppr_flag(paragraphs[date_at - 2], "w:keepNext")
    assert paragraphs[date_at]._p.pPr.find(qn("w:ind")).get(qn("w:rightChars")) == "400"
    title = next(p for p in paragraphs if p.runs and p.runs[0].font.size == Pt(22))
    lines = lines_of(title)
    assert len(lines) > 1 and all(2 <= text_width(line) <= 20 for line in lines)
    assert not any(
        r.font.color is not None and r.font.color.rgb for p in paragraphs for r in p.runs
    )


def test_smaller_type_is_set_off_the_character_grid():
    data = OfficialDocument(title="标题").to_bytes()
    package = zipfile.ZipFile(io.BytesIO(data))
    footers = [n for n in package.namelist() if n.startswith("word/footer")]
    assert footers
    for name in footers:
        for p in etree.fromstring(package.read(name)).iter(W + "p"):
            assert p.find(f"{W}pPr/{W}snapToGrid").get(W + "val") == "0"
