"""The bulletin's text drafted from the records, in the structure and wording of the real
bulletins (seeds 003 and 004): 一、总体情况 with the subtree's totals in sentences and the
units that stand out by rule; 二、经验做法 from the highlights the supervisor picks; 三、存在问题
by problem, the units not named in the text ("个别单位…", "少数单位…") but listed in an
attached table; 四、工作要求 carried over from the issuer's previous bulletin.

`gather(root, span)` reads the records (the subtree statistics, the compliance snapshots, the
visits' highlights) in a fixed number of queries; `compose(facts)` is a pure function from
those facts to the section texts, so a test can feed it facts and read the sentences back.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.utils import timezone

from zhongxinzu.compliance.engine import CHECKS, CODE_STATUSES, MISSED, evaluate
from zhongxinzu.compliance.models import GroupCompliance
from zhongxinzu.org.models import Unit
from zhongxinzu.org.selectors import missing_requirements
from zhongxinzu.rules.services import rulebook_for
from zhongxinzu.stats.periods import Span
from zhongxinzu.stats.selectors import FIGURES, Statistics, subtree_statistics
from zhongxinzu.supervision.models import ObservationVisit

# Units that stand out (一、总体情况). The rules have no value for these, so they are named
# here: the seeds praise "全年开展学习…有的单位达20次以上" and "出勤率…有的达到100%".
STANDOUT_SESSIONS_PER_YEAR = 20
STANDOUT_RATE = 100.0
NAMED_AT_MOST = 5  # "甲、乙、丙等12个单位"
# Snapshots missing for more groups than this are not evaluated on the fly (a full recount
# of the subtree is the compliance job's work); their problems are then left out.
LIVE_EVALUATION_MAX = 200

KIND_MEASURE = {"kind_reading": "期", "kind_lecture": "场"}


# --- the facts ------------------------------------------------------------------------------


@dataclass
class Finding:
    """One problem the rules found, with the units that have it."""

    key: str
    label: str  # the attachment table's wording
    units: list[str] = field(default_factory=list)
    amount: int | float | None = None  # e.g. the members below the rule
    detail: str = ""  # e.g. the posts missing from the rosters


@dataclass
class Highlight:
    key: str  # "visit:<pk>"
    unit: str
    text: str
    day: dt.date | None = None


@dataclass
class Facts:
    root_name: str
    area: str  # 全市 / 全县 / 全省 / "某某所属"
    span: Span
    stats: Statistics
    rule_sessions: int
    rule_discussions: int
    rule_attendance: int
    rule_participation: int
    rule_first_item_days: int
    findings: list[Finding]
    highlights: list[Highlight]
    problems_complete: bool = True  # False: some groups had no compliance snapshot


# --- wording helpers --------------------------------------------------------------------------


def area_of(unit: Unit) -> str:
    """全市 / 全区 / 全县 / 全省 from the root unit's name, else "<name>所属"."""
    name = unit.name.removeprefix("中共")
    for mark, area in (("省委", "全省"), ("市委", "全市"), ("区委", "全区"), ("县委", "全县")):
        if mark in name:
            return area
    return f"{unit.name}所属"


def default_prefix(unit: Unit) -> str:
    """发文机关代字: the place's first character and the organ's short name, then 通 (通报):
    中共江川市委宣传部 → 江宣通."""
    name = unit.name.removeprefix("中共")
    for organ, short in (("宣传部", "宣"), ("组织部", "组"), ("工委", "工"), ("纪委", "纪")):
        if organ in name:
            return f"{name[0]}{short}通"
    return f"{name[0]}党通"


def default_addressee(root: Unit, children: list[Unit]) -> str:
    """主送机关 from the units directly below: 各县区委，市直各单位党委（党组）."""
    area = area_of(root)
    local = [u for u in children if any(m in u.name for m in ("县委", "区委", "市委"))]
    parts = []
    if local:
        kinds = "".join(dict.fromkeys(m[0] for u in local for m in ("县委", "区委") if m in u.name))
        parts.append(f"各{kinds or '县区'}委" if kinds else "各县区委")
    if len(local) < len(children) or not children:
        place = area[1] if area.startswith("全") else ""
        parts.append(f"{place}直各单位党委（党组）" if place else "各单位党委（党组）")
    return "，".join(parts)


