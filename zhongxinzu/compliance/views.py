"""规则落实: a group's compliance page with drill-downs, the supervisors' subtree overview,
the annual report and attendance register, and the reminder inbox."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongxinzu.compliance import exports, selectors, services
from zhongxinzu.compliance.engine import (
    CHECK_BY_KEY,
    CHECKS,
    Period,
    evaluate_group,
    proving_records,
)
from zhongxinzu.compliance.forms import ReportTextForm
from zhongxinzu.compliance.models import AnnualReportText, Notification
from zhongxinzu.compliance.visit_checks import late_summaries
from zhongxinzu.documents.annual_report import (
    completion_text,
    report_title,
)
from zhongxinzu.documents.attendance_register import register_title
from zhongxinzu.documents.responses import docx_response
from zhongxinzu.lib.views import (
    apply_errors,
    paginate,
    querystring_without_page,
    role_required,
    year_param,
)
from zhongxinzu.lib.xlsx import xlsx_response
from zhongxinzu.org import access
from zhongxinzu.org.models import StudyGroup, Unit

business = role_required(lambda p: p.is_supervisor or bool(p.group_roles))
supervisors = role_required(lambda p: p.is_supervisor)


def _year(request) -> int:
    return year_param(request, timezone.localdate().year)


def _period(request) -> Period:
    year, quarter = _year(request), request.GET.get("quarter", "")
    return (
        Period.quarter(year, int(quarter)) if quarter in ("1", "2", "3", "4") else Period.year(year)
    )


def _group(request, pk, *, staff: bool = False) -> StudyGroup:
    """The group if in scope (404 otherwise); with `staff`, only its secretary and leaders or
    a supervisor above it may go on (403 for plain members)."""
    group = access.get_group_for(request.user, pk)
    if staff and not _is_staff(request.user, group):
        raise PermissionDenied("只有学习秘书、组长和督导可以查看")
    return group


def _is_staff(user, group) -> bool:
    p = access.principal_of(user)
    return group.pk in p.staff_group_ids() or access.in_subtree(group.unit, p.supervised)


def _years() -> list[int]:
    this = timezone.localdate().year
    return list(range(this, this - 4, -1))


# The overview export puts every matching group on one sheet.
EXPORT_ROWS = 100_000

# --- pages ----------------------------------------------------------------------------------


@require_GET
@business
def home(request):
    """规则落实 in the menu: supervisors get the overview, a group's people their group."""
    p = access.principal_of(request.user)
    if p.is_supervisor:
        return redirect("compliance:overview")
    groups = StudyGroup.objects.filter(pk__in=list(p.group_roles)).select_related("unit")
    if len(groups) == 1:
        return redirect("compliance:group_detail", pk=groups[0].pk)
    return render(request, "compliance/home.html", {"groups": groups})


def _root(request) -> Unit:
    p = access.principal_of(request.user)
    in_scope = Unit.objects.filter(access.subtree_q(p.supervised))
    if code := request.GET.get("code", "").strip():
        unit = in_scope.filter(code=code).first()
        if unit is not None:
            return unit
        messages.error(request, f"您的督导范围内没有编码为“{code}”的单位")
    if request.GET.get("unit"):
        return access.get_in(in_scope, request.GET["unit"])
    return p.supervised[0]


SYMBOLS = {"met": "✓", "at_risk": "!", "missed": "✕", "na": "—"}


def _grid_rows(ov, year: int) -> list[dict]:
    """The grid's cells as plain strings: 50 rows × 16 cells render fast."""
    rows = []
    for r in ov.rows:
        base = reverse("compliance:records", args=[r.group.pk, "x"])[:-2]
        cells = [
            (
                f"{base}{c.key}/?year={year}",
                c.colour,
                SYMBOLS[c.status],
                f"{c.label}：{c.value_text or c.detail}（{c.status_label}）",
            )
            for c in r.checks.values()
        ]
        rows.append(
            {
                "name": r.group.unit.name,
                "href": f"{reverse('compliance:group_detail', args=[r.group.pk])}?year={year}",
                "cells": cells,
                "missed": r.missed,
                "at_risk": r.at_risk,
            }
        )
    return rows


@require_GET
@supervisors
def overview(request):
    root, period = _root(request), Period.year(_year(request))
    ov = selectors.overview(
        root=root,
        period=period,
        as_of=timezone.localdate(),
        q=request.GET.get("q", "").strip(),
        status=request.GET.get("status", ""),
        check=request.GET.get("check", ""),
        page=request.GET.get("page"),
    )
    return render(
        request,
        "compliance/overview.html",
        {
            "root": root,
            "period": period,
            "ov": ov,
            "rows": _grid_rows(ov, period.rule_year),
            "page_obj": ov.page,
            "checks": CHECKS,
            "years": _years(),
            "querystring_base": querystring_without_page(request),
            "summary": [(c, ov.by_check.get(c.key, {})) for c in CHECKS],
            "late_summaries": late_summaries(root, period.rule_year, timezone.localdate()),
        },
    )


