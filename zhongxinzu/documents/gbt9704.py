"""The one builder of official documents (.docx) in the GB/T 9704-2012 layout (DOMAIN.md §7).

    doc = OfficialDocument(title="2026年度理论学习中心组学习情况汇报", issuer="中共某某委员会",
                           doc_number=document_number("某党", 2026, 5), kind="report")
    doc.heading(1, "完成情况", numbered=True)          # 一、完成情况   (黑体)
    doc.heading(2, "（一）完善制度。", body="……")       # （一）in 楷体, then the body in 仿宋
    doc.paragraph("正文……")                            # 仿宋 3号, first line indented 2 characters
    doc.table(["姓名", "出勤"], [["张三", "12"]])
    doc.signature("中共某某委员会", dt.date(2026, 1, 5))
    doc.colophon(cc="市委宣传部", printer="某某办公室", printed_on=dt.date(2026, 1, 5))
    data = doc.to_bytes()

Geometry: A4, margins top 37 / left (binding) 28 / right 26 / bottom 35 mm (a 156 × 225 mm
text block), 22 lines of exactly 28.95 pt (a grid of lines) and 28 characters of 3号 (set
0.25 pt tighter; type larger than 3号 is set off the grid). Tables take their column widths
in the grid and in every cell, keep rows whole and repeat the header row; tables of more
than 6 columns are set at 五号.
The signature keeps with its date; the 版记 is framed at the foot of the last page.

Fonts are referenced by name; every font is also declared in the font table with an
alternative name (仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体, 方正小标宋简体 → 宋体) so Word and
WPS substitute sensibly where it is not installed. Page
numbers are `— 1 —` in 4号宋体, odd pages on the right and even pages on the left.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import quoteattr

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt, RGBColor, Twips

# --- the layout's numbers ----------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM = Mm(37), Mm(35)
MARGIN_LEFT, MARGIN_RIGHT = Mm(28), Mm(26)
TEXT_WIDTH = Mm(156)
LINE = Twips(579)  # 28.95 pt: 22 lines in the 225 mm text block
FOOTER_DISTANCE = Mm(22)  # the page number's top edge about 7 mm below the text block

SIZE_1 = Pt(26)  # 一号
SIZE_2 = Pt(22)  # 二号: the title
SIZE_3 = Pt(16)  # 三号: body and headings
SIZE_4 = Pt(14)  # 四号: page numbers, colophon, tables
SIZE_5 = Pt(10.5)  # 五号: tables too wide for 4号 (more than WIDE_TABLE_COLUMNS columns)
WIDE_TABLE_COLUMNS = 6
CHAR = SIZE_3  # one character of body text
MARK_MAX = Pt(36)  # the red issuing-organ mark, shrunk to fit one line
MARK_TOP = Mm(35)  # the mark's top edge below the top of the text block (§7.2.4)
CHARS_PER_LINE = 28
TITLE_CHARS_PER_LINE = int(TEXT_WIDTH.pt // SIZE_2.pt)  # 20 characters of 2号 on a line
CELL_MARGIN = Mm(1)  # left and right padding inside table cells

# 28 characters of 3号 on a 156 mm line. A linesAndChars grid with a negative w:charSpace
# (15.79 pt cells) is what Word expects, but LibreOffice gives a glyph wider than its cell
# two cells: 14 characters a line, measured. So the grid is of lines only (22 of 28.95 pt)
# and the characters themselves are set tighter (w:spacing, in 1/20 pt):
# 16 pt - 0.25 pt = 15.75 pt, 28 × 15.75 = 441 pt ≤ 442.2 pt < 29 × 15.75.
CHAR_TIGHTEN_TWENTIETHS = -5

FANGSONG = "仿宋_GB2312"
KAITI = "楷体_GB2312"
HEITI = "黑体"
SONGTI = "宋体"
XIAOBIAOSONG = "方正小标宋简体"
# font -> the name Word/WPS should use when it is missing (w:altName in the font table).
FALLBACKS = {
    FANGSONG: "仿宋",
    KAITI: "楷体",
    XIAOBIAOSONG: "宋体",
    HEITI: "SimHei",
    SONGTI: "SimSun",
    "仿宋": "FangSong",
    "楷体": "KaiTi",
}
RED = RGBColor(0xFF, 0x00, 0x00)
RED_HEX = "FF0000"

KINDS = ("report", "minutes", "plan", "notice")
HEADING_FONTS = {1: HEITI, 2: KAITI, 3: FANGSONG, 4: FANGSONG}

_CN_DIGITS = "零一二三四五六七八九"


# --- small public helpers ----------------------------------------------------------------


def chinese_date(day: dt.date) -> str:
    """2026年1月5日: Arabic numerals, full year, no leading zeros (GB/T 9704 §7.3.5)."""
    return f"{day.year}年{day.month}月{day.day}日"


def cn_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (heading numbers)."""
    if not 0 < n < 100:
        raise ValueError("heading numbers run from 1 to 99")
    tens, ones = divmod(n, 10)
    text = ("" if tens == 1 else _CN_DIGITS[tens]) + "十" if tens else ""
    return text + (_CN_DIGITS[ones] if ones else "")


