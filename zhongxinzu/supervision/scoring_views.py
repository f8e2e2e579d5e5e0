"""Score sheet pages: templates (supervisors), an observer's sheet for a visit (phone
friendly), the printable record sheet (旁听记录表) and statistics."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from zhongxinzu.documents.lists import cn_date, stamp
from zhongxinzu.documents.responses import docx_response
from zhongxinzu.lib.views import apply_errors, paginate, querystring_without_page, role_required
from zhongxinzu.lib.xlsx import xlsx_response
from zhongxinzu.org import access
from zhongxinzu.supervision import exports, scoring
from zhongxinzu.supervision.models import ObservationVisit, ScoreSheet, ScoreTemplate
from zhongxinzu.supervision.scoring_forms import ScoreTemplateForm, StatsForm

supervisors = role_required(lambda p: p.is_supervisor)
scorers = role_required(lambda p: p.is_supervisor or p.is_observer)
observers = role_required(lambda p: p.is_observer)


def _supervised_units(user):
    p = access.principal_of(user)
    return access.scoped_units(user).filter(access.subtree_q(p.supervised)).order_by("path")


@require_GET
@supervisors
def template_list(request):
    templates = scoring.templates_visible(request.user).select_related("owner_unit")
    rows = [(t, scoring.can_edit_template(request.user, t)) for t in templates.order_by("id")]
    return render(request, "supervision/score_template_list.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@supervisors
def template_create(request):
    default = ScoreTemplate.objects.filter(owner_unit__isnull=True).first()
    initial = {"grades": "好90，较好80，一般60，差0", "is_active": True}
    if default is not None:
        initial["items"] = scoring.items_text(default)
    form = ScoreTemplateForm(
        request.POST or None, units=_supervised_units(request.user), initial=initial
    )
    if form.is_valid():
        try:
            template = scoring.score_template_create(actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, f"已创建评分表模板“{template.name}”")
            return redirect("supervision:score_template_list")
    return render(request, "supervision/score_template_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@supervisors
def template_edit(request, pk):
    template = access.get_in(
        scoring.templates_visible(request.user).select_related("owner_unit"),
        pk,
        writable=lambda t: scoring.can_edit_template(request.user, t),
    )
    initial = {
        "name": template.name,
        "grades": scoring.grades_text(template),
        "items": scoring.items_text(template),
        "is_active": template.is_active,
    }
    form = ScoreTemplateForm(request.POST or None, initial=initial, editing=True)
    if form.is_valid():
        try:
            scoring.score_template_update(
                actor=request.user, template=template, **form.cleaned_data
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "评分表模板已保存")
            return redirect("supervision:score_template_list")
    return render(
        request, "supervision/score_template_form.html", {"form": form, "template": template}
    )


def _visit_for(request, pk) -> ObservationVisit:
    qs = scoring.visits_scorable(request.user).select_related(
        "group__unit", "team", "session", "session__group"
    )
    return access.get_in(qs, pk)


@require_http_methods(["GET", "POST"])
@observers
def sheet_fill(request, pk):
    """The observer's own sheet for a visit: one number per item, on a phone."""
    visit = _visit_for(request, pk)
    expert = scoring.observer_expert(request.user, visit)
    if expert is None:
        raise PermissionDenied("只有旁听组成员可以填写评分表")
    sheet = ScoreSheet.objects.filter(visit=visit, observer=expert).first()
    template = sheet.template if sheet else scoring.template_for_group(visit.group)
    items = list(template.items.all())
    errors: list[str] = []
    if request.method == "POST":
        scores = {i.pk: request.POST.get(f"score_{i.pk}", "") for i in items}
        remarks = {i.pk: request.POST.get(f"remark_{i.pk}", "") for i in items}
        version = request.POST.get("version", "")
        try:
            sheet = scoring.score_sheet_save(
                actor=request.user,
                visit=visit,
                scores=scores,
                remarks=remarks,
                overall=request.POST.get("remarks", ""),
                submit=request.POST.get("action") == "submit",
                expected_version=int(version) if version.isdigit() else None,
            )
        except ValidationError as e:
            errors = e.messages
            values = {i.pk: (scores[i.pk], remarks[i.pk]) for i in items}
            overall = request.POST.get("remarks", "")
        else:
            messages.success(request, "评分表已提交" if sheet.submitted_at else "评分表已暂存")
            return redirect("supervision:score_sheet_fill", pk=visit.pk)
    if not errors:
        entries = {e.item_id: e for e in sheet.entries.all()} if sheet else {}
        values = {
            i.pk: (
                entries[i.pk].score if i.pk in entries else "",
                entries.get(i.pk) and entries[i.pk].remark or "",
            )
            for i in items
        }
        overall = sheet.remarks if sheet else ""
    rows = [(i, *values[i.pk]) for i in items]
    return render(
        request,
        "supervision/score_sheet_form.html",
        {
            "visit": visit,
            "sheet": sheet,
            "template": template,
            "rows": rows,
            "overall": overall,
            "errors": errors,
            "locked": bool(sheet and sheet.submitted_at),
        },
    )


def _record_context(request, visit) -> dict:
    from zhongxinzu.meetings.selectors import attendance_summary

    scores = scoring.visit_scores(visit)
    template = (
        scores.sheets[0].template if scores.sheets else scoring.template_for_group(visit.group)
    )
    items = list(template.items.all())
    columns = []
    for sheet in scores.submitted:
        by_item = {e.item_id: e for e in sheet.entries.all()}
        columns.append((sheet, [by_item.get(i.pk) for i in items]))
    item_rows = [
        (i, [col[1][n] for col in columns], scores.item_averages.get(i.pk))
        for n, i in enumerate(items)
    ]
    session = visit.session
    return {
        "visit": visit,
        "session": session,
        "attendance": attendance_summary(session) if session else None,
        "observers": visit.team.memberships.select_related("expert") if visit.team else [],
        "scores": scores,
        "columns": columns,
        "item_rows": item_rows,
    }