@require_GET
@supervisors
def overview_xlsx(request):
    """The overview's groups (every page of them) with each rule's verdict and proof."""
    root, period = _root(request), Period.year(_year(request))
    ov = selectors.overview(
        root=root,
        period=period,
        as_of=timezone.localdate(),
        q=request.GET.get("q", "").strip(),
        status=request.GET.get("status", ""),
        check=request.GET.get("check", ""),
        per_page=EXPORT_ROWS,
    )
    data = exports.overview_xlsx(ov=ov, root_name=root.name, period_label=period.label)
    return xlsx_response(
        request,
        f"规则落实总览_{root.name}_{period.start.year}.xlsx",
        data,
        action="export",
        obj=root,
        detail={"list": "compliance_overview", "year": period.start.year},
    )


@require_GET
@business
def group_detail(request, pk):
    group = _group(request, pk)
    period = _period(request)
    result = evaluate_group(group, period)
    staff = _is_staff(request.user, group)
    person_id = access.principal_of(request.user).person_id
    members = result.members if staff else [m for m in result.members if m.person_id == person_id]
    return render(
        request,
        "compliance/group_detail.html",
        {
            "group": group,
            "period": period,
            "result": result,
            "members": members,
            "staff": staff,
            "years": _years(),
            "quarter": request.GET.get("quarter", ""),
            "can_write": access.can_record_for_group(request.user, group.pk),
        },
    )


@require_GET
@business
def records(request, pk, key):
    group = _group(request, pk, staff=True)
    if key not in CHECK_BY_KEY:
        raise Http404("没有这项规则")
    period = _period(request)
    result = evaluate_group(group, period)
    proof = proving_records(result, key)
    return render(
        request,
        "compliance/records.html",
        {
            "group": group,
            "period": period,
            "check": result.checks[key],
            "proof": proof,
            "quarter": request.GET.get("quarter", ""),
        },
    )


# --- documents ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@business
def report_edit(request, pk):
    group = _group(request, pk, staff=True)
    year = _year(request)
    figures = selectors.annual_figures(group, year)
    texts = selectors.report_narrative(group, year, figures)
    saved = AnnualReportText.objects.filter(group=group, year=year).first()
    can_write = access.can_record_for_group(request.user, group.pk)
    if request.method == "POST" and not can_write:
        raise PermissionDenied("只有本中心组的学习秘书可以修改汇报文稿")
    form = ReportTextForm(
        request.POST or None, initial={**texts, "version": saved.version if saved else None}
    )
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.report_text_save(
                actor=request.user, group=group, year=year, expected_version=version, **data
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "汇报文稿已保存，可以下载Word文档")
            return redirect(f"{reverse('compliance:report_edit', args=[group.pk])}?year={year}")
    return render(
        request,
        "compliance/report_edit.html",
        {
            "group": group,
            "year": year,
            "years": _years(),
            "form": form,
            "saved": saved,
            "can_write": can_write,
            "figures": figures,
            "completion": completion_text(figures),
            "title": report_title(group.name, year),
            "filing": _report_filing(group, year),
        },
    )


def _report_filing(group: StudyGroup, year: int):
    """The report's submitted state: filed upward with the annual materials (filings)."""
    from zhongxinzu.filings.selectors import report_filing

    return report_filing(group.pk, year)


@require_GET
@business
def report_docx(request, pk):
    group = _group(request, pk, staff=True)
    year = _year(request)
    filename, data = selectors.annual_report_document(group, year)
    return docx_response(
        request,
        filename,
        data,
        action="document",
        obj=group,
        detail={"document": "annual_report", "year": year},
    )


@require_GET
@business
def register(request, pk):
    group = _group(request, pk, staff=True)
    year = _year(request)
    reg = selectors.attendance_register(group, year)
    return render(
        request,
        "compliance/register.html",
        {"group": group, "year": year, "years": _years(), "reg": reg, "title": register_title(reg)},
    )


@require_GET
@business
def register_xlsx(request, pk):
    group = _group(request, pk, staff=True)
    year = _year(request)
    filename, data = selectors.attendance_register_document(group, year)
    return xlsx_response(
        request,
        filename,
        data,
        action="export",
        obj=group,
        detail={"document": "attendance_register", "year": year},
    )


# --- the inbox -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def inbox(request):
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()] or None
        n = services.notifications_mark_read(user=request.user, ids=ids)
        messages.success(request, f"已将{n}条提醒标为已读")
        return redirect("compliance:inbox")
    qs = Notification.objects.filter(user=request.user)
    if request.GET.get("unread") == "1":
        qs = qs.filter(read_at__isnull=True)
    page = paginate(request, qs.order_by("-created_at", "-id"))
    return render(
        request,
        "compliance/inbox.html",
        {"page_obj": page, "querystring_base": querystring_without_page(request)},
    )


@require_POST
@login_required
def notification_read(request, pk):
    note = access.get_in(Notification.objects.filter(user=request.user), pk)
    services.notifications_mark_read(user=request.user, ids=[note.pk])
    safe = url_has_allowed_host_and_scheme(
        note.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(note.link if note.link and safe else "compliance:inbox")
