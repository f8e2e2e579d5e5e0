"""The one access module. Every page, export and API call gets its records through here.

Scope rules (DESIGN.md §2): a supervisor sees the subtree of each unit granted to them; a
group's secretary and leaders see their group and its unit's people; a member sees their
group's roster and themselves; an observer sees only what is assigned to them; the three
admin roles see no business data (the system admin sees the bare unit tree to maintain it).

Out-of-scope objects raise Http404; in-scope but read-only objects raise PermissionDenied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zhongxinzu.accounts.models import ADMIN_ROLES, Role, RoleGrant
from zhongxinzu.org.models import Membership, Person, StudyGroup, Unit

GROUP_STAFF = {"secretary", "leader"}
ROLE_LABELS = {
    "secretary": "学习秘书",
    "leader": "组长",
    "member": "成员",
    **{r.value: r.label for r in Role},
}


def membership_role_to_access(role: str) -> str:
    if role in (Membership.Role.LEADER, Membership.Role.DEPUTY):
        return "leader"
    if role == Membership.Role.SECRETARY:
        return "secretary"
    return "member"


@dataclass
class Principal:
    """What one user may see, resolved once per request (two queries)."""

    user_id: int | None = None
    person_id: int | None = None
    supervised: list[Unit] = field(default_factory=list)
    # group id -> access roles ("secretary", "leader", "member") from the current roster
    group_roles: dict[int, set[str]] = field(default_factory=dict)
    group_unit_ids: dict[int, int] = field(default_factory=dict)
    group_unit_names: dict[int, str] = field(default_factory=dict)
    granted: set[str] = field(default_factory=set)

    @property
    def admin_role(self) -> str | None:
        found = self.granted & ADMIN_ROLES
        return next(iter(found)) if found else None

    @property
    def is_observer(self) -> bool:
        return Role.OBSERVER in self.granted

    @property
    def is_supervisor(self) -> bool:
        return bool(self.supervised)

    @property
    def roles(self) -> set[str]:
        roles = set(self.granted)
        for group_roles in self.group_roles.values():
            roles |= group_roles
        return roles

    @property
    def has_business_role(self) -> bool:
        return bool(self.supervised or self.group_roles or self.is_observer)

    def staff_group_ids(self) -> list[int]:
        return [g for g, roles in self.group_roles.items() if roles & GROUP_STAFF]

    def secretary_group_ids(self) -> list[int]:
        return [g for g, roles in self.group_roles.items() if "secretary" in roles]

    @property
    def roles_label(self) -> str:
        return "、".join(ROLE_LABELS.get(r, r) for r in sorted(self.roles))

    @property
    def unit_label(self) -> str:
        names = [u.name for u in self.supervised] + list(self.group_unit_names.values())
        return "、".join(dict.fromkeys(names))


def principal_of(user) -> Principal:
    if not getattr(user, "is_authenticated", False):
        return Principal()
    cached = getattr(user, "_principal", None)
    if cached is not None:
        return cached
    p = Principal(user_id=user.pk, person_id=user.person_id)
    for grant in RoleGrant.objects.filter(user=user).select_related("unit"):
        p.granted.add(grant.role)
        if grant.role == Role.SUPERVISOR and grant.unit is not None:
            p.supervised.append(grant.unit)
    if user.person_id:
        for m in (
            active_memberships(on=timezone.localdate())
            .filter(person_id=user.person_id, group__is_active=True)
            .select_related("group__unit")
        ):
            p.group_roles.setdefault(m.group_id, set()).add(membership_role_to_access(m.role))
            p.group_roles[m.group_id].add("member")
            p.group_unit_ids[m.group_id] = m.group.unit_id
            p.group_unit_names[m.group_id] = m.group.unit.name
    user._principal = p
    return p


def active_memberships(*, on) -> QuerySet[Membership]:
    return Membership.objects.filter(start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)
    )


# --- the tree index --------------------------------------------------------------------


def _next_path(path: str) -> str | None:
    """The smallest path after every path that starts with `path` (paths are base 36)."""
    bumped = int(path, 36) + 1
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while bumped:
        bumped, rem = divmod(bumped, 36)
        out = digits[rem] + out
    out = out.rjust(len(path), "0")
    return out if len(out) == len(path) else None


def subtree_q(units, prefix: str = "") -> Q:
    """Q for the subtrees of `units`, as path ranges: a B-tree index range scan on both
    SQLite and PostgreSQL (a LIKE prefix is not indexable on SQLite)."""
    parts = []
    for unit in units:
        q = Q(**{f"{prefix}path__gte": unit.path})
        upper = _next_path(unit.path)
        if upper is not None:
            q &= Q(**{f"{prefix}path__lt": upper})
        parts.append(q)
    return reduce(or_, parts) if parts else Q(pk__in=[])


def in_subtree(unit: Unit, roots) -> bool:
    return any(unit.path.startswith(root.path) for root in roots)


def supervises(user, unit: Unit) -> bool:
    """The user supervises `unit` (it lies in the subtree of a unit granted to them)."""
    return in_subtree(unit, principal_of(user).supervised)


def ancestor_paths(unit: Unit) -> list[str]:
    """The paths of `unit` and of every unit above it."""
    step = Unit.steplen
    return [unit.path[:i] for i in range(step, len(unit.path) + 1, step)]


# --- scoped querysets ------------------------------------------------------------------


def scoped_units(user) -> QuerySet[Unit]:
    p = principal_of(user)
    if p.admin_role == Role.SYS_ADMIN:
        return Unit.objects.all()
    q = subtree_q(p.supervised) | Q(pk__in=list(p.group_unit_ids.values()))
    return Unit.objects.filter(q)


def scoped_groups(user) -> QuerySet[StudyGroup]:
    p = principal_of(user)
    q = subtree_q(p.supervised, "unit__") | Q(pk__in=list(p.group_roles))
    return StudyGroup.objects.filter(q)


def scoped_people(user) -> QuerySet[Person]:
    p = principal_of(user)
    staff_units = [p.group_unit_ids[g] for g in p.staff_group_ids()]
    rosters = Membership.objects.filter(group_id__in=list(p.group_roles)).values("person_id")
    q = subtree_q(p.supervised, "unit__") | Q(unit_id__in=staff_units)
    if p.group_roles:
        q |= Q(pk__in=rosters)
    if p.person_id and p.has_business_role:
        q |= Q(pk=p.person_id)
    return Person.objects.filter(q)


def scoped_memberships(user) -> QuerySet[Membership]:
    p = principal_of(user)
    q = subtree_q(p.supervised, "group__unit__") | Q(group_id__in=list(p.group_roles))
    return Membership.objects.filter(q)


# --- write checks ----------------------------------------------------------------------


def can_write_unit(user, unit: Unit) -> bool:
    p = principal_of(user)
    return p.admin_role == Role.SYS_ADMIN or in_subtree(unit, p.supervised)


def can_move_unit(user, unit: Unit) -> bool:
    """A supervisor may not move the top unit of their own scope (it would leave it)."""
    p = principal_of(user)
    if p.admin_role == Role.SYS_ADMIN:
        return True
    return can_write_unit(user, unit) and all(unit.pk != root.pk for root in p.supervised)


def can_create_units(user) -> bool:
    p = principal_of(user)
    return p.admin_role == Role.SYS_ADMIN or p.is_supervisor


def can_manage_group(user, group: StudyGroup) -> bool:
    p = principal_of(user)
    return group.pk in p.secretary_group_ids() or in_subtree(group.unit, p.supervised)


def can_write_person(user, person: Person) -> bool:
    p = principal_of(user)
    secretary_units = {p.group_unit_ids[g] for g in p.secretary_group_ids()}
    return person.unit_id in secretary_units or in_subtree(person.unit, p.supervised)


def can_see_full_phone(user, person: Person) -> bool:
    """Full phone numbers only within the person's own unit (SECURITY.md), and there only
    for the person themself, a group's leader or secretary, or a supervisor; a plain member
    sees colleagues' numbers masked (issue 8)."""
    p = principal_of(user)
    if p.person_id == person.pk:
        return True
    if person.unit_id in {p.group_unit_ids[g] for g in p.staff_group_ids()}:
        return True
    own_units = set(p.group_unit_ids.values())
    if p.person_id:
        own_units.add(user.person.unit_id)
    return person.unit_id in own_units and p.is_supervisor