def quantifier(n: int, total: int) -> str:
    """How the seeds speak of n units out of total without naming them."""
    if n <= 2:
        return "个别单位"
    share = n / max(total, 1)
    if share <= 0.2:
        return "少数单位"
    if share <= 0.5:
        return "部分单位"
    return "不少单位"


def named(names: list[str]) -> str:
    if len(names) <= NAMED_AT_MOST:
        return f"{'、'.join(names)}{'等单位' if len(names) > 1 else ''}"
    return f"{'、'.join(names[:NAMED_AT_MOST])}等{len(names)}个单位"


def number_text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


def title_for(span: Span) -> str:
    return f"关于{span.label}党委（党组）理论学习中心组学习情况的通报"


DEFAULT_REQUIREMENTS = "\n".join(
    [
        (
            "（一）提高政治站位，压实学习责任。各级党委（党组）要把中心组学习作为重要政治任务"
            "，主要负责同志要认真履行第一责任人职责，把方向、做示范、抓统筹，对照本通报指出的"
            "问题逐项研究整改措施，确保学习任务落到实处。"
        ),
        (
            "（二）突出学习重点，坚持问题导向。要把深入学习贯彻习近平新时代中国特色社会主义思"
            "想作为首要政治任务，认真落实“第一议题”制度，围绕中心工作精心设计研讨主题，做到"
            "分题到人、事先准备，切实增强研讨的针对性和实效性。"
        ),
        (
            "（三）严格制度执行，规范学习管理。要严格落实学习考勤、请假补学、学习档案、情况通"
            "报等制度，按时报备年度学习计划和有关材料，确保时间、地点、人员、内容、效果“五落"
            "实”，学习记录规范、完整、准确。"
        ),
        (
            "（四）推动成果转化，注重学用结合。要把学习成果转化为推动工作的思路举措，深入开展"
            "调查研究，形成一批高质量调研报告和理论文章，以学促干、学用相长。"
        ),
    ]
)


# --- composing the sections (pure) ------------------------------------------------------------


def _prorated(per_year: int, span: Span) -> int:
    months = (span.end.year - span.start.year) * 12 + span.end.month - span.start.month + 1
    return max(1, math.ceil(per_year * min(months, 12) / 12))


def overview_text(f: Facts) -> str:
    t = f.stats.total
    v = t.value
    n = f.stats.group_count
    kinds = []
    for fig in FIGURES:
        if fig.key.startswith("kind_") and fig.key != "kind_study" and v(fig.key):
            kinds.append(f"{fig.label}{v(fig.key)}{KIND_MEASURE.get(fig.key, '次')}")
    first = (
        f"{f.span.label}，{f.area}{n}个党委（党组）理论学习中心组共开展集体学习{v('sessions')}次"
        + (f"，其中{'、'.join(kinds)}" if kinds else "")
        + f"；组织集中学习研讨交流{v('discussions')}场次"
    )
    if v("first_items"):
        lag = number_text(v("first_item_lag"))
        first += f"，跟进学习“第一议题”{v('first_items')}项，平均在发布后{lag}天内学习"
    first += "。"
    sentences = [first]
    if v("attendance_rate") is not None:
        rate, leave = number_text(v("attendance_rate")), number_text(v("leave_rate"))
        s = f"中心组成员集体学习出勤率{rate}%，请假率{leave}%"
        if v("makeups_owed"):
            s += f"，应补学{v('makeups_owed')}人次、已补学{v('makeups_done')}人次"
        if v("leader_led") is not None:
            s += f"；组长领学占比{number_text(v('leader_led'))}%"
        sentences.append(s + "。")
    outs = [
        f"{fig.label}{v(fig.key)}篇" for fig in FIGURES if fig.key.startswith("out_") and v(fig.key)
    ]
    s = f"形成学习成果{v('outputs')}篇" + (f"，其中{'、'.join(outs)}" if outs else "")
    s += f"，推动成果转化{v('conversions')}项。"
    sentences.append(s)
    if v("visits"):
        s = f"开展列席旁听{v('visits')}次"
        if v("visit_score") is not None:
            s += f"，平均得分{number_text(v('visit_score'))}分"
        sentences.append(s + "。")
    found = (v("problems_open") or 0) + (v("problems_closed") or 0)
    if found:
        sentences.append(
            f"发现问题{found}个，已整改销号{v('problems_closed')}个，"
            f"尚在整改{v('problems_open')}个，其中逾期未完成整改{v('problems_overdue')}个。"
        )
    if f.span.kind == "year" or f.span.start.month == 1:
        sentences.append(f"{v('plan_on_time')}个中心组按期报备了年度学习计划。")
    paragraphs = ["".join(sentences)]
    paragraphs.extend(standouts(f))
    return "\n".join(paragraphs)


