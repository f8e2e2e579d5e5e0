"""Problem and rectification pages (三清单): the supervisor's list, a problem with its
rectification, the secretary's progress reports, close-out and send-back, and each
group's study / problem / rectification lists with their .xlsx and .docx exports."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongxinzu.documents.lists import stamp
from zhongxinzu.documents.responses import docx_response
from zhongxinzu.lib.downloads import stored_file_response
from zhongxinzu.lib.uploads import extension_of, read_upload
from zhongxinzu.lib.views import (
    apply_errors,
    fail,
    paginate,
    posted_version,
    querystring_without_page,
    role_required,
    year_param,
)
from zhongxinzu.lib.xlsx import xlsx_response
from zhongxinzu.org import access
from zhongxinzu.org.models import Person, Unit
from zhongxinzu.supervision import exports, problems
from zhongxinzu.supervision.models import (
    ObservationVisit,
    Problem,
    Rectification,
    RectificationReport,
)
from zhongxinzu.supervision.problem_forms import (
    ProblemFilterForm,
    ProblemForm,
    ReportForm,
    ReturnForm,
)

problem_users = role_required(lambda p: p.is_supervisor or bool(p.staff_group_ids()))
problem_writers = role_required(lambda p: p.is_supervisor or bool(p.secretary_group_ids()))


def _problem_for(request, pk, *, write=None) -> Problem:
    qs = problems.problems_visible(request.user).select_related(
        "group__unit", "rectification__owner", "visit", "raised_by"
    )
    return access.get_in(qs, pk, writable=write)


def _supervises(request):
    return lambda problem: problems.can_supervise(request.user, problem.group)


def _records(request):
    return lambda problem: access.can_record_for_group(request.user, problem.group_id)


def _problem_list(request):
    """The problem list's filter form and rows (scope, filters, page order)."""
    groups = access.scoped_groups(request.user).filter(
        pk__in=problems.problems_visible(request.user).values("group_id")
    )
    form = ProblemFilterForm(request.GET or None, groups=groups.order_by("unit__path"))
    qs = problems.with_overdue(problems.problems_visible(request.user))
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            qs = qs.filter(rectification__status=data["status"])
        if data["source"]:
            qs = qs.filter(source=data["source"])
        if data["overdue"]:
            qs = qs.filter(problems.overdue_q())
        if data["group"]:
            qs = qs.filter(group=data["group"])
    # The 驾驶舱's links: problems not closed yet (any state but 已销号), a unit's subtree.
    if request.GET.get("unclosed") == "1":
        qs = qs.exclude(rectification__status=Rectification.Status.CLOSED)
    if (under := request.GET.get("under", "")).isdigit():
        qs = qs.filter(access.subtree_q(Unit.objects.filter(pk=int(under)), "group__unit__"))
    qs = qs.select_related("group", "rectification__owner").order_by("-found_on", "-id")
    return form, qs


@require_GET
@problem_users
def problem_list_xlsx(request):
    _, qs = _problem_list(request)
    data = exports.problems_xlsx(problems=qs, caption="问题清单")
    return xlsx_response(
        request, f"问题清单_{stamp()}.xlsx", data, action="export", detail={"list": "problems"}
    )


@require_GET
@problem_users
def problem_list(request):
    form, qs = _problem_list(request)
    return render(
        request,
        "supervision/problem_list.html",
        {
            "form": form,
            "page_obj": paginate(request, qs),
            "querystring_base": querystring_without_page(request),
        },
    )


@require_http_methods(["GET", "POST"])
@problem_writers
def problem_create(request):
    p = access.principal_of(request.user)
    groups = problems.groups_for_problems(request.user).order_by("unit__path")
    owners = Person.objects.filter(unit__in=groups.values("unit")).order_by("unit_id", "rank_order")
    visits = ObservationVisit.objects.filter(
        group__in=groups.filter(access.subtree_q(p.supervised, "unit__"))
    ).select_related("group")
    initial = {}
    if (vid := request.GET.get("visit", "")).isdigit():
        visit = access.get_in(visits, int(vid))
        initial.update(visit=visit.pk, source=Problem.Source.OBSERVATION)
        initial["group"] = visit.group_id
    elif (gid := request.GET.get("group", "")).isdigit():
        initial["group"] = int(gid)
    if "group" in initial:
        owners = owners.filter(unit__group__pk=initial["group"])
        visits = visits.filter(group_id=initial["group"])
    form = ProblemForm(
        request.POST or None,
        groups=groups,
        owners=owners,
        visits=visits.order_by("-planned_on", "-id"),
        supervisor=p.is_supervisor,
        initial=initial,
    )
    if form.is_valid():
        try:
            problem = problems.problem_create(actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "问题已登记，整改清单已生成")
            return redirect("supervision:problem_detail", pk=problem.pk)
    return render(request, "supervision/problem_form.html", {"form": form})


