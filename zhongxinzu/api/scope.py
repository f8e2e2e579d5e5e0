"""The access module as the API applies it.

Everything goes through `zhongxinzu.org.access`, with one difference: an account holding
one of the three admin roles gets no business data from the API, not even the bare unit
tree the system admin maintains in the UI. The API serves business data only; the system
admin keeps the tree through the pages, in a TOTP-verified session with idle timeout,
rather than with an eight-hour bearer token. (Their business roles, if any, still apply.)
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from zhongxinzu.accounts.models import Role
from zhongxinzu.org import access
from zhongxinzu.org.models import Unit


def _is_sys_admin(user) -> bool:
    return access.principal_of(user).admin_role == Role.SYS_ADMIN


def units(user) -> QuerySet[Unit]:
    if not _is_sys_admin(user):
        return access.scoped_units(user)
    # The business part of scoped_units, without the system admin's whole tree.
    p = access.principal_of(user)
    q = access.subtree_q(p.supervised) | Q(pk__in=list(p.group_unit_ids.values()))
    return Unit.objects.filter(q)


def can_write_unit(user, unit: Unit) -> bool:
    return access.in_subtree(unit, access.principal_of(user).supervised)


def can_create_units(user) -> bool:
    return access.principal_of(user).is_supervisor


def can_manage_groups(user) -> bool:
    """Whether the user manages any roster at all (as supervisor or secretary)."""
    p = access.principal_of(user)
    return p.is_supervisor or bool(p.secretary_group_ids())


def get_unit(user, pk: int, *, write: bool = False) -> Unit:
    unit = units(user).filter(pk=pk).first()
    if unit is None:
        raise Http404("未找到或无权查看")
    if write and not can_write_unit(user, unit):
        raise PermissionDenied("无权修改该单位")
    return unit


# Groups, people and memberships: access gives admins nothing there already.
groups = access.scoped_groups
people = access.scoped_people
memberships = access.scoped_memberships
get_group = access.get_group_for
get_person = access.get_person_for
get_membership = access.get_membership_for