def standouts(f: Facts) -> list[str]:
    """Units that stand out by rule, named as the seeds name them."""
    rows = f.stats.rows
    out = []
    threshold = _prorated(STANDOUT_SESSIONS_PER_YEAR, f.span)
    rule = _prorated(f.rule_sessions, f.span)
    met = [r for r in rows if (r.value("sessions") or 0) >= rule]
    many = [r.label for r in rows if (r.value("sessions") or 0) >= threshold]
    when = "全年" if f.span.kind == "year" else f.span.label.removeprefix(str(f.span.year) + "年")
    if met:
        s = f"{len(met)}个中心组{when}开展集体学习达到{rule}次以上"
        if many:
            s += f"，{named(many)}中心组达{threshold}次以上"
        out.append(s + "，学习成为常态、化为自觉。")
    full = [
        r.label
        for r in rows
        if r.value("attendance_rate") == STANDOUT_RATE and r.cell("attendance_rate").denominator
    ]
    if full:
        out.append(f"{named(full)}中心组严格学习考勤制度，集体学习出勤率达到100%。")
    led = [
        r.label
        for r in rows
        if r.value("leader_led") == STANDOUT_RATE and r.cell("leader_led").denominator
    ]
    if led:
        out.append(f"{named(led)}中心组组长带头领学，领学占比达到100%，以上率下、示范带动。")
    return out


# The problems, in the order and the three themes the text takes (seed 004 二、存在问题).
THEMES = [
    ("一是学习组织还不够经常。", ["sessions", "topical", "discussions", "first_item_lag"]),
    ("二是学习纪律还不够严格。", ["attendance_year", "participation", "makeups", "outputs"]),
    ("三是学习制度落实还不够规范。", ["plan", "filings", "archive", "roster", "problems_overdue"]),
]
FINDING_LABELS = {
    "sessions": "集体学习次数未达到规定要求",
    "topical": "专题学习研讨次数不足",
    "discussions": "集体学习多、集中研讨少",
    "first_item_lag": "“第一议题”跟进学习不及时",
    "attendance_year": "集体学习出勤率偏低",
    "participation": "成员参学率未达到规定要求",
    "makeups": "缺席后未按期补学",
    "outputs": "成员未按规定撰写文章或调研报告",
    "plan": "年度学习计划未按期报备",
    "filings": "未按要求报送学习有关材料",
    "archive": "学习档案“三簿”不齐全",
    "roster": "必备职务人员未纳入中心组成员",
    "problems_overdue": "问题整改逾期",
}


def _sentence(fd: Finding, f: Facts, previous: str = "") -> str:
    q = quantifier(len(fd.units), f.stats.group_count)
    if q == previous and fd.key != "filings":
        q = "有的单位"  # as the seeds vary it: "个别单位……有的单位……"
    return {
        "sessions": f"{q}组织集体学习次数偏少，达不到每年不少于{f.rule_sessions}次的规定要求。",
        "topical": f"{q}专题学习研讨安排不足，没有按规定开展专题学习研讨。",
        "discussions": (
            f"{q}中心组集体学习多，集中研讨少，未做到每季度至少开展{f.rule_discussions}次集中研讨。"
        ),
        "first_item_lag": (
            f"{q}“第一议题”跟进学习不及时，未在重要讲话发布后{f.rule_first_item_days}天内组织学习。"
        ),
        "attendance_year": (f"{q}中心组成员集体学习请假率偏高，出勤率低于{f.rule_attendance}%。"),
        "participation": (
            f"{q}班子成员年度参学率偏低，共有{number_text(fd.amount)}名成员参学率未达到"
            f"{f.rule_participation}%。"
        ),
        "makeups": f"{q}成员缺席集体学习研讨后未及时补学。",
        "outputs": f"{q}中心组成员没有按规定撰写理论文章或调研报告。",
        "plan": f"{q}未按期报备年度学习计划。",
        "filings": f"仍有{q}未报送或未按规定要求报送学习有关材料。",
        "archive": f"{q}学习档案管理不规范，签到簿、研讨记录簿、自学笔记“三簿”不齐全。",
        "roster": f"{q}未将{fd.detail or '必备职务人员'}纳入党委（党组）中心组成员。",
        "problems_overdue": (
            f"{q}问题整改不到位，有{number_text(fd.amount)}个问题逾期未完成整改销号。"
        ),
    }[fd.key]


