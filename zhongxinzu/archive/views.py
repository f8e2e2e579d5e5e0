from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from zhongxinzu.archive import access, selectors, services
from zhongxinzu.archive.models import ArchiveVolume
from zhongxinzu.jobs.access import jobs_visible
from zhongxinzu.lib.downloads import stored_file_response
from zhongxinzu.lib.views import (
    fail,
    paginate,
    querystring_without_page,
    role_required,
    year_param,
)
from zhongxinzu.org import access as org_access

business = role_required(lambda p: p.has_business_role)
supervisors = role_required(lambda p: p.is_supervisor)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _years() -> list[int]:
    this = timezone.localdate().year
    return [this, this - 1, this - 2]


@require_GET
@business
def group_archive(request, pk):
    group = access.get_group_for(request.user, pk)
    year = year_param(request, timezone.localdate().year)
    status = selectors.archive_status(group, year)
    volumes = ArchiveVolume.objects.filter(group=group, year=year).select_related("built_by")
    job = (
        jobs_visible(request.user)
        .filter(kind="archive.build", target_id=group.pk, year=year)
        .order_by("-created_at", "-pk")
        .first()
    )
    return render(
        request,
        "archive/group.html",
        {
            "group": group,
            "year": year,
            "years": _years(),
            "status": status,
            "volumes": volumes,
            "job": job,
            "abilities": access.archive_abilities(request.user, group),
        },
    )


@require_POST
@business
def volume_build(request, pk):
    group = access.get_group_for(request.user, pk, write=True)
    try:
        job = services.volume_build_start(
            actor=request.user, group=group, year=request.POST.get("year")
        )
    except ValidationError as e:
        fail(request, e)
        return redirect("archive:group", pk=group.pk)
    messages.success(request, "已开始在后台生成学习档案专卷")
    return redirect("jobs:detail", pk=job.pk)


@require_GET
@business
def volume_download(request, pk):
    volume = access.get_volume_for(request.user, pk)
    title = f"{services.volume_title(volume.group, volume.year)}（第{volume.version}版）"
    if request.GET.get("format") == "docx":
        return stored_file_response(
            request, volume.print_file, f"{title}合订本.docx", obj=volume, content_type=DOCX
        )
    return stored_file_response(
        request, volume.file, f"{title}.zip", obj=volume, content_type="application/zip"
    )


STATUS_FILTERS = {"complete": "三簿齐全", "incomplete": "三簿不全"}


@require_GET
@supervisors
def overview(request):
    roots = list(org_access.principal_of(request.user).supervised)
    root = min(roots, key=lambda u: (u.depth, u.path))
    year = year_param(request, timezone.localdate().year)
    groups = list(selectors.subtree_groups(root, request.GET.get("q", "").strip()))
    counts = selectors.subtree_completeness(groups, year)
    status = request.GET.get("status", "")
    totals = {
        "all": len(groups),
        "complete": sum(1 for g in groups if counts[g.pk].complete),
    }
    totals["incomplete"] = totals["all"] - totals["complete"]
    if status in STATUS_FILTERS:
        want = status == "complete"
        groups = [g for g in groups if counts[g.pk].complete == want]
    page = paginate(request, groups)
    rows = [(g, counts[g.pk]) for g in page]
    return render(
        request,
        "archive/overview.html",
        {
            "root": root,
            "year": year,
            "years": _years(),
            "page_obj": page,
            "rows": rows,
            "totals": totals,
            "shown": len(groups),
            "status": status,
            "filters": STATUS_FILTERS,
            "querystring_base": querystring_without_page(request),
        },
    )
