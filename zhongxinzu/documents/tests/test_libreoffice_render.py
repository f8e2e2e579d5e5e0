"""Every .docx and .xlsx the product produces, downloaded as a user downloads it (from a year
of realistic records), converted to PDF by LibreOffice headless (Debian's
libreoffice-writer-nogui / -calc-nogui, installed by scripts/ensure-libreoffice.sh from
`make test`) and measured on the printed page:

- .docx (GB/T 9704): a full line of body text holds 28 characters of 3号, a full body page 22
  lines on the 28.95 pt grid, every line of 3号 sits on that grid, A4 portrait, sane page count;
- .xlsx: every printed page is one page wide (A4, landscape when the sheet has more than 7
  columns) and starts with the sheet's header row (repeated on every page).

All documents are converted in one soffice run (a private profile per test session, so
parallel runs do not clash); a missing soffice fails the tests, it is never skipped.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import openpyxl
import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from docx.shared import Mm
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTPage

from zhongxinzu.lib.xlsx import WIDE_COLUMNS

YEAR = 2025
# GB/T 9704-2012, written out here rather than taken from the builder, so that a wrong
# number there fails here.
A4 = (Mm(210).pt, Mm(297).pt)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT = Mm(37), Mm(35), Mm(28)
TEXT_WIDTH = Mm(156)
LINES_PER_PAGE = 22
PITCH = 28.95  # pt: 22 lines in the 225 mm text block (the issue's and DOMAIN.md's figure)
CHARS_PER_LINE = 28
BODY_PT = 16.0  # 3号
SOFFICE_TIMEOUT = 300

pytestmark = pytest.mark.django_db

# --- realistic text (in the words of the seeds) --------------------------------------------

GUIDANCE = """一、指导思想
坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大和二十届历次全会精神，深刻领悟“两个确立”的决定性意义，增强“四个意识”、坚定“四个自信”、做到“两个维护”，严格落实理论学习中心组学习制度，推动学习往深里走、往心里走、往实里走，为全面完成本年度各项目标任务提供坚强思想保证。
二、学习要求
（一）坚持领导带头。党委书记认真履行第一责任人职责，带头领学、带头研讨、带头撰写研讨发言材料，班子成员结合分管工作深入思考，形成一级带一级、一级抓一级的良好局面。
（二）坚持学用结合。紧扣中心工作和群众急难愁盼问题，把专题学习与调查研究结合起来，做到学习一个专题、研究一个问题、形成一批成果，切实把学习成效转化为推动发展的思路举措。
（三）严格规范管理。学习秘书会前制定方案、会中做好记录、会后整理归档，建立健全考勤登记、请假补学和学习档案制度，做到有计划、有记录、有成果、有检查。"""

TOPICS = [
    "深入学习贯彻党的二十届四中全会精神",
    "学习习近平经济思想，推动高质量发展",
    "学习习近平文化思想，建设文化强市",
    "学习习近平生态文明思想，守护绿水青山",
    "学习习近平法治思想，建设法治政府",
    "学习习近平强军思想和国家安全观",
    "学习贯彻中央八项规定精神，持续改进作风",
    "学习党章党规党纪，推进全面从严治党",
    "学习习近平关于教育的重要论述",
    "学习习近平关于基层治理的重要论述",
    "学习习近平关于意识形态工作的重要论述",
    "开展年度学习总结和专题研讨交流",
]
TOPIC_CONTENT = (
    "围绕本专题深入学习原著原文，准确把握核心要义、精神实质和实践要求，结合本单位实际开展"
    "交流研讨，班子成员每人撰写研讨发言材料，形成学习成果，推动解决工作中的突出问题。\n"
    "会前学习秘书印发学习材料和研讨提纲，会后整理学习记录，梳理研讨中提出的意见建议，"
    "明确责任部门和完成时限，跟踪落实见效。"
)
SUMMARY_OVERALL = (
    "本次学习准备充分、组织有序，学习主题鲜明，紧扣党中央决策部署和本单位中心工作。党委书记"
    "主持学习并领学，班子成员按照分工作交流发言，发言材料准备认真，能够结合分管领域谈认识、"
    "谈体会、谈思路，学习氛围浓厚，达到了统一思想、凝聚共识、推动工作的目的。\n"
    "会前印发了学习方案和研讨提纲，明确了学习内容和发言要求；会中严格考勤，记录完整；会后"
    "及时整理学习记录，梳理形成工作举措，学习组织规范。"
)
SUMMARY_HIGHLIGHTS = (
    "一是坚持领导带头，主要负责同志全程主持、带头领学、带头研讨，发挥了示范引领作用。\n"
    "二是坚持问题导向，研讨发言聚焦群众急难愁盼问题，提出了切实可行的措施办法。\n"
    "三是坚持学用结合，把学习研讨与调查研究、推动工作紧密结合，学习成果转化明显。\n"
    "四是坚持规范运行，学习方案、研讨提纲、考勤登记、学习记录等材料齐全，做到了会前有准备、"
    "会中有记录、会后有落实，为其他单位提供了可借鉴的经验。\n"
    "五是坚持创新方式，采取专题辅导、交流研讨、现场教学相结合的方式，邀请专家学者作专题辅导，"
    "组织班子成员到基层一线开展调研，增强了学习的吸引力和感染力。"
)
SUMMARY_PROBLEMS = (
    "一是个别成员发言准备不够充分，联系思想实际和工作实际不够紧密，存在照稿宣读的情况。\n"
    "二是研讨交流还不够深入，相互之间的交流互动较少，思想碰撞不够充分。\n"
    "三是学习档案还不够规范，个别学习记录内容不够完整，会后成果转化跟踪问效还需加强。\n"
    "四是学习计划针对性还不够强，个别专题照搬照抄上级安排，结合本单位实际不够，"
    "学习内容与中心工作结合还不够紧密。\n"
    "五是第一议题学习还不够及时，个别重要讲话精神传达学习滞后，研究贯彻落实措施不够具体。"
)
REPORT_INTRO = (
    "今年以来，我委理论学习中心组坚持把学习贯彻习近平新时代中国特色社会主义思想作为首要政治"
    "任务，严格落实中心组学习制度，坚持理论联系实际，不断提高班子成员的政治素养和理论水平。"
    "现将本年度学习情况汇报如下："
)
REPORT_PRACTICES = (
    "（一）完善制度，压实责任。严格落实党委（党组）理论学习中心组学习规则，成立由党委书记任"
    "组长的中心组学习领导小组，明确学习秘书负责会前准备、考勤记录和资料归档，班子成员按照"
    "计划做好个人自学和研讨发言准备，形成了一级抓一级、层层抓落实的工作格局。\n"
    "（二）制定计划，严格执行。年初结合上级学习安排和本单位实际制定年度学习计划，按月确定"
    "学习专题，按期报备上级党委宣传部门。严格落实“第一议题”制度，做到第一时间传达学习习近平"
    "总书记重要讲话和重要指示批示精神，第一时间研究贯彻落实措施。\n"
    "（三）创新方式，丰富载体。坚持集中学习与个人自学相结合、专题辅导与交流研讨相结合、"
    "理论学习与调查研究相结合，邀请专家学者作专题辅导报告，组织班子成员到基层一线开展调研，"
    "围绕群众急难愁盼问题形成调研报告，提出对策建议，增强了学习的针对性和实效性。\n"
    "（四）联系实际，务求实效。坚持问题导向，把学习成果转化为推动工作的思路和举措，围绕"
    "中心工作和重点任务开展专题研讨，班子成员结合分管工作谈认识、谈体会、谈思路，研究制定"
    "了一批制度措施，推动解决了一批实际问题，以学习的实际成效推动了各项工作任务的完成。"
)
REPORT_PROBLEMS = (
    "（一）学习的系统性还不够强。对习近平新时代中国特色社会主义思想的学习还不够系统深入，"
    "存在碎片化学习的情况，联系思想实际和工作实际还不够紧密。\n"
    "（二）学习形式还比较单一。集中学习多、研讨交流少，运用新媒体新技术开展学习不够。\n"
    "（三）理论联系实际还不够紧密。运用理论成果推动解决实际问题的办法还不多，个别研讨发言"
    "停留在谈认识、谈体会层面，提出的对策措施针对性和可操作性不强。\n"
    "（四）学习成果转化还需加强。调研报告质量有待提高，学习成果转化为制度措施的数量还不多，"
    "对转化成果的跟踪问效还不够。"
)
REPORT_NEXT = (
    "（一）注重学以致用。进一步细化学习制度和要求，做到有学习记录、有研究提纲，对研讨中"
    "发现的问题及时梳理，明确责任部门和完成时限。\n"
    "（二）注重多措并举。把专题学习与研讨交流、集体学习与个人自学结合起来，拓宽学习渠道。\n"
    "（三）注重成果转化。坚持学思用贯通，把调研的过程作为解决问题的过程，推动学习成果转化为"
    "推动高质量发展的实际成效，每名班子成员每年至少形成一篇高质量调研报告。\n"
    "（四）注重督促检查。把中心组学习情况纳入领导班子考核内容，定期检查学习记录和学习档案，"
    "对学习不认真、不规范的及时提醒纠正，推动学习制度落到实处。"
)
PROBLEMS = [
    ("学习制度", "学习记录不完整，个别场次未记录研讨发言情况", "建立学习台账，逐场补齐记录"),
    ("学习计划", "年度学习计划照搬照抄上级计划，针对性不强", "结合本单位实际修订学习计划"),
    ("研讨交流", "集体学习多集中研讨少，专题研讨次数未达到要求", "每季度至少开展一次专题研讨"),
    ("成员参学", "个别成员全年缺席次数较多，补学不及时", "严格请假补学制度，按月通报"),
    ("名册管理", "未将党群部门负责人纳入党委中心组成员", "调整中心组成员名册并报备"),
    ("第一议题", "第一议题学习不及时，滞后于规定时限", "建立第一议题学习提醒机制"),
    ("成果转化", "学习成果转化不够，调研报告质量不高", "建立成果转化台账，跟踪问效"),
]


# --- the records and the downloads ---------------------------------------------------------


@dataclass
class Download:
    name: str
    role: str
    url: str
    kind: str  # "docx" or "xlsx"
    full_body_page: bool = False  # a .docx long enough to hold a page of body text only
    data: bytes | None = None  # a document generated inside a service, not downloaded
    max_pages: int = 12
    # A red 文件 header: the mark (35 mm down, off the grid) and the red rule's spacing put
    # the first page's text ~3 pt off the grid in LibreOffice (not yet fixed in the builder),
    # so the grid is checked from the second page on.
    red_header: bool = False


def _records(world) -> list[Download]:
    """A year of records for two groups under the supervisor's unit (the compliance
    factories' `build_year`), with a plan, a visit with its summary, problems and their
    rectifications, a published assessment and a longer unit list; returns what to
    download."""
    from zhongxinzu.assessment.tests.helpers import add_groups, published_scheme
    from zhongxinzu.audit.services import audit_record
    from zhongxinzu.compliance.models import AnnualReportText
    from zhongxinzu.compliance.tests import factories as f
    from zhongxinzu.plans.models import PlanTopic, YearPlan
    from zhongxinzu.supervision.models import ObservationVisit, Problem, Rectification

    year = f.build_year(world, YEAR)
    good, gp, bad = year.good, year.gp, year.bad
    more = add_groups(world.units["own"], 36)

    plan = YearPlan.objects.get(group=good, year=YEAR)
    plan.title = f"{good.name}{YEAR}年度理论学习计划"
    plan.guidance = GUIDANCE
    plan.save()
    forms = ["集体学习", "专题研讨", "读书班", "辅导讲座"]
    for i, title in enumerate(TOPICS, start=1):
        PlanTopic.objects.create(
            plan=plan,
            order=i,
            title=title,
            month=i,
            form=forms[i % 4],
            lead=gp["leader"] if i % 2 else gp["members"][i % 4],
            content=TOPIC_CONTENT,
        )
    bad_plan = YearPlan.objects.get(group=bad, year=YEAR)
    for i, title in enumerate(TOPICS[:6], start=1):
        PlanTopic.objects.create(plan=bad_plan, order=i, title=title, quarter=(i + 1) // 2)

    visit = ObservationVisit.objects.get(group=good, planned_on__year=YEAR)
    visit.summary_overall = SUMMARY_OVERALL
    visit.summary_highlights = SUMMARY_HIGHLIGHTS
    visit.summary_problems = SUMMARY_PROBLEMS
    visit.summary_submitted_at = f.at(YEAR, 6, 20, 9, 0)
    visit.save()

    AnnualReportText.objects.create(
        group=good,
        year=YEAR,
        intro=REPORT_INTRO,
        practices=REPORT_PRACTICES,
        problems=REPORT_PROBLEMS,
        next_steps=REPORT_NEXT,
    )

    supervisor = world.users["supervisor"]
    for i, (category, description, measures) in enumerate(PROBLEMS * 2):
        problem = Problem.objects.create(
            group=bad,
            source=["observation", "inspection", "supervision", "self_check"][i % 4],
            visit=None,
            category=category,
            description=description,
            evidence="列席旁听记录、学习档案",
            found_on=dt.date(YEAR, 3 + i % 9, 1 + i),
            raised_by=supervisor,
        )
        Rectification.objects.create(
            problem=problem,
            measures=measures,
            department="党委办公室",
            deadline=dt.date(YEAR, 6 + i % 6, 30),
            status=["open", "reported", "closed", "returned"][i % 4],
        )

    totals = {good: Decimal("96.50"), bad: Decimal("71.25")}
    totals.update({g: Decimal(60 + (i * 7) % 38) for i, g in enumerate(more)})
    scheme = published_scheme(world, world.units["own"], YEAR, totals)

    for i in range(60):  # a realistic audit log, longer than one printed page
        audit_record(
            actor=supervisor,
            action="export",
            object_type="org.Person",
            detail={"kind": "people", "rows": 40 + i, "filters": {"q": "副局长"}},
        )

    from zhongxinzu.bulletins import services as bulletins
    from zhongxinzu.filings.documents import session_report_docx
    from zhongxinzu.filings.services import session_facts
    from zhongxinzu.meetings.models import StudySession
    from zhongxinzu.stats.periods import year_span

    bulletin = bulletins.bulletin_create(
        actor=supervisor, issuer_unit=world.units["own"], span=year_span(YEAR)
    )
    bulletin = bulletins.bulletin_draft(actor=supervisor, bulletin=bulletin)
    bulletin = bulletins.bulletin_issue(
        actor=supervisor, bulletin=bulletin, expected_version=bulletin.version
    )
    held = StudySession.objects.filter(group=good).order_by("starts_at").first()
    one_report = session_report_docx(session_facts(held), signed_on=dt.date(YEAR, 1, 20))

    y = {"year": YEAR}

    def url(name, *args, **query):
        path = reverse(name, args=args)
        if query:
            path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        return path

    return [
        # official documents (GB/T 9704)
        Download(
            "year_plan", "supervisor", url("plans:plan_docx", plan.pk), "docx", full_body_page=True
        ),
        Download(
            "annual_report",
            "supervisor",
            url("compliance:report_docx", good.pk, **y),
            "docx",  # its body pages follow tables or end early (widows): none is full
        ),
        Download(
            "feedback_letter",
            "supervisor",
            url("supervision:visit_letter", visit.pk),
            "docx",
            full_body_page=True,
        ),
        Download(
            "problem_lists_docx",
            "supervisor",
            url("supervision:problem_group_lists_docx", bad.pk, **y),
            "docx",
        ),
        # spreadsheets
        Download(
            "attendance_register",
            "supervisor",
            url("compliance:register_xlsx", good.pk, **y),
            "xlsx",
        ),
        Download(
            "problem_lists_xlsx",
            "supervisor",
            url("supervision:problem_group_lists_xlsx", bad.pk, **y),
            "xlsx",
        ),
        Download("ranking", "supervisor", url("assessment:ranking_export", scheme.pk), "xlsx"),
        Download("statistics", "supervisor", url("stats:table_xlsx", year=YEAR), "xlsx"),
        Download("sessions", "supervisor", url("meetings:session_list_xlsx"), "xlsx"),
        Download("leave", "supervisor", url("meetings:leave_list_xlsx"), "xlsx"),
        Download("makeups", "supervisor", url("meetings:makeup_list_xlsx"), "xlsx"),
        Download("outputs", "supervisor", url("outputs:output_list_xlsx", year=YEAR), "xlsx"),
        Download("conversions", "supervisor", url("outputs:conversion_list_xlsx"), "xlsx"),
        Download("plan_filing", "supervisor", url("plans:filing_overview_xlsx", **y), "xlsx"),
        Download("units", "supervisor", url("org:unit_export"), "xlsx"),
        Download("people", "supervisor", url("org:person_export"), "xlsx"),
        Download("roster", "supervisor", url("org:roster_export", good.pk), "xlsx"),
        Download("roster_rules", "supervisor", url("org:requirement_export"), "xlsx"),
        Download("units_template", "supervisor", url("org:units_template"), "xlsx"),
        Download("roster_template", "supervisor", url("org:roster_template"), "xlsx"),
        Download("audit_log", "audit_admin", url("audit:entry_export"), "xlsx"),
        Download("talk_list", "supervisor", url("assessment:talk_list_export", scheme.pk), "xlsx"),
        Download("compliance_overview", "supervisor", url("compliance:overview_xlsx", **y), "xlsx"),
        Download("first_items", "supervisor", url("plans:first_item_list_xlsx"), "xlsx"),
        Download("experts", "supervisor", url("supervision:expert_list_xlsx"), "xlsx"),
        Download(
            "visit_plan", "supervisor", url("supervision:plan_detail_xlsx", visit.plan_id), "xlsx"
        ),
        Download("visits", "supervisor", url("supervision:visit_list_xlsx"), "xlsx"),
        Download("score_visits", "supervisor", url("supervision:score_visit_list_xlsx"), "xlsx"),
        Download(
            "score_stats_xlsx", "supervisor", url("supervision:score_stats_xlsx", **y), "xlsx"
        ),
        Download(
            "score_stats_docx", "supervisor", url("supervision:score_stats_docx", **y), "docx"
        ),
        Download(
            "score_record_xlsx",
            "supervisor",
            url("supervision:score_record_xlsx", visit.pk),
            "xlsx",
        ),
        Download(
            "score_record_docx",
            "supervisor",
            url("supervision:score_record_docx", visit.pk),
            "docx",
        ),
        Download("problem_list", "supervisor", url("supervision:problem_list_xlsx"), "xlsx"),
        Download(  # with its appendix table of the 40 units
            "bulletin",
            "supervisor",
            url("bulletins:download", bulletin.pk),
            "docx",
            max_pages=40,
            red_header=True,
        ),
        Download("session_report", "", "", "docx", data=one_report),  # 一学一报
    ]


def _download(world, d: Download) -> bytes:
    if d.data is not None:
        return d.data
    client = world.login(Client(), d.role)
    response = client.get(d.url)
    assert response.status_code == 200, (d.name, d.url, response.status_code)
    data = b"".join(response.streaming_content) if response.streaming else response.content
    assert data[:2] == b"PK", (d.name, response.get("Content-Type"))
    return data


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.fail(
            "LibreOffice (soffice) is not installed: run scripts/ensure-libreoffice.sh "
            "(make test-sqlite and make test-postgres do), or "
            "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk",
            pytrace=False,
        )
    return found


def convert_to_pdf(paths: list[str], outdir: str, profile: str) -> None:
    """One soffice run for all `paths`, with its own user profile (parallel runs and a
    running LibreOffice do not share one)."""
    soffice = _soffice()
    env = {**os.environ, "HOME": profile, "SAL_USE_VCLPLUGIN": "svp"}
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            outdir,
            *paths,
        ],
        capture_output=True,
        text=True,
        timeout=SOFFICE_TIMEOUT,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@dataclass
class Rendered:
    download: Download
    data: bytes
    pages: list[Page] = field(default_factory=list)


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[str, Rendered]:
    """Build the records, download every document, throw the records away (one rolled-back
    transaction) and convert all documents to PDF in one soffice run."""
    from conftest import build_world

    _soffice()  # fail before building anything when LibreOffice is missing
    out: dict[str, Rendered] = {}
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        for d in _records(world):
            out[d.name] = Rendered(d, _download(world, d))
        transaction.set_rollback(True)
    work = tmp_path_factory.mktemp("libreoffice")
    paths = []
    for name, r in out.items():
        path = work / f"{name}.{r.download.kind}"
        path.write_bytes(r.data)
        paths.append(str(path))
    convert_to_pdf(paths, str(work / "pdf"), str(work / "profile"))
    for name, r in out.items():
        pdf = work / "pdf" / f"{name}.pdf"
        assert pdf.exists(), f"LibreOffice did not convert {name}"
        r.pages = read_pages(str(pdf))
    return out


# --- reading the PDF -----------------------------------------------------------------------


@dataclass
class Line:
    y: float  # the bottom of the glyphs, in pt from the foot of the page
    chars: list[LTChar]

    @property
    def text(self) -> str:
        return "".join(c.get_text() for c in self.chars)

    @property
    def size(self) -> float:
        return max(c.size for c in self.chars)

    @property
    def x0(self) -> float:
        return self.chars[0].x0

    @property
    def x1(self) -> float:
        return self.chars[-1].x1


@dataclass
class Page:
    width: float
    height: float
    lines: list[Line]  # top to bottom

    @property
    def text(self) -> str:
        return "".join(line.text for line in self.lines)


def _chars(obj):
    if isinstance(obj, LTChar):
        yield obj
    elif hasattr(obj, "__iter__"):
        for child in obj:
            yield from _chars(child)


def read_pages(path: str) -> list[Page]:
    """Each page's characters grouped into lines by their vertical position (within 1 pt)
    and size class, left to right."""
    pages = []
    for layout in extract_pages(path):
        assert isinstance(layout, LTPage)
        rows: dict[tuple[int, int], list[LTChar]] = defaultdict(list)
        for c in _chars(layout):
            if c.get_text().strip():
                rows[(round(c.y0), round(c.size))].append(c)
        merged: list[Line] = []
        for (_, _), chars in sorted(rows.items(), key=lambda kv: -kv[0][0]):
            y = min(c.y0 for c in chars)
            near = next(
                (
                    m
                    for m in merged
                    if abs(m.y - y) < 1.0 and abs(m.chars[0].size - chars[0].size) < 0.5
                ),
                None,
            )
            if near:
                near.chars.extend(chars)
                near.y = min(near.y, y)
            else:
                merged.append(Line(y, list(chars)))
        for line in merged:
            line.chars.sort(key=lambda c: c.x0)
        merged.sort(key=lambda line: -line.y)
        pages.append(Page(layout.width, layout.height, merged))
    return pages


# --- .docx: the GB/T 9704 grid -------------------------------------------------------------

LEFT = MARGIN_LEFT.pt
RIGHT = LEFT + TEXT_WIDTH.pt
TEXT_TOP = A4[1] - MARGIN_TOP.pt
TEXT_BOTTOM = MARGIN_BOTTOM.pt
ONE_CHAR = BODY_PT
HANGING = set("，。、；：？！”’）》」』")


def _is_body(line: Line) -> bool:
    return abs(line.size - BODY_PT) < 0.3


def _in_text_block(page: Page, line: Line) -> bool:
    return Mm(35).pt - 1 < line.y < TEXT_TOP + 1


def _full_width_only(text: str) -> bool:
    return all(ord(ch) > 0x2000 for ch in text)


def body_lines(page: Page) -> list[Line]:
    return [ln for ln in page.lines if _is_body(ln) and _in_text_block(page, ln)]


def set_chars(line: Line) -> list[LTChar]:
    """The characters set inside the text block: a closing punctuation mark that LibreOffice
    (like Word and WPS) hangs into the right margin is not one of the line's 28."""
    chars = line.chars
    if len(chars) > 1 and chars[-1].get_text() in HANGING and chars[-1].x1 > RIGHT + 1:
        return chars[:-1]
    return chars


