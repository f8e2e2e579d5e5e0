"""The background work of bulletins: drafting from the records (a province's annual
bulletin reads 5,000 groups' statistics). A failed run changes nothing: the draft is
written in one short transaction at the end."""

from django.core.exceptions import ValidationError
from django.urls import reverse

from zhongxinzu.jobs.registry import register


@register("bulletins.draft", "学情通报生成")
def bulletin_draft(*, job, progress):
    from zhongxinzu.bulletins import services
    from zhongxinzu.bulletins.models import Bulletin

    bulletin = Bulletin.objects.select_related("issuer_unit").filter(pk=job.target_id).first()
    if bulletin is None:
        raise ValidationError("通报已不存在")
    services.bulletin_draft(actor=job.started_by, bulletin=bulletin, progress=progress)
    return f"已生成《{bulletin.title}》", reverse("bulletins:detail", args=[bulletin.pk])
