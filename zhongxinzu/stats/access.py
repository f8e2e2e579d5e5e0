"""Who may read the statistics: the supervisors, for the units of the subtrees they supervise."""

from __future__ import annotations

from django.http import Http404

from zhongxinzu.org import access
from zhongxinzu.org.models import StudyGroup, Unit


def statistics_units(user):
    """The units whose statistics `user` may read: their supervised subtrees."""
    p = access.principal_of(user)
    if not p.supervised:
        return Unit.objects.none()
    return Unit.objects.filter(access.subtree_q(p.supervised))


def get_root_for(user, *, pk=None, code: str = "") -> Unit:
    """The root named by primary key or code, else the first unit the user supervises; 404
    outside the user's supervised subtrees."""
    units = statistics_units(user)
    if code:
        unit = units.filter(code=code).first()
        if unit is None:
            raise Http404("您的督导范围内没有这个单位")
        return unit
    if pk not in (None, ""):
        return access.get_in(units, pk)
    return access.principal_of(user).supervised[0]


def get_group_below(root: Unit, pk) -> StudyGroup:
    """A group of the root's subtree (404 otherwise)."""
    groups = StudyGroup.objects.filter(access.subtree_q([root], "unit__")).select_related("unit")
    return access.get_in(groups, pk)