def full_lines(pages: list[Page]) -> list[Line]:
    """Lines of 3号 that run from the left margin to the right one, in full-width characters
    only (half-width digits and letters are narrower): each must hold CHARS_PER_LINE."""
    out = []
    for page in pages:
        for ln in body_lines(page):
            inside = set_chars(ln)
            if (
                abs(ln.x0 - LEFT) < 1.5
                and inside[-1].x1 > RIGHT - ONE_CHAR
                and _full_width_only("".join(c.get_text() for c in inside))
            ):
                out.append(ln)
    return out


def full_body_pages(pages: list[Page]) -> list[Page]:
    """Pages (not the last) whose text block holds only 3号 text (no title, table or 版记),
    from the top line of the block to its foot (a page that keeps a heading with its next
    paragraph, or avoids a widow, ends a line early and is not full)."""
    out = []
    for page in pages[:-1]:
        inside = [ln for ln in page.lines if _in_text_block(page, ln)]
        body = body_lines(page)
        if (
            body
            and len(body) == len(inside)
            and body[0].y > TEXT_TOP - PITCH
            and body[-1].y < TEXT_BOTTOM + PITCH
        ):
            out.append(page)
    return out


DOCX = [
    "year_plan",
    "annual_report",
    "feedback_letter",
    "problem_lists_docx",
    "score_stats_docx",
    "score_record_docx",
    "bulletin",
    "session_report",
]
XLSX = [
    "attendance_register",
    "problem_lists_xlsx",
    "ranking",
    "statistics",
    "sessions",
    "leave",
    "makeups",
    "outputs",
    "conversions",
    "plan_filing",
    "units",
    "people",
    "roster",
    "roster_rules",
    "units_template",
    "roster_template",
    "audit_log",
    "talk_list",
    "compliance_overview",
    "first_items",
    "experts",
    "visit_plan",
    "visits",
    "score_visits",
    "score_stats_xlsx",
    "score_record_xlsx",
    "problem_list",
]


