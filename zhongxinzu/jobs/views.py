from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from zhongxinzu.jobs import services
from zhongxinzu.jobs.access import jobs_visible
from zhongxinzu.lib.views import fail, role_required
from zhongxinzu.org import access

supervisors = role_required(lambda p: p.is_supervisor)


@require_GET
@login_required
def job_list(request):
    this_year = timezone.localdate().year
    return render(
        request,
        "jobs/job_list.html",
        {"jobs": jobs_visible(request.user)[:100], "refresh_years": [this_year, this_year - 1]},
    )


@require_GET
@login_required
def job_detail(request, pk):
    job = access.get_in(jobs_visible(request.user), pk)
    return render(request, "jobs/job_detail.html", {"job": job})


@require_GET
@login_required
def job_status(request, pk):
    job = access.get_in(jobs_visible(request.user), pk)
    response = JsonResponse(services.status_payload(job))
    response["Cache-Control"] = "no-store"
    return response


def refresh_year(value) -> int:
    this_year = timezone.localdate().year
    return this_year - 1 if str(value) == str(this_year - 1) else this_year


@require_POST
@supervisors
def compliance_refresh_start(request):
    """Full compliance refresh of the supervisor's unit subtree for this year or the last."""
    units = list(access.scoped_units(request.user).order_by("depth", "path")[:1])
    unit = units[0] if units else None
    if unit is None:
        messages.error(request, "没有可刷新的单位")
        return redirect("jobs:list")
    try:
        job = services.job_start(
            actor=request.user,
            kind="compliance.refresh",
            unit=unit,
            year=refresh_year(request.POST.get("year")),
        )
    except ValidationError as e:
        fail(request, e)
        return redirect("jobs:list")
    messages.success(request, "已开始在后台刷新合规状态")
    return redirect("jobs:detail", pk=job.pk)