def _record_sheet(ctx: dict) -> exports.RecordSheet:
    """The record sheet's fields as the page shows them (supervision/score_record.html)."""
    visit, session, attendance = ctx["visit"], ctx["session"], ctx["attendance"]
    when = timezone.localtime(session.starts_at) if session else None
    observers = [f"{m.expert.name}{'（组长）' if m.is_leader else ''}" for m in ctx["observers"]]
    if attendance and attendance.taken:
        head = f"应到{attendance.expected}人，实到{attendance.attended}人"
    else:
        head = "未记录考勤"
    if attendance:
        missing = [
            f"{a.person.name}（{word}{'：' + a.reason if a.reason else ''}）"
            for word, rows in (("请假", attendance.leave), ("缺席", attendance.absent))
            for a in rows
        ]
        absent = "、".join(missing) or "无"
    else:
        absent = "—"
    team = f"{visit.team.name}：" if visit.team else ""
    fields = [
        ("被旁听单位", f"{visit.group.unit.name}（{visit.group.name}）"),
        (
            "学习时间",
            f"{cn_date(when.date())} {when:%H:%M}" if when else cn_date(visit.planned_on),
        ),
        ("学习主题", session.title if session else "—"),
        ("旁听人员", team + ("、".join(observers) or "—")),
        ("应到/实到", head),
        ("缺席人员及原因", absent),
    ]
    scores = ctx["scores"]
    return exports.RecordSheet(
        visit=visit,
        fields=fields,
        observers=[m.expert.name for m in ctx["observers"]],
        columns=ctx["columns"],
        item_rows=ctx["item_rows"],
        average=scores.average,
        grade=scores.grade,
        remarks=[
            (sheet.observer.name, sheet.remarks) for sheet, _ in ctx["columns"] if sheet.remarks
        ],
    )


@require_GET
@scorers
def record_sheet(request, pk):
    """旁听记录表: header fields, attendance from the session and every observer's scores."""
    visit = _visit_for(request, pk)
    return render(
        request,
        "supervision/score_record.html",
        {
            **_record_context(request, visit),
            "can_fill": scoring.observer_expert(request.user, visit) is not None,
        },
    )


@require_GET
@scorers
def record_sheet_xlsx(request, pk):
    visit = _visit_for(request, pk)
    data = exports.record_xlsx(_record_sheet(_record_context(request, visit)))
    return xlsx_response(
        request,
        f"旁听记录表_{visit.group.name}_{visit.planned_on:%Y%m%d}.xlsx",
        data,
        action="document",
        obj=visit,
        detail={"document": "observation_record"},
    )


@require_GET
@scorers
def record_sheet_docx(request, pk):
    visit = _visit_for(request, pk)
    data = exports.record_docx(_record_sheet(_record_context(request, visit)))
    return docx_response(
        request,
        f"旁听记录表_{visit.group.name}_{visit.planned_on:%Y%m%d}.docx",
        data,
        action="document",
        obj=visit,
        detail={"document": "observation_record"},
    )


def _stats(request):
    form = StatsForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    stats = scoring.score_stats(
        request.user,
        start=data.get("start"),
        end=data.get("end"),
        threshold=data.get("threshold") or 85,
    )
    return form, stats, exports.stats_period(data.get("start"), data.get("end"))


@require_GET
@supervisors
def score_stats(request):
    form, stats, _ = _stats(request)
    return render(request, "supervision/score_stats.html", {"form": form, "stats": stats})


@require_GET
@supervisors
def score_stats_xlsx(request):
    _, stats, period = _stats(request)
    data = exports.score_stats_xlsx(stats=stats, period=period)
    return xlsx_response(
        request, f"旁听评分统计_{stamp()}.xlsx", data, action="export", detail={"list": "scores"}
    )


@require_GET
@supervisors
def score_stats_docx(request):
    _, stats, period = _stats(request)
    data = exports.score_stats_docx(stats=stats, period=period, today=timezone.localdate())
    return docx_response(
        request,
        f"旁听评分统计_{stamp()}.docx",
        data,
        action="document",
        detail={"document": "scores"},
    )


def _scored_visits(user):
    """Visits the user may score or read the scores of, with the submitted count and the
    team's average, in page order."""
    from django.db.models import Avg, Count, Q

    return (
        scoring.visits_scorable(user)
        .select_related("group", "team", "session")
        .annotate(
            submitted=Count("sheets", filter=Q(sheets__submitted_at__isnull=False)),
            average=Avg("sheets__total", filter=Q(sheets__submitted_at__isnull=False)),
        )
        .order_by("-planned_on", "-id")
    )


@require_GET
@scorers
def visit_list(request):
    """The scorable visits (two queries per page whatever its size)."""
    page = paginate(request, _scored_visits(request.user))
    return render(
        request,
        "supervision/score_visit_list.html",
        {"page_obj": page, "querystring_base": querystring_without_page(request)},
    )


@require_GET
@scorers
def visit_list_xlsx(request):
    data = exports.scored_visits_xlsx(visits=_scored_visits(request.user))
    return xlsx_response(
        request, f"旁听评分_{stamp()}.xlsx", data, action="export", detail={"list": "score_visits"}
    )
