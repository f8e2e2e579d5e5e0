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

from zhongxinzu.accounts.models import Role
from zhongxinzu.api.errors import FORBIDDEN
from zhongxinzu.assessment import selectors as assessment_selectors
from zhongxinzu.meetings.models import Attendance, LeaveRequest, MakeUp, StudySession
from zhongxinzu.org import access
from zhongxinzu.org.models import StudyGroup, Unit
from zhongxinzu.outputs import selectors as output_selectors
from zhongxinzu.plans import selectors as plan_selectors
from zhongxinzu.rules.models import RuleValue
from zhongxinzu.supervision import problems as supervision_problems
from zhongxinzu.supervision import scoring
from zhongxinzu.supervision import selectors as supervision_selectors


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
    writable = (lambda unit: can_write_unit(user, unit)) if write else None
    return get(units(user), pk, writable=writable, message="无权修改该单位")


# Groups, people and memberships: access gives admins nothing there already.
groups = access.scoped_groups
people = access.scoped_people
memberships = access.scoped_memberships
get_group = access.get_group_for
get_person = access.get_person_for
get_membership = access.get_membership_for


# --- the study cycle -------------------------------------------------------------------
#
# The apps' own visibility rules, as the pages apply them: supervisors read every group of
# their subtrees; a group's people read its sessions, plans, prompts and first items; members
# see only their own attendance, leave, make-up study and outputs, the group's secretary and
# leaders see the group's. Admins and observers hold no group and supervise nothing, so they
# get nothing here either.

prompts = plan_selectors.prompts_visible
first_items = plan_selectors.first_items_visible
plans = plan_selectors.plans_visible
outputs = output_selectors.outputs_visible
conversions = output_selectors.conversions_visible


def sessions(user) -> QuerySet[StudySession]:
    return access.by_group(user, StudySession.objects.all())


def attendance(user) -> QuerySet[Attendance]:
    return access.by_group_or_own(user, Attendance.objects.all(), "session__group", "person")


def leave_requests(user) -> QuerySet[LeaveRequest]:
    return access.by_group_or_own(user, LeaveRequest.objects.all(), "session__group", "person")


def makeups(user) -> QuerySet[MakeUp]:
    return access.by_group_or_own(
        user, MakeUp.objects.all(), "attendance__session__group", "attendance__person"
    )


def supervised_units(user) -> QuerySet[Unit]:
    """The units of the subtrees the user supervises (where rules may be set)."""
    return Unit.objects.filter(access.subtree_q(access.principal_of(user).supervised))


def rule_values(user) -> QuerySet[RuleValue]:
    """Rule overrides set within the subtrees the user supervises."""
    p = access.principal_of(user)
    return RuleValue.objects.filter(access.subtree_q(p.supervised, "scope__"))


def is_group_staff(user, group: StudyGroup) -> bool:
    """The group's secretary or leaders, or a supervisor above it: who reads the group's
    records by name (roll, compliance drill-downs, annual report, register)."""
    p = access.principal_of(user)
    return group.pk in p.staff_group_ids() or access.in_subtree(group.unit, p.supervised)


def get(qs: QuerySet, pk: int, *, writable=None, message: str = FORBIDDEN):
    """`pk` from a scoped queryset (404 if absent); 403 with `message` unless
    `writable(obj)`."""
    obj = access.get_in(qs, pk)
    if writable is not None and not writable(obj):
        raise PermissionDenied(message)
    return obj


# --- supervision -----------------------------------------------------------------------
#
# As the pages apply it: the expert pool, teams and visit plans belong to a supervising unit
# and are seen by the supervisors at or above it; a visit by the supervisors of the host
# group's subtree, the host group's secretary and leaders (once published) and the observers
# of the visiting team — the only business data an observer gets from the API.

experts = supervision_selectors.experts_visible
teams = supervision_selectors.teams_visible
visit_plans = supervision_selectors.plans_visible
visits = supervision_selectors.visits_visible
# Visits whose score sheets the user may read: supervisors above and the team's observers.
scored_visits = scoring.visits_scorable
problems = supervision_problems.problems_visible


# --- assessment ------------------------------------------------------------------------
#
# Schemes are seen (and managed) by the supervisors of the owner unit and above; a group's
# secretary and leaders read their own group's results once the scheme is published.

schemes = assessment_selectors.schemes_visible
assessment_results = assessment_selectors.results_visible