def problems_text(f: Facts) -> str:
    by_key = {fd.key: fd for fd in f.findings if fd.units}
    paragraphs = []
    for lead, keys in THEMES:
        sentences, previous = [], ""
        for k in keys:
            if k in by_key:
                sentences.append(_sentence(by_key[k], f, previous))
                previous = quantifier(len(by_key[k].units), f.stats.group_count)
        if sentences:
            paragraphs.append(lead + "".join(sentences))
    if not paragraphs:
        return "对照学习规则逐项检查，各单位均达到了规定要求，未发现需要通报的问题。"
    intro = (
        "从平时掌握、记录核查和列席旁听情况看，也有一些单位的中心组学习"
        "还存在短板和问题，需要切实加以解决。"
    )
    return "\n".join([intro, *paragraphs, "存在上述问题的单位见附件1。"])


def problem_table(f: Facts) -> list[dict]:
    """附件1: each unit with the problems found, in tree order."""
    order = {r.label: i for i, r in enumerate(f.stats.rows)}
    found: dict[str, list[str]] = {}
    for fd in f.findings:
        for unit in fd.units:
            found.setdefault(unit, []).append(fd.label)
    return [
        {"unit": unit, "problems": found[unit]}
        for unit in sorted(found, key=lambda u: order.get(u, len(order)))
    ]


def practices_text(chosen: list[Highlight]) -> str:
    """二、经验做法 from the highlights the supervisor picked, each naming its unit."""
    from zhongxinzu.documents.gbt9704 import cn_numeral

    lines = []
    for i, h in enumerate(chosen[:99], start=1):
        text = " ".join(h.text.split())
        lines.append(f"（{cn_numeral(i)}）{h.unit}。{text}")
    return "\n".join(lines)


def compose(f: Facts) -> dict:
    return {
        "overview": overview_text(f),
        "problems": problems_text(f),
        "problem_rows": problem_table(f),
    }


# --- gathering the facts ----------------------------------------------------------------------


def _snapshot_findings(stats: Statistics, year: int, as_of: dt.date) -> tuple[dict, bool]:
    """check key -> the groups the compliance snapshot marks missed (one query; groups
    without a snapshot evaluated on the fly when few)."""
    groups = {r.group.pk: r.group for r in stats.rows}
    index = {c.key: i for i, c in enumerate(CHECKS)}
    missed: dict[str, list[int]] = {c.key: [] for c in CHECKS}
    seen = set()
    rows = GroupCompliance.objects.filter(group_id__in=list(groups), year=year).values_list(
        "group_id", "codes"
    )
    for group_id, codes in rows:
        seen.add(group_id)
        for key, i in index.items():
            if i < len(codes) and CODE_STATUSES.get(codes[i]) == MISSED:
                missed[key].append(group_id)
    absent = [g for pk, g in groups.items() if pk not in seen]
    complete = True
    if absent and len(absent) <= LIVE_EVALUATION_MAX:
        from zhongxinzu.compliance.engine import Period

        for pk, result in evaluate(absent, Period.year(year), as_of=as_of).items():
            for key, check in result.checks.items():
                if check.status == MISSED:
                    missed[key].append(pk)
    elif absent:
        complete = False
    return missed, complete