def test_every_download_is_rendered(rendered):
    assert sorted(rendered) == sorted(DOCX + XLSX)
    for name in DOCX:
        assert rendered[name].download.kind == "docx"


@pytest.mark.parametrize("name", DOCX)
def test_docx_pages_are_a4_portrait_and_of_a_sane_count(rendered, name):
    r = rendered[name]
    assert 1 <= len(r.pages) <= r.download.max_pages, len(r.pages)
    for page in r.pages:
        assert (round(page.width), round(page.height)) == (round(A4[0]), round(A4[1]))
    if r.download.full_body_page:
        assert len(r.pages) >= 2  # long enough to show a full body page


@pytest.mark.parametrize("name", DOCX)
def test_docx_full_lines_hold_28_characters_of_3hao(rendered, name):
    r = rendered[name]
    lines = full_lines(r.pages)
    if r.download.full_body_page:
        assert len(lines) >= 5, [ln.text for ln in lines]
    counts = {ln.text: len(set_chars(ln)) for ln in lines}
    assert all(n == CHARS_PER_LINE for n in counts.values()), counts
    # no line of 3号 body text runs past the text block (but for a hanging punctuation mark)
    for page in r.pages:
        for ln in body_lines(page):
            assert set_chars(ln)[-1].x1 <= RIGHT + 1.5, (ln.text, ln.x1, RIGHT)