def can_see_people(user) -> bool:
    p = principal_of(user)
    return p.is_supervisor or bool(p.group_roles)


def writable_units_for_people(user) -> QuerySet[Unit]:
    """Units under which this user may create people."""
    p = principal_of(user)
    secretary_units = [p.group_unit_ids[g] for g in p.secretary_group_ids()]
    return Unit.objects.filter(subtree_q(p.supervised) | Q(pk__in=secretary_units))


# --- fetch one object or fail ----------------------------------------------------------


def _get(qs: QuerySet, pk):
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到或无权查看") from None


def get_unit_for(user, pk, *, write: bool = False) -> Unit:
    unit = _get(scoped_units(user), pk)
    if write and not can_write_unit(user, unit):
        raise PermissionDenied("无权修改该单位")
    return unit


def get_group_for(user, pk, *, write: bool = False) -> StudyGroup:
    group = _get(scoped_groups(user).select_related("unit"), pk)
    if write and not can_manage_group(user, group):
        raise PermissionDenied("无权修改该中心组名册")
    return group


def get_person_for(user, pk, *, write: bool = False) -> Person:
    person = _get(scoped_people(user).select_related("unit"), pk)
    if write and not can_write_person(user, person):
        raise PermissionDenied("无权修改该人员")
    return person