def document_number(prefix: str, year: int, serial: int) -> str:
    """发文字号: 教党〔2026〕5号 (year in 〔〕, serial without leading zeros)."""
    return f"{prefix}〔{int(year)}〕{int(serial)}号"


def heading_prefix(level: int, n: int) -> str:
    return {1: f"{cn_numeral(n)}、", 2: f"（{cn_numeral(n)}）", 3: f"{n}.", 4: f"（{n}）"}[level]


_LEVEL_PATTERNS = [
    (1, re.compile(r"^[一二三四五六七八九十]+、")),
    (2, re.compile(r"^（[一二三四五六七八九十]+）")),
    (3, re.compile(r"^\d+[.．]")),
    (4, re.compile(r"^（\d+）")),
]


def text_width(text: str) -> float:
    """Width in characters: ASCII (half-width digits, letters, spaces) counts as half."""
    return sum(0.5 if ord(ch) < 0x7F else 1.0 for ch in text)


_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")


def chinese_dates(text: str) -> str:
    """Every ISO date in `text` written the Chinese way: 2026-01-19 → 2026年1月19日."""
    return _ISO_DATE.sub(lambda m: f"{int(m[1])}年{int(m[2])}月{int(m[3])}日", text)


# Characters a line must not start with (closing punctuation) or end with (opening ones).
_NO_LINE_START = set("，。、；：？！）》」』”’〕】…—·%")
_NO_LINE_END = set("（《「『“‘〔【")


def balanced_title_lines(title: str, per_line: int = TITLE_CHARS_PER_LINE) -> list[str]:
    """A title's lines: each explicit line longer than `per_line` is cut into as few lines
    as it needs, of about equal width (so no last line holds a lone character), never
    inside a run of digits or Latin letters nor before closing / after opening punctuation."""
    lines: list[str] = []
    for line in title.split("\n"):
        lines.extend(_balance(line, per_line))
    return lines


def _balance(line: str, per_line: int) -> list[str]:
    width = text_width(line)
    if width <= per_line:
        return [line]
    count = -(-int(width * 2) // (per_line * 2))  # ceil(width / per_line)
    cuts, acc, start = [], 0.0, 0
    positions = []
    for ch in line:
        acc += text_width(ch)
        positions.append(acc)  # positions[i]: the width of line[: i + 1]

    def allowed(i: int) -> bool:  # a cut after line[i]
        a, b = line[i], line[i + 1]
        if b in _NO_LINE_START or a in _NO_LINE_END:
            return False
        return not (a.isascii() and a.isalnum() and b.isascii() and b.isalnum())

    done = 0.0
    for k in range(1, count):
        goal = done + (width - done) / (count - k + 1)
        best = None
        for i in range(start, len(line) - 1):
            seg = positions[i] - done
            if seg > per_line:
                break
            if not allowed(i):
                continue
            if best is None or abs(positions[i] - goal) < abs(positions[best] - goal):
                best = i
        if best is None:
            break
        cuts.append(best + 1)
        done = positions[best]
        start = best + 1
    bounds = [0, *cuts, len(line)]
    return [line[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if line[a:b]]


# --- low-level XML helpers ---------------------------------------------------------------


def set_run_font(run, font: str, size: Length, *, bold: bool = False, color=None) -> None:
    """Name the font for every script (w:eastAsia too, which python-docx leaves alone)."""
    run.font.name = font
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    rpr = run._element.get_or_add_rPr()
    _set_fonts(rpr, font)


def _set_fonts(rpr, font: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)
    fonts.set(qn("w:hint"), "eastAsia")


def _border(ppr, side: str, *, size: int, color: str, space: int = 1) -> None:
    """A rule on one side of a paragraph, as wide as the text block. size in 1/8 pt."""
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        # pBdr must come before shd/tabs/spacing/ind/jc in CT_PPr's sequence.
        anchor = None
        for tag in ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:spacing", "w:ind", "w:jc"):
            anchor = ppr.find(qn(tag))
            if anchor is not None:
                break
        if anchor is not None:
            anchor.addprevious(borders)
        else:
            ppr.append(borders)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size))
    edge.set(qn("w:space"), str(space))
    edge.set(qn("w:color"), color)
    order = ["top", "left", "bottom", "right", "between"]
    for existing in borders:
        if order.index(existing.tag.split("}")[1]) > order.index(side):
            existing.addprevious(edge)
            break
    else:
        borders.append(edge)


