"""Excel import and export pages. The work happens in org/imports.py and org/exports.py."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET, require_http_methods

from zhongxinzu.jobs.models import Job
from zhongxinzu.lib.forms import ProductForm
from zhongxinzu.lib.views import role_required
from zhongxinzu.lib.xlsx import xlsx_response
from zhongxinzu.org import access, exports, imports, views
from zhongxinzu.org.views import business, can_browse_units, supervisors

roster_importers = role_required(lambda p: p.is_supervisor or bool(p.secretary_group_ids()))
unit_importers = role_required(lambda p: p.is_supervisor or p.admin_role == "sys_admin")
MAX_ERRORS_SHOWN = 500


class ImportForm(ProductForm):
    file = forms.FileField(
        label="Excel文件（.xlsx）",
        allow_empty_file=True,  # refused by lib.uploads with its own message, and audited
        widget=forms.FileInput(attrs={"accept": ".xlsx"}),
        error_messages={
            "required": "请选择要导入的Excel文件（.xlsx）",
            "invalid": "请选择要导入的Excel文件（.xlsx）",
        },
    )


def _today_stamp() -> str:
    return timezone.localdate().strftime("%Y%m%d")


# --- import ----------------------------------------------------------------------------


@require_GET
@roster_importers
def import_home(request):
    p = access.principal_of(request.user)
    groups = access.scoped_groups(request.user).filter(pk__in=p.secretary_group_ids())
    return render(
        request,
        "org/import_home.html",
        {
            "can_import_units": p.is_supervisor or p.admin_role == "sys_admin",
            "secretary_groups": groups.select_related("unit").order_by("unit__path"),
        },
    )


@require_http_methods(["GET", "POST"])
@unit_importers
def import_units(request):
    return _import_page(request, kind="units", group=None)


@require_http_methods(["GET", "POST"])
@roster_importers
def import_roster(request):
    group = None
    if group_id := request.GET.get("group"):
        group = access.get_group_for(request.user, group_id, write=True)
    return _import_page(request, kind="roster", group=group)


def _import_page(request, *, kind: str, group):
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    result = None
    if form.is_valid():
        result = imports.import_upload(
            actor=request.user, kind=kind, upload=form.cleaned_data["file"]
        )
        if isinstance(result, Job):
            messages.success(request, f"文件较大（{result.params['rows']}行），已转入后台导入")
            return redirect("jobs:detail", pk=result.pk)
    failed = bool(form.errors) or (result is not None and not result.ok)
    return render(
        request,
        "org/import_form.html",
        {
            "form": form,
            "kind": kind,
            "group": group,
            "result": result,
            "errors": result.errors[:MAX_ERRORS_SHOWN] if result else [],
            "errors_truncated": result is not None and len(result.errors) > MAX_ERRORS_SHOWN,
            "title": "导入单位" if kind == "units" else "导入中心组名册",
            "template_url": "org:units_template" if kind == "units" else "org:roster_template",
        },
        status=422 if failed else 200,
    )


@require_GET
@unit_importers
def units_template(request):
    return xlsx_response(request, "单位导入模板.xlsx", imports.units_template())


@require_GET
@roster_importers
def roster_template(request):
    return xlsx_response(request, "中心组名册导入模板.xlsx", imports.roster_template())


# --- export ----------------------------------------------------------------------------


@require_GET
@can_browse_units
def unit_export(request):
    data = exports.units_export(
        actor=request.user,
        units=views.unit_list_queryset(request.user, request.GET),
        visible=access.scoped_units(request.user),
        show_people=access.can_see_people(request.user),
        filters=exports.clean_filters(request.GET),
    )
    return xlsx_response(request, f"单位列表_{_today_stamp()}.xlsx", data)


@require_GET
@business
def person_export(request):
    data = exports.people_export(
        actor=request.user,
        people=views.person_list_queryset(request.user, request.GET),
        filters=exports.clean_filters(request.GET),
    )
    return xlsx_response(request, f"人员名单_{_today_stamp()}.xlsx", data)


@require_GET
@business
def roster_export(request, pk):
    group = access.get_group_for(request.user, pk)
    on = parse_date(request.GET.get("on") or "") or timezone.localdate()
    data = exports.roster_export(actor=request.user, group=group, on=on)
    return xlsx_response(request, f"{group.name}名册_{on:%Y%m%d}.xlsx", data, obj=group)


@require_GET
@supervisors
def requirement_export(request):
    requirements = views.requirement_queryset(request.user).order_by("-is_active", "scope__path")
    data = exports.requirements_export(actor=request.user, requirements=requirements)
    return xlsx_response(request, f"名册必备职务_{_today_stamp()}.xlsx", data)