def get_membership_for(user, pk, *, write: bool = False) -> Membership:
    m = _get(scoped_memberships(user).select_related("group__unit", "person"), pk)
    if write and not can_manage_group(user, m.group):
        raise PermissionDenied("无权修改该中心组名册")
    return m


# --- the study cycle (plans, sessions, attendance, outputs) ----------------------------
#
# Supervisors read everything of the groups in their subtree but do not write a group's
# records; the group's secretary records, its leaders approve, its members see the group's
# sessions and prompts and their own attendance, leave, make-up study and outputs.


def by_group(user, qs: QuerySet, group_field: str = "group") -> QuerySet:
    """`qs` limited to records of groups the user supervises or belongs to."""
    p = principal_of(user)
    q = subtree_q(p.supervised, f"{group_field}__unit__") | Q(
        **{f"{group_field}_id__in": list(p.group_roles)}
    )
    return qs.filter(q)


def by_group_or_own(user, qs: QuerySet, group_field: str, person_field: str) -> QuerySet:
    """Supervisors and group staff see the group's records; members only their own."""
    p = principal_of(user)
    q = subtree_q(p.supervised, f"{group_field}__unit__") | Q(
        **{f"{group_field}_id__in": p.staff_group_ids()}
    )
    if p.person_id and p.group_roles:
        q |= Q(**{f"{person_field}_id": p.person_id, f"{group_field}_id__in": list(p.group_roles)})
    return qs.filter(q)


def can_record_for_group(user, group_id: int) -> bool:
    """The group's secretary keeps its records."""
    return group_id in principal_of(user).secretary_group_ids()


def can_lead_group(user, group_id: int) -> bool:
    """The group's leaders approve plans, leave and speech drafts."""
    return "leader" in principal_of(user).group_roles.get(group_id, set())


def issuer_scope_q(user, field: str) -> Q:
    """Records issued by a unit: visible to that unit's supervisors (subtree), to the groups
    below it (the issuer is an ancestor of the group's unit) and to the supervisors of the
    units below it, who follow them up in the groups they supervise (read-only: writing is
    for the issuer's supervisors)."""
    p = principal_of(user)
    q = subtree_q(p.supervised, f"{field}__")
    paths: set[str] = set()
    for unit in p.supervised:
        paths.update(ancestor_paths(unit))
    unit_ids = list(p.group_unit_ids.values())
    if unit_ids:
        for unit in Unit.objects.filter(pk__in=unit_ids).only("path"):
            paths.update(ancestor_paths(unit))
    if paths:
        q |= Q(**{f"{field}__path__in": sorted(paths)})
    return q


def get_in(qs: QuerySet, pk, *, writable=None):
    """Fetch `pk` from a scoped queryset (404 if absent); 403 if `writable(obj)` is false."""
    obj = _get(qs, pk)
    if writable is not None and not writable(obj):
        raise PermissionDenied("您无权执行此操作")
    return obj


# --- supervision (experts, teams, visits, problems, assessment) -------------------------


def owned_in_subtree(user, qs: QuerySet, field: str = "owner_unit") -> QuerySet:
    """Records a supervising unit owns (expert pools, teams, visit plans, schemes): visible
    to the supervisors of that unit and of the units above it."""
    return qs.filter(subtree_q(principal_of(user).supervised, f"{field}__"))


def observer_visit_ids(user) -> QuerySet:
    """Ids of the visits assigned to the user as an observer (a member of the visiting team,
    through an expert record linked to the account)."""
    from zhongxinzu.supervision.models import ObservationVisit

    if not principal_of(user).is_observer:
        return ObservationVisit.objects.none().values("pk")
    return ObservationVisit.objects.filter(team__memberships__expert__user=user).values("pk")