def _indent_chars(
    paragraph,
    *,
    first_line: float | None = None,
    left: float | None = None,
    right: float | None = None,
    char: Length = CHAR,
) -> None:
    """Indents in characters: both the character count (w:*Chars, which Word and WPS honour)
    and the equivalent length (for other readers)."""
    fmt = paragraph.paragraph_format
    if first_line is not None:
        fmt.first_line_indent = Length(char * first_line)
    if left is not None:
        fmt.left_indent = Length(char * left)
    if right is not None:
        fmt.right_indent = Length(char * right)
    ind = paragraph._p.get_or_add_pPr().find(qn("w:ind"))
    if ind is None:
        return
    # w:*Chars count hundredths of a character of the paragraph's own font size.
    if first_line is not None:
        attr = "w:firstLineChars" if first_line >= 0 else "w:hangingChars"
        ind.set(qn(attr), str(round(abs(first_line) * 100)))
    if left is not None:
        ind.set(qn("w:leftChars"), str(round(left * 100)))
    if right is not None:
        ind.set(qn("w:rightChars"), str(round(right * 100)))


def _ppr_flag(paragraph, tag: str, value: str | None = None) -> None:
    """Set an on/off (or w:val) property of a paragraph, in CT_PPr's element order."""
    ppr = paragraph._p.get_or_add_pPr()
    el = ppr.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        order = [
            "w:pStyle",
            "w:keepNext",
            "w:keepLines",
            "w:pageBreakBefore",
            "w:framePr",
            "w:widowControl",
            "w:numPr",
            "w:suppressLineNumbers",
            "w:pBdr",
            "w:shd",
            "w:tabs",
            "w:suppressAutoHyphens",
            "w:kinsoku",
            "w:wordWrap",
            "w:overflowPunct",
            "w:topLinePunct",
            "w:autoSpaceDE",
            "w:autoSpaceDN",
            "w:bidi",
            "w:adjustRightInd",
            "w:snapToGrid",
            "w:spacing",
            "w:ind",
            "w:contextualSpacing",
            "w:mirrorIndents",
            "w:suppressOverlap",
            "w:jc",
        ]
        mine = order.index(tag)
        for child in ppr:
            name = "w:" + child.tag.split("}")[1]
            if name in order and order.index(name) > mine:
                child.addprevious(el)
                break
        else:
            ppr.append(el)
    if value is not None:
        el.set(qn("w:val"), value)


def _keep_with_next(paragraph) -> None:
    _ppr_flag(paragraph, "w:keepNext")
    _ppr_flag(paragraph, "w:keepLines")


def _no_grid(paragraph) -> None:
    """Lay a paragraph out without the character grid (for type larger than 3号, which the
    grid would otherwise spread over two cells per character in LibreOffice)."""
    _ppr_flag(paragraph, "w:snapToGrid", "0")


def _page_field(paragraph, font: str, size: Length) -> None:
    """`— PAGE —` as a complex field, which Word, WPS and LibreOffice all update."""

    def run(text: str | None = None, fld: str | None = None, instr: str | None = None):
        r = paragraph.add_run(text or "")
        set_run_font(r, font, size)
        if fld:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), fld)
            r._element.append(el)
        if instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instr
            r._element.append(el)
        return r

    run("— ")
    run(fld="begin")
    run(instr=" PAGE ")
    run(fld="separate")
    run("1")
    run(fld="end")
    run(" —")


