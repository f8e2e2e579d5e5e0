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
text block), 22 lines of exactly 28.95 pt. Fonts are referenced by name; every font is also
declared in the font table with an alternative name (仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体,
方正小标宋简体 → 宋体) so Word and WPS substitute sensibly where it is not installed. Page
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
CHAR = SIZE_3  # one character of body text
MARK_MAX = Pt(36)  # the red issuing-organ mark, shrunk to fit one line

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
    first_line: int | None = None,
    left: int | None = None,
    right: int | None = None,
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
        ind.set(qn(attr), str(abs(first_line) * 100))
    if left is not None:
        ind.set(qn("w:leftChars"), str(left * 100))
    if right is not None:
        ind.set(qn("w:rightChars"), str(right * 100))


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
        if addressee:
            self.blank()
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
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
        rpr.append(lang)
        fmt = normal.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE
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
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        # The mark's top edge 35 mm below the top of the text block (§7.2.4), less what the
        # taller line adds above the glyphs.
        fmt.space_before = Mm(25)
        ruled = p
        if doc_number:
            self.blank()
            ruled = self._centered(doc_number, FANGSONG, SIZE_3)
        # The red rule 4 mm under the number (or the mark), as wide as the text block.
        _border(ruled._p.get_or_add_pPr(), "bottom", size=12, color=RED_HEX, space=11)
        self.blank()

    def _title(self, title: str) -> None:
        self.blank()
        self._centered(title, XIAOBIAOSONG, SIZE_2)
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
    ):
        """A ruled table in 4号仿宋 (header row 黑体, repeated on every page), as wide as the
        text block."""
        if caption:
            self._centered(caption, HEITI, SIZE_3)
        rows = [list(r) for r in rows]
        table = self._doc.add_table(rows=1 + len(rows), cols=len(headers))
        table.style = self._doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        widths = list(widths_mm) if widths_mm else [156 / len(headers)] * len(headers)
        head = table.rows[0]
        head_pr = head._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        head_pr.append(repeat)
        for r, values in enumerate([list(headers), *rows]):
            for c, value in enumerate(values):
                cell = table.cell(r, c)
                cell.width = Mm(widths[c])
                p = cell.paragraphs[0]
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                fmt = p.paragraph_format
                fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
                fmt.space_before = fmt.space_after = Pt(2)
                text = "" if value is None else str(value)
                self._run(p, text, HEITI if r == 0 else FANGSONG, SIZE_4)
        return table

    def signature(self, organ: str, date: dt.date, *, sealed: bool = True) -> None:
        """发文机关署名 over the date, right-aligned: sealed, the date 4 characters in and the
        organ centred over it; unsealed, both 2 characters in (the shorter one further in)."""
        date_text = chinese_date(date)
        self.blank()
        if sealed:
            self.blank()
            date_in = 4
            organ_in = max(0, date_in + (len(date_text) - len(organ)) // 2)
        else:
            organ_in = 2 + max(0, (len(date_text) - len(organ)) // 2)
            date_in = 2 + max(0, (len(organ) - len(date_text)) // 2)
        for text, chars in ((organ, organ_in), (date_text, date_in)):
            p = self._p(indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
            _indent_chars(p, right=chars, first_line=0)
            self._run(p, text, FANGSONG, SIZE_3)

    def colophon(
        self,
        *,
        cc: str | None = None,
        printer: str | None = None,
        printed_on: dt.date | None = None,
    ) -> None:
        """版记: 抄送, then 印发机关 and 印发日期, in 4号仿宋 between rules (the first and last
        thick, the one between thin)."""
        self.blank()
        self.blank()
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