@pytest.mark.parametrize("name", DOCX)
def test_docx_full_body_pages_hold_22_lines_on_the_grid(rendered, name):
    r = rendered[name]
    pages = full_body_pages(r.pages)
    if r.download.full_body_page:
        assert pages, [[ln.text[:6] for ln in p.lines] for p in r.pages]
    for page in pages:
        body = body_lines(page)
        assert len(body) == LINES_PER_PAGE, [ln.text[:8] for ln in body]
        gaps = [a.y - b.y for a, b in zip(body, body[1:], strict=False)]
        assert all(abs(g - PITCH) < 0.2 for g in gaps), gaps


def above_tables(page: Page) -> list[Line]:
    """The page's 3号 lines below its title (if any) down to its first table (text of 4号
    or smaller in the text block). LibreOffice lays a table's rows at their own heights and
    continues the text below it from the table's foot, off the page's grid (Word snaps it
    back)."""
    out = []
    lines = page.lines
    titles = [i for i, ln in enumerate(lines) if ln.size > BODY_PT + 3]
    if titles:  # the 版头 (red mark, 发文字号) and the title are set off the grid
        lines = lines[titles[-1] + 1 :]
    for ln in lines:
        if not _in_text_block(page, ln):
            continue
        if ln.size < BODY_PT - 0.5:
            break
        if _is_body(ln):
            out.append(ln)
    return out


