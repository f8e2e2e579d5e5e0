"""The kinds of background work and what "a failed job changes nothing" means for each.

- assessment.compute: the scheme's draft results are replaced only by the computation's own
  final step; a failure before it leaves the previous results as they were.
- compliance.refresh: snapshots are a cache rebuilt from the records; a failed run leaves
  the chunks it did not reach at their previous values and no record is touched.
- org.import_roster / org.import_units: the import runs in one transaction and writes only
  when every row is valid.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.jobs.registry import register


@register("assessment.compute", "考核结果计算")
def assessment_compute(*, job, progress):
    from zhongxinzu.assessment import services
    from zhongxinzu.assessment.models import AssessmentScheme

    scheme = AssessmentScheme.objects.filter(pk=job.target_id).first()
    if scheme is None:
        raise ValidationError("考核方案已不存在")
    progress(0, 0, "正在计算各中心组得分")
    n = services.scheme_compute(actor=job.started_by, scheme=scheme, progress=progress)
    return f"已计算{n}个中心组的考核结果", reverse("assessment:ranking", args=[scheme.pk])


@register("compliance.refresh", "合规状态全量刷新")
def compliance_refresh(*, job, progress):
    from zhongxinzu.compliance import services

    progress(0, 0, "正在重算各中心组的合规状态")
    last_year = job.year < timezone.localdate().year  # groups whose year is closed keep theirs
    n = services.snapshot_refresh(
        year=job.year, root=job.unit, skip_frozen=last_year, progress=progress
    )
    return f"已刷新{n}个中心组的合规状态", reverse("compliance:overview")


def _import(job, progress, kind):
    from zhongxinzu.org import imports

    path = job.params["file"]
    with default_storage.open(path, "rb") as f:
        data = f.read()
    progress(0, job.params.get("rows", 0), "正在校验并导入")
    importer = imports.units_import if kind == "units" else imports.roster_import
    try:
        result = importer(actor=job.started_by, data=data, filename=job.params.get("name", ""))
    finally:
        default_storage.delete(path)
    if not result.ok:
        lines = [str(e) for e in result.errors[:20]]
        more = f"（另有{len(result.errors) - 20}处问题）" if len(result.errors) > 20 else ""
        raise ValidationError("导入未执行，文件有问题：" + "；".join(lines) + more)
    rows = job.params.get("rows", 0)
    progress(rows, rows, "导入完成")
    return f"已导入{job.params.get('name', '')}（{rows}行）", ""


@register("org.import_roster", "名册导入")
def import_roster(*, job, progress):
    return _import(job, progress, "roster")


@register("org.import_units", "单位导入")
def import_units(*, job, progress):
    return _import(job, progress, "units")
