"""Who sees which 驾驶舱: a supervisor the units of their subtrees; a group's secretary,
leaders and members their group's, and supervisors above it every group's of their subtree.
Outputs and problems appear only for supervisors and the group's staff (members see only
their own outputs and no problem list)."""

from __future__ import annotations

from django.db.models import QuerySet

from zhongxinzu.org import access
from zhongxinzu.org.models import StudyGroup, Unit


def dashboard_units_visible(user) -> QuerySet[Unit]:
    return Unit.objects.filter(access.subtree_q(access.principal_of(user).supervised))


def get_dashboard_unit_for(user, pk) -> Unit:
    """A unit of the user's supervised subtrees (404 otherwise)."""
    return access.get_in(dashboard_units_visible(user), pk)


def get_dashboard_group_for(user, pk) -> StudyGroup:
    """A group the user supervises or belongs to (404 otherwise)."""
    return access.get_in(access.scoped_groups(user).select_related("unit"), pk)


def sees_group_staff_charts(user, group: StudyGroup) -> bool:
    p = access.principal_of(user)
    return access.in_subtree(group.unit, p.supervised) or group.pk in p.staff_group_ids()
