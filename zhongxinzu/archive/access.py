"""Who reads and builds a group's archive volume (学习档案专卷).

The volume holds every member's attendance and outputs, so it is for the group's staff
(学习秘书, 组长/副组长) and the supervisors of the group's unit and above; the secretary and
the supervisors build it. A member of the group gets 403 (the group is theirs, its archive
is not), anybody outside the scope 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from zhongxinzu.archive.models import ArchiveVolume
from zhongxinzu.org import access
from zhongxinzu.org.models import StudyGroup


def can_read(user, group: StudyGroup) -> bool:
    p = access.principal_of(user)
    return access.in_subtree(group.unit, p.supervised) or group.pk in p.staff_group_ids()


def can_build(user, group: StudyGroup) -> bool:
    p = access.principal_of(user)
    return access.in_subtree(group.unit, p.supervised) or group.pk in p.secretary_group_ids()


def archive_abilities(user, group: StudyGroup) -> dict[str, bool]:
    """The one answer used by the page's buttons, the views and the API."""
    return {"read": can_read(user, group), "build": can_build(user, group)}


def get_group_for(user, pk, *, write: bool = False) -> StudyGroup:
    group = access.get_group_for(user, pk)
    if not can_read(user, group) or (write and not can_build(user, group)):
        raise PermissionDenied("您无权查看或生成该中心组的学习档案")
    return group


def volumes_visible(user) -> QuerySet[ArchiveVolume]:
    """Volumes of the groups the user supervises or staffs."""
    p = access.principal_of(user)
    q = access.subtree_q(p.supervised, "group__unit__") | Q(group_id__in=p.staff_group_ids())
    return ArchiveVolume.objects.filter(q)


def get_volume_for(user, pk) -> ArchiveVolume:
    """404 outside the user's groups; 403 for a member of the group who is not staff."""
    volume = access.get_in(
        access.by_group(user, ArchiveVolume.objects.select_related("group__unit")), pk
    )
    if not can_read(user, volume.group):
        raise PermissionDenied("您无权下载该中心组的学习档案")
    return volume