def _column_twips(widths: Sequence[float]) -> list[int]:
    """Column widths in twips, proportional to `widths`, adding up to the text width."""
    total_twips = TEXT_WIDTH.twips
    scale = total_twips / sum(widths)
    out = [round(w * scale) for w in widths]
    out[-1] += total_twips - sum(out)
    return out


def _set_table_geometry(table, twips: Sequence[int]) -> None:
    """The grid columns, the table width and a fixed layout, and 1 mm cell padding."""
    tbl = table._tbl
    grid = tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), twips, strict=True):
        col.set(qn("w:w"), str(width))
    tbl_pr = tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:w"), str(sum(twips)))
    tbl_w.set(qn("w:type"), "dxa")
    layout = tbl_pr.find(qn("w:tblLayout"))
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        tbl_pr.append(layout)
    layout.set(qn("w:type"), "fixed")
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(CELL_MARGIN.twips))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tbl_pr.append(margins)
    # CT_TblPr's order: ... tblW, jc, ..., tblLayout, tblCellMar, tblLook
    order = [
        "w:tblStyle",
        "w:tblpPr",
        "w:tblOverlap",
        "w:bidiVisual",
        "w:tblStyleRowBandSize",
        "w:tblStyleColBandSize",
        "w:tblW",
        "w:jc",
        "w:tblCellSpacing",
        "w:tblInd",
        "w:tblBorders",
        "w:shd",
        "w:tblLayout",
        "w:tblCellMar",
        "w:tblLook",
    ]
    children = sorted(
        tbl_pr,
        key=lambda el: (
            order.index("w:" + el.tag.split("}")[1])
            if "w:" + el.tag.split("}")[1] in order
            else len(order)
        ),
    )
    for el in children:
        tbl_pr.append(el)


# --- the builder ---------------------------------------------------------------------------


