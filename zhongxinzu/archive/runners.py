"""archive.build: one group's year archive volume, built in the worker.

"A failed job changes nothing": the volume's two files and then its row are written in the
runner's last step (services._store); a failure before leaves the earlier versions as they
were, a failure of the row leaves only two files no record points at."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from zhongxinzu.jobs.registry import register


@register("archive.build", "学习档案专卷生成")
def archive_build(*, job, progress):
    from zhongxinzu.archive import access, services
    from zhongxinzu.org.models import StudyGroup

    group = StudyGroup.objects.select_related("unit").filter(pk=job.target_id).first()
    if group is None:
        raise ValidationError("中心组已不存在")
    if job.started_by is not None and not access.can_build(job.started_by, group):
        raise PermissionDenied("发起人已无权生成该中心组的学习档案")
    progress(0, 0, "正在收集本年度的文书和记录")
    volume = services.volume_build(
        actor=job.started_by, group=group, year=job.year, job=job, progress=progress
    )
    return (
        f"已生成{group.name}{volume.year}年度学习档案专卷第{volume.version}版（{volume.documents}件）",
        reverse("archive:group", args=[group.pk]) + f"?year={volume.year}",
    )