@require_GET
@problem_users
def problem_detail(request, pk):
    return _detail(request, _problem_for(request, pk))


def _detail(request, problem, *, report_form=None, status=200):
    rect = problem.rectification
    supervisor = problems.can_supervise(request.user, problem.group)
    secretary = access.can_record_for_group(request.user, problem.group_id)
    return render(
        request,
        "supervision/problem_detail.html",
        {
            "problem": problem,
            "rect": rect,
            "overdue": rect.status != "closed" and rect.deadline < timezone.localdate(),
            "reports": rect.reports.select_related("reported_by"),
            "can_report": secretary and rect.status != "closed",
            "can_decide": supervisor and rect.status == "reported",
            "report_form": report_form or ReportForm(initial={"version": rect.version}),
            "return_form": ReturnForm(initial={"version": rect.version}),
        },
        status=status,
    )


@require_POST
@problem_writers
def rectification_report(request, pk):
    problem = _problem_for(request, pk, write=_records(request))
    form = ReportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["evidence_file"]
        try:
            data = read_upload(upload) if upload else None
            problems.rectification_report_add(
                actor=request.user,
                rectification=problem.rectification,
                text=form.cleaned_data["text"],
                file_name=upload.name if upload else "",
                file_data=data,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "整改进展已报送，等待督导单位销号")
            return redirect("supervision:problem_detail", pk=problem.pk)
    # A refused report (a bad file, a stale version) shows the form again with the reason.
    problem.rectification.refresh_from_db()
    return _detail(request, problem, report_form=form, status=422)


@require_POST
@problem_users
def rectification_close(request, pk):
    problem = _problem_for(request, pk, write=_supervises(request))
    try:
        problems.rectification_close(
            actor=request.user,
            rectification=problem.rectification,
            expected_version=posted_version(request),
        )
    except ValidationError as e:
        fail(request, e)
    else:
        messages.success(request, "已销号")
    return redirect("supervision:problem_detail", pk=problem.pk)


@require_POST
@problem_users
def rectification_return(request, pk):
    problem = _problem_for(request, pk, write=_supervises(request))
    try:
        problems.rectification_return(
            actor=request.user,
            rectification=problem.rectification,
            note=request.POST.get("note", ""),
            expected_version=posted_version(request),
        )
    except ValidationError as e:
        fail(request, e)
    else:
        messages.success(request, "已退回整改")
    return redirect("supervision:problem_detail", pk=problem.pk)


@require_GET
@problem_users
def report_file(request, pk):
    """Evidence files only through this view, as attachments."""
    qs = RectificationReport.objects.filter(
        rectification__problem__in=problems.problems_visible(request.user)
    )
    report = access.get_in(qs, pk)
    if not report.evidence_file:
        raise Http404("没有佐证材料")
    ext = extension_of(report.evidence_file.name)
    name = f"整改佐证材料{report.pk}.{ext}"
    return stored_file_response(request, report.evidence_file, name, obj=report)


def _group_for(request, pk):
    p = access.principal_of(request.user)
    qs = access.scoped_groups(request.user).filter(
        access.subtree_q(p.supervised, "unit__") | Q(pk__in=p.staff_group_ids())
    )
    return access.get_in(qs.select_related("unit"), pk)


@require_GET
@problem_users
def group_lists(request, pk):
    group = _group_for(request, pk)
    lists = problems.group_lists(group=group, year=year_param(request, timezone.localdate().year))
    return render(
        request,
        "supervision/problem_group_lists.html",
        {
            "group": group,
            "lists": lists,
            "can_raise": problems.can_supervise(request.user, group)
            or access.can_record_for_group(request.user, group.pk),
        },
    )


@require_GET
@problem_users
def group_lists_xlsx(request, pk):
    group = _group_for(request, pk)
    lists = problems.group_lists(group=group, year=year_param(request, timezone.localdate().year))
    return xlsx_response(
        request,
        f"{group.name}{lists.year}年三清单.xlsx",
        problems.lists_xlsx(lists),
        action="export",
        obj=group,
        detail={"document": "problem_lists", "year": lists.year},
    )


@require_GET
@problem_users
def group_lists_docx(request, pk):
    group = _group_for(request, pk)
    lists = problems.group_lists(group=group, year=year_param(request, timezone.localdate().year))
    return docx_response(
        request,
        f"{group.name}{lists.year}年三清单.docx",
        problems.lists_docx(lists),
        action="document",
        obj=group,
        detail={"document": "problem_lists", "year": lists.year},
    )
