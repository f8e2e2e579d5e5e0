"""Reads shared by the pages, the API and the document: the bulletin's current text, its
figures with the links to their records, its attachments, its acknowledgements."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from zhongxinzu.bulletins.models import SECTIONS, Bulletin, BulletinRecipient
from zhongxinzu.documents.bulletin import Appendix, BulletinText, bulletin_docx
from zhongxinzu.stats.selectors import FIGURE_BY_KEY

# The figures of every unit, in four tables (each at most 10 columns, 五号): every figure
# the text quotes is in one of them, with the total in the last row.
APPENDIX_TABLES = [
    (
        "各单位集体学习情况统计表",
        [
            "sessions",
            "kind_discussion",
            "kind_topical",
            "kind_reading",
            "kind_lecture",
            "kind_field",
            "kind_online",
            "discussions",
            "leader_led",
        ],
    ),
    (
        "各单位第一议题、出勤和补学情况统计表",
        [
            "first_items",
            "first_item_lag",
            "attendance_rate",
            "leave_rate",
            "makeups_owed",
            "makeups_done",
            "members_below",
        ],
    ),
    (
        "各单位学习成果情况统计表",
        [
            "outputs",
            "out_speech",
            "out_reflection",
            "out_notes",
            "out_research",
            "out_article",
            "out_proposal",
            "conversions",
        ],
    ),
    (
        "各单位列席旁听、问题整改和计划报备情况统计表",
        [
            "visits",
            "visit_score",
            "problems_closed",
            "problems_open",
            "problems_overdue",
            "plan_on_time",
        ],
    ),
]


def current_text(bulletin: Bulletin) -> dict:
    """The text as it reads now: the draft's fields, or the latest issued version."""
    if bulletin.is_issued:
        v = bulletin.versions.order_by("-number").first()
        if v is not None:
            return {
                "title": v.title,
                "addressee": v.addressee,
                "cc": v.cc,
                **v.texts(),
                "version": v.number,
            }
    return {
        "title": bulletin.title,
        "addressee": bulletin.addressee,
        "cc": bulletin.cc,
        **bulletin.texts(),
        "version": 0,
    }


def figure_label(key: str) -> str:
    f = FIGURE_BY_KEY[key]
    return f"{f.label}（{f.unit}）" if f.unit else f.label


def _cell(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def appendices(bulletin: Bulletin) -> list[Appendix]:
    snap = bulletin.figures or {}
    out = [
        Appendix(
            "存在问题的单位",
            ["序号", "单位", "存在问题"],
            [
                [i, row["unit"], "；".join(row["problems"])]
                for i, row in enumerate(bulletin.problem_rows, start=1)
            ]
            or [["—", "无", "—"]],
            widths_mm=[12, 60, 84],
        )
    ]
    rows = snap.get("rows", [])
    for caption, keys in APPENDIX_TABLES:
        body = [[r["label"], *(_cell(r["values"].get(k)) for k in keys)] for r in rows]
        body.append(["合计", *(_cell(snap.get("total", {}).get(k)) for k in keys)])
        out.append(
            Appendix(
                caption,
                ["单位", *(figure_label(k) for k in keys)],
                body,
                widths_mm=[34, *([14] * len(keys))],
            )
        )
    return out


def document(bulletin: Bulletin) -> BulletinText:
    text = current_text(bulletin)
    signed = (
        timezone.localtime(bulletin.issued_at).date()
        if bulletin.issued_at
        else timezone.localdate()
    )
    return BulletinText(
        title=text["title"],
        issuer=bulletin.issuer_unit.name,
        doc_number=bulletin.doc_number,
        addressee=text["addressee"],
        sections=[(label.split("、", 1)[1], text[key]) for key, label in SECTIONS],
        signed_on=signed,
        appendices=appendices(bulletin),
        cc=text["cc"],
        printer=f"{bulletin.issuer_unit.name}办公室" if bulletin.is_issued else "",
    )


def docx_bytes(bulletin: Bulletin) -> bytes:
    return bulletin_docx(document(bulletin))


def filename(bulletin: Bulletin) -> str:
    number = f"（{bulletin.doc_number}）" if bulletin.doc_number else "（草稿）"
    return f"{bulletin.title}{number}.docx"


def _url(name: str, params: dict) -> str:
    try:
        return f"{reverse(name)}?{urlencode(params)}"
    except NoReverseMatch:
        return ""


def stats_url(bulletin: Bulletin) -> str:
    return _url("stats:table", {"unit": bulletin.issuer_unit_id, **bulletin.span.query})


def records_url(bulletin: Bulletin, key: str, group_id: int | None = None) -> str:
    params = {"unit": bulletin.issuer_unit_id, "figure": key}
    if group_id:
        params["group"] = group_id
    return _url("stats:records", {**params, **bulletin.span.query})


def figure_rows(bulletin: Bulletin) -> list[dict]:
    """The figures beside the draft: label, the total, the value of each level, the link to
    the records behind the total."""
    snap = bulletin.figures or {}
    levels = snap.get("levels", [])
    out = []
    for key in snap.get("total", {}):
        if key not in FIGURE_BY_KEY:
            continue
        out.append(
            {
                "key": key,
                "label": figure_label(key),
                "total": _cell(snap["total"][key]),
                "levels": [(lv["label"], _cell(lv["values"].get(key))) for lv in levels],
                "url": records_url(bulletin, key),
            }
        )
    return out


def ack_counts(bulletin: Bulletin) -> dict[str, int]:
    agg = BulletinRecipient.objects.filter(bulletin=bulletin).aggregate(
        total=Count("pk"), acked=Count("pk", filter=Q(acknowledged_at__isnull=False))
    )
    return {"total": agg["total"], "acked": agg["acked"], "pending": agg["total"] - agg["acked"]}


def recipients(bulletin: Bulletin, state: str = ""):
    qs = BulletinRecipient.objects.filter(bulletin=bulletin).select_related(
        "group__unit", "acknowledged_by"
    )
    if state == "acked":
        qs = qs.filter(acknowledged_at__isnull=False)
    elif state == "pending":
        qs = qs.filter(acknowledged_at__isnull=True)
    return qs.order_by("group__unit__path")