@pytest.mark.parametrize("name", DOCX)
def test_docx_3hao_lines_sit_on_the_line_grid(rendered, name):
    """The first line of a full body page fixes the grid; on every page each line of 3号
    above any table (body, headings, 主送, signature, below the title too) falls on one of
    its 22 lines."""
    r = rendered[name]
    reference = full_body_pages(r.pages) or next(
        (full_body_pages(x.pages) for x in rendered.values() if full_body_pages(x.pages)), []
    )
    assert reference, "no full body page in any document to take the grid from"
    top = body_lines(reference[0])[0].y
    assert TEXT_TOP - PITCH < top < TEXT_TOP, top  # the first line at the top of the block
    first = 2 if r.download.red_header else 1
    for n, page in enumerate(r.pages[first - 1 :], start=first):
        for ln in above_tables(page):
            slot = (top - ln.y) / PITCH
            assert abs(slot - round(slot)) < 0.02, (n, ln.text, slot)
            assert 0 <= round(slot) < LINES_PER_PAGE, (n, ln.text, slot)


# --- .xlsx: page setup ---------------------------------------------------------------------


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass
class SheetSpec:
    title: str
    columns: int
    header: Counter  # the header row's characters
    caption: Counter  # the title row's characters (empty without one)


def sheet_specs(data: bytes) -> list[SheetSpec]:
    """Each sheet's header row (below a one-cell merged title row, if any), read back."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    specs = []
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(min_row=1, max_row=2, values_only=True))
        first = [v for v in rows[0] if v not in (None, "")]
        captioned = len(first) == 1 and len(rows) > 1 and ws.max_column > 1
        header = [str(v) for v in (rows[1] if captioned else rows[0]) if v not in (None, "")]
        caption = str(first[0]) if captioned else ""
        specs.append(
            SheetSpec(
                ws.title, len(header), Counter(_clean("".join(header))), Counter(_clean(caption))
            )
        )
    return specs


def bold_text(page: Page) -> Counter:
    """The bold characters of a printed page: the header row (and the title row above it on
    the first page); the page header with the sheet's name and the data are regular."""
    return Counter(
        c.get_text()
        for ln in page.lines
        for c in ln.chars
        if "bold" in c.fontname.lower() and c.get_text().strip()
    )