def gather(root: Unit, span: Span, *, as_of: dt.date | None = None, progress=None) -> Facts:
    as_of = as_of or timezone.localdate()
    step = progress or (lambda *a: None)
    step(0, 4, "正在统计各中心组学习数据")
    stats = subtree_statistics(root, span, as_of=as_of)
    book = rulebook_for(root, span.year)
    by_id = {r.group.pk: r for r in stats.rows}
    step(1, 4, "正在核对学习规则落实情况")
    missed, complete = _snapshot_findings(stats, span.year, as_of)
    findings = []
    for key in FINDING_LABELS:
        if key in ("participation", "problems_overdue"):
            continue
        ids = missed.get(key, [])
        if ids:
            findings.append(Finding(key, FINDING_LABELS[key], [by_id[g].label for g in ids]))
    # Participation and overdue rectifications from the statistics of the period itself, so
    # the number in the sentence is the figure in the appendix.
    below = [r for r in stats.rows if r.value("members_below")]
    if below:
        findings.append(
            Finding(
                "participation",
                FINDING_LABELS["participation"],
                [r.label for r in below],
                amount=stats.total.value("members_below"),
            )
        )
    overdue = [r for r in stats.rows if r.value("problems_overdue")]
    if overdue:
        findings.append(
            Finding(
                "problems_overdue",
                FINDING_LABELS["problems_overdue"],
                [r.label for r in overdue],
                amount=stats.total.value("problems_overdue"),
            )
        )
    roster = next((fd for fd in findings if fd.key == "roster"), None)
    if roster is not None:
        flagged = [by_id[g].group for g in missed["roster"]]
        posts = missing_requirements(flagged, on=min(as_of, span.end))
        labels = list(dict.fromkeys(label for ls in posts.values() for label in ls))
        roster.detail = "、".join(labels[:3])
    order = list(FINDING_LABELS)
    findings.sort(key=lambda fd: order.index(fd.key))
    step(2, 4, "正在汇集列席旁听中的特色亮点")
    highlights = visit_highlights(stats, span)
    step(3, 4, "正在生成通报文稿")
    return Facts(
        root_name=root.name,
        area=area_of(root),
        span=span,
        stats=stats,
        rule_sessions=int(book["sessions_per_year"]),
        rule_discussions=int(book["discussions_per_quarter"]),
        rule_attendance=int(book["attendance_rate"]),
        rule_participation=int(book["participation_rate"]),
        rule_first_item_days=int(book["first_item_lag_days"]),
        findings=findings,
        highlights=highlights,
        problems_complete=complete,
    )


def visit_highlights(stats: Statistics, span: Span, limit: int = 200) -> list[Highlight]:
    """特色亮点 recorded in the period's observation visits of the subtree (one query)."""
    ids = [r.group.pk for r in stats.rows]
    names = {r.group.pk: r.label for r in stats.rows}
    rows = (
        ObservationVisit.objects.filter(
            group_id__in=ids, planned_on__gte=span.start, planned_on__lte=span.end
        )
        .exclude(summary_highlights="")
        .order_by("-planned_on", "-pk")
        .values_list("pk", "group_id", "summary_highlights", "planned_on")[:limit]
    )
    return [
        Highlight(f"visit:{pk}", names[g], text.strip(), day)
        for pk, g, text, day in rows
        if text.strip()
    ]


def figures_snapshot(stats: Statistics) -> dict:
    """The statistics a bulletin quotes, as JSON (kept with the bulletin)."""
    keys = [f.key for f in FIGURES]

    def values(row) -> dict:
        return {k: row.value(k) for k in keys}

    return {
        "span": {
            "kind": stats.span.kind,
            "start": stats.span.start.isoformat(),
            "end": stats.span.end.isoformat(),
            "n": stats.span.n,
        },
        "as_of": stats.as_of.isoformat(),
        "root": stats.root.pk,
        "group_count": stats.group_count,
        "total": values(stats.total),
        "total_cells": {
            k: [stats.total.cell(k).numerator, stats.total.cell(k).denominator] for k in keys
        },
        "levels": [{"label": r.label, "depth": r.depth, "values": values(r)} for r in stats.levels],
        "rows": [
            {
                "group": r.group.pk,
                "unit": r.group.unit_id,
                "label": r.label,
                "depth": r.depth,
                "values": values(r),
            }
            for r in stats.rows
        ],
    }