class OfficialDocument:
    """An official document under construction; `to_bytes()` gives the .docx."""

    def __init__(
        self,
        *,
        title: str,
        issuer: str | None = None,
        doc_number: str | None = None,
        kind: str = "report",
        mark: str | None = None,
        addressee: str | None = None,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown document kind {kind!r}")
        self.kind = kind
        self.title = title
        self.issuer = issuer
        self._counters = [0, 0, 0, 0]
        self._doc = Document()
        self._setup_page()
        self._setup_styles()
        self._setup_font_table()
        self._setup_footers()
        self._doc.core_properties.title = title
        self._doc.core_properties.author = issuer or ""
        self._doc.core_properties.last_modified_by = issuer or ""
        self._doc.core_properties.comments = "中心组学习管理平台生成"
        self._doc.core_properties.language = "zh-CN"
        body = self._doc.element.body
        for p in list(body.iterchildren(qn("w:p"))):  # the template's empty paragraph
            body.remove(p)
        if mark is None and issuer:
            mark = self._default_mark(issuer)
        if mark:
            self._red_header(mark, doc_number)
        elif doc_number:
            self._centered(doc_number, FANGSONG, SIZE_3)
        self._title(title)
        if addressee:  # 主送机关 on the line after the one blank line under the title
            p = self._p(indent=False)
            self._run(p, f"{addressee.rstrip('：:')}：", FANGSONG, SIZE_3)

    # --- setup ----------------------------------------------------------------------------

    def _default_mark(self, issuer: str) -> str:
        suffix = "纪要" if self.kind == "minutes" else "文件"
        return issuer if issuer.endswith(suffix) else f"{issuer}{suffix}"

    def _setup_page(self) -> None:
        section = self._doc.sections[0]
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
        section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
        section.gutter = Mm(0)
        section.header_distance = Mm(15)
        section.footer_distance = FOOTER_DISTANCE
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            section._sectPr.append(grid)
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(LINE.twips))

    def _setup_styles(self) -> None:
        normal = self._doc.styles["Normal"]
        normal.font.name = FANGSONG
        normal.font.size = SIZE_3
        rpr = normal.element.get_or_add_rPr()
        _set_fonts(rpr, FANGSONG)
        # 28 characters of 3号 in 156 mm (see CHAR_TIGHTEN_TWENTIETHS).
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(CHAR_TIGHTEN_TWENTIETHS))
        rpr.append(spacing)
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
        rpr.append(lang)
        fmt = normal.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE
        # docDefaults at 3号 too, so text without a style of its own is set the same.
        defaults = self._doc.styles.element.find(qn("w:docDefaults"))
        d_rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        for tag in ("w:sz", "w:szCs"):
            el = d_rpr.find(qn(tag))
            if el is None:
                el = OxmlElement(tag)
                d_rpr.append(el)
            el.set(qn("w:val"), str(int(SIZE_3.pt * 2)))
        theme = self._doc.settings.element.find(qn("w:themeFontLang"))
        if theme is not None:
            theme.set(qn("w:eastAsia"), "zh-CN")

    def _setup_font_table(self) -> None:
        part = next(
            r.target_part for r in self._doc.part.rels.values() if r.reltype.endswith("/fontTable")
        )
        xml = part.blob.decode("utf-8")
        entries = []
        for name, alt in FALLBACKS.items():
            entries.append(
                f"<w:font w:name={quoteattr(name)}><w:altName w:val={quoteattr(alt)}/>"
                '<w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/>'
                "</w:font>"
            )
        part._blob = xml.replace("</w:fonts>", "".join(entries) + "</w:fonts>").encode("utf-8")

    def _setup_footers(self) -> None:
        self._doc.settings.odd_and_even_pages_header_footer = True
        section = self._doc.sections[0]
        for footer, align, side in (
            (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
            (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left"),
        ):
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
            p.alignment = align
            fmt = p.paragraph_format
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(16)
            _indent_chars(p, first_line=0, char=SIZE_4, **{side: 1})
            _no_grid(p)  # 4号 at its own pitch, not spread over 3号 grid cells
            _page_field(p, SONGTI, SIZE_4)

    # --- paragraphs -----------------------------------------------------------------------

    def _p(self, *, indent: bool = True, align=WD_ALIGN_PARAGRAPH.JUSTIFY):
        p = self._doc.add_paragraph()
        p.alignment = align
        if indent:
            _indent_chars(p, first_line=2)
        return p

    def _run(self, p, text: str, font: str, size: Length, **kwargs):
        run = p.add_run(text)
        set_run_font(run, font, size, **kwargs)
        return run

    def _centered(self, text: str, font: str, size: Length, **kwargs):
        p = self._p(indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
        for i, line in enumerate(text.split("\n")):
            run = self._run(p, line, font, size, **kwargs)
            if i:
                run._element.addprevious(OxmlElement("w:br"))
        return p

    def _red_header(self, mark: str, doc_number: str | None) -> None:
        size = Pt(min(MARK_MAX.pt, int(TEXT_WIDTH.pt / max(len(mark), 1))))
        p = self._centered(mark, XIAOBIAOSONG, size, color=RED)
        fmt = p.paragraph_format
        # The mark's top edge 35 mm below the top of the text block (§7.2.4). A line of
        # exactly the type size puts the em box's top at the top of the line, so the space
        # before is the whole 35 mm (a single-spaced line added ~5 mm of leading above the
        # glyphs: 25 mm before measured 30 mm in LibreOffice). Off the grid, so neither the
        # line grid nor the character grid moves it.
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = size
        fmt.space_before = MARK_TOP
        _no_grid(p)
        ruled = p
        if doc_number:
            self.blank()
            ruled = self._centered(doc_number, FANGSONG, SIZE_3)
        # The red rule 4 mm under the number (or the mark), as wide as the text block.
        _border(ruled._p.get_or_add_pPr(), "bottom", size=12, color=RED_HEX, space=11)
        self.blank()

    def _title(self, title: str) -> None:
        """2号小标宋, centred, in balanced lines (never one character alone on the last)."""
        self.blank()
        p = self._centered("\n".join(balanced_title_lines(title)), XIAOBIAOSONG, SIZE_2)
        _no_grid(p)
        self.blank()

    def blank(self):
        """An empty line of body height."""
        return self._p(indent=False)

    def paragraph(self, text: str, *, indent: bool = True, align=None, bold: bool = False):
        """A body paragraph: 3号仿宋, justified, first line indented 2 characters."""
        p = self._p(indent=indent, align=align or WD_ALIGN_PARAGRAPH.JUSTIFY)
        self._run(p, text, FANGSONG, SIZE_3, bold=bold)
        return p

    def paragraphs(self, text: str) -> None:
        """One body paragraph per non-empty line of `text`."""
        for line in text.splitlines():
            if line.strip():
                self.paragraph(line.strip())

    def rich_text(self, text: str) -> None:
        """Free text typed by a user, one paragraph per line, where a line that starts with a
        heading number (一、 （一） 1. （1）) is set as a heading of that level; a level 2–4
        heading's first sentence takes the heading font and the rest stays body text."""
        for raw in text.splitlines():
            line = raw.strip()
            if not line:
                continue
            level = next((lv for lv, rx in _LEVEL_PATTERNS if rx.match(line)), None)
            if level is None:
                self.paragraph(line)
            elif level == 1:
                self.heading(1, line)
            else:
                head, sep, rest = line.partition("。")
                self.heading(level, head + sep, body=rest or None)

    def heading(self, level: int, text: str, *, numbered: bool = False, body: str | None = None):
        """一、 黑体 / （一） 楷体 / 1. and （1） 仿宋, all 3号 and indented 2 characters.
        With `numbered`, the number is added (counters reset below each level); `body`
        continues the same paragraph in body text, as official documents do for 二、三级标题."""
        if level not in HEADING_FONTS:
            raise ValueError("heading levels run from 1 to 4")
        if numbered:
            self._counters[level - 1] += 1
            for i in range(level, len(self._counters)):
                self._counters[i] = 0
            text = heading_prefix(level, self._counters[level - 1]) + text
        p = self._p()
        self._run(p, text, HEADING_FONTS[level], SIZE_3)
        if body:
            self._run(p, body, FANGSONG, SIZE_3)
        return p

    def labelled(self, label: str, text: str):
        """A 纪要 line: the label (出席 / 请假 / 列席) in 黑体 two characters in, a full-width
        colon, the names in 仿宋; wrapped lines align with the first name."""
        label = label.rstrip("：:")
        p = self._p(indent=False)
        lead = len(label) + 1
        _indent_chars(p, left=2 + lead, first_line=-lead)
        self._run(p, f"{label}：", HEITI, SIZE_3)
        self._run(p, text, FANGSONG, SIZE_3)
        return p

    def table(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        widths_mm: Sequence[float] | None = None,
        caption: str | None = None,
        size: Length | None = None,
    ):
        """A ruled table as wide as the text block, in 4号仿宋 (五号 for a table of more than
        WIDE_TABLE_COLUMNS columns); the header row 黑体 and repeated on every page, no row
        split across pages. `widths_mm` are scaled to the 156 mm text block and written both
        to the grid (w:gridCol, which LibreOffice lays out by) and to every cell (w:tcW).
        ISO dates in cells are written the Chinese way."""
        if caption:
            p = self._centered(caption, HEITI, SIZE_3)
            _keep_with_next(p)
        rows = [list(r) for r in rows]
        if size is None:
            size = SIZE_5 if len(headers) > WIDE_TABLE_COLUMNS else SIZE_4
        table = self._doc.add_table(rows=1 + len(rows), cols=len(headers))
        table.style = self._doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        twips = _column_twips(widths_mm or [1] * len(headers))
        _set_table_geometry(table, twips)
        # Row by row, each row's cells once: table.rows[r] and table.cell(r, c) rebuild their
        # lists on every call, which made a table of a few hundred rows take seconds.
        for r, (row, values) in enumerate(zip(table.rows, [list(headers), *rows], strict=True)):
            tr_pr = row._tr.get_or_add_trPr()
            tr_pr.append(OxmlElement("w:cantSplit"))
            if r == 0:
                tr_pr.append(OxmlElement("w:tblHeader"))
            for c, (cell, value) in enumerate(zip(row.cells, values, strict=False)):
                cell.width = Twips(twips[c])
                p = cell.paragraphs[0]
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _no_grid(p)
                fmt = p.paragraph_format
                fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
                fmt.space_before = fmt.space_after = Pt(2)
                text = "" if value is None else chinese_dates(str(value))
                self._run(p, text, HEITI if r == 0 else FANGSONG, size)
        return table

    def signature(self, organ: str, date: dt.date, *, sealed: bool = True) -> None:
        """发文机关署名 over the date, right-aligned: the date 右空四字 and the organ centred over
        it (GB/T 9704-2012 §7.3.5; DOMAIN.md §7 says no more, so unsealed documents take the
        same placing, without the second blank line left for the seal). Widths count
        half-width digits as half a character; if the organ is the wider, it keeps at least
        2 characters in and the date moves further in to stay centred under it. The lines
        before the date keep with it, so the organ and the date share a page."""
        date_text = chinese_date(date)
        lines = [self.blank()]
        if sealed:
            lines.append(self.blank())
        date_w, organ_w = text_width(date_text), text_width(organ)
        date_in = 4.0
        organ_in = date_in + (date_w - organ_w) / 2
        if organ_in < 2:
            organ_in = 2.0
            date_in = organ_in + (organ_w - date_w) / 2
        for text, chars in ((organ, organ_in), (date_text, date_in)):
            p = self._p(indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
            _indent_chars(p, right=chars, first_line=0)
            self._run(p, text, FANGSONG, SIZE_3)
            lines.append(p)
        for p in lines[:-1]:
            _keep_with_next(p)

    def colophon(
        self,
        *,
        cc: str | None = None,
        printer: str | None = None,
        printed_on: dt.date | None = None,
    ) -> None:
        """版记: 抄送, then 印发机关 and 印发日期, in 4号仿宋 between rules (the first and last
        thick, the one between thin), at the foot of the last page.

        The paragraphs carry one and the same frame (w:framePr) as wide as the text block,
        aligned to the bottom of the margin box (vAnchor="margin", yAlign="bottom"): Word
        draws adjacent paragraphs with identical framePr as one frame, and LibreOffice
        imports them as one text frame oriented to the bottom of the page's text area. A
        section break with vertical alignment "bottom" would move the whole last page's text
        down too, and a next-page break would put the 版记 on a page of its own. A 1 pt
        empty paragraph follows as the frame's anchor (LibreOffice anchors a frame to the
        paragraph after it)."""
        lines = []
        if cc:
            p = self._p(indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
            _indent_chars(p, left=4, first_line=-3, right=1, char=SIZE_4)
            self._run(p, f"抄送：{cc.rstrip('。')}。", FANGSONG, SIZE_4)
            lines.append(p)
        if printer or printed_on:
            p = self._p(indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
            _indent_chars(p, left=1, right=1, first_line=0, char=SIZE_4)
            stop = Length(TEXT_WIDTH - SIZE_4 * 2)
            p.paragraph_format.tab_stops.add_tab_stop(stop, WD_TAB_ALIGNMENT.RIGHT)
            date_text = f"{chinese_date(printed_on)}印发" if printed_on else ""
            self._run(p, f"{printer or ''}\t{date_text}", FANGSONG, SIZE_4)
            lines.append(p)
        if not lines:
            return
        thick, thin = 8, 6  # 0.35 mm and about 0.25 mm, in eighths of a point
        _border(lines[0]._p.get_or_add_pPr(), "top", size=thick, color="000000")
        for p in lines[:-1]:
            _border(p._p.get_or_add_pPr(), "bottom", size=thin, color="000000")
        _border(lines[-1]._p.get_or_add_pPr(), "bottom", size=thick, color="000000")
        for p in lines:
            _no_grid(p)  # 4号 at its own pitch, not spread over 3号 grid cells
            _ppr_flag(p, "w:framePr")
            frame = p._p.pPr.find(qn("w:framePr"))
            for attr, value in (
                ("w:w", str(TEXT_WIDTH.twips)),
                ("w:wrap", "notBeside"),
                ("w:hAnchor", "margin"),
                ("w:vAnchor", "margin"),
                ("w:xAlign", "center"),
                ("w:yAlign", "bottom"),
            ):
                frame.set(qn(attr), value)
        anchor = self._p(indent=False)
        anchor.paragraph_format.line_spacing = Pt(1)
        anchor.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY

    def page_break(self) -> None:
        self._doc.add_page_break()

    # --- output ---------------------------------------------------------------------------

    @property
    def docx(self):
        """The python-docx Document, for a caller that needs something not offered here."""
        return self._doc

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self._doc.save(buffer)
        return buffer.getvalue()