@pytest.mark.parametrize("name", XLSX)
def test_xlsx_prints_one_page_wide_with_the_header_row_on_every_page(rendered, name):
    """Page by page, each sheet in turn: every printed page of a sheet carries its whole
    header row (all columns: one page wide; every page: the row repeats) and is landscape
    exactly when the sheet has more than WIDE_COLUMNS columns."""
    r = rendered[name]
    specs = sheet_specs(r.data)
    pages = iter(r.pages)
    page = next(pages)
    for i, spec in enumerate(specs):
        landscape = spec.columns > WIDE_COLUMNS
        count = 0
        while page is not None and bold_text(page) in (spec.header, spec.header + spec.caption):
            assert (page.width > page.height) == landscape, (spec.title, page.width)
            count += 1
            page = next(pages, None)
        assert count, (
            f"sheet {spec.title!r} ({i + 1}/{len(specs)}): the page does not show its whole "
            f"header row: {page.text[:100] if page else 'no more pages'!r}"
        )
    assert page is None, f"pages left over after the last sheet: {page.text[:80]!r}"


def test_a_long_sheet_prints_over_several_pages_each_with_the_header(rendered):
    """The audit log and the people list run over more than one printed page (so the header
    repeat above is really exercised)."""
    for name in ("audit_log", "people", "units"):
        assert len(rendered[name].pages) >= 2, name
