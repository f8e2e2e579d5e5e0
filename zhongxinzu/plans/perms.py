"""Who may do what with prompts, first items and plans. Built on zhongxinzu.org.access only;
views use these for the 403 check, services repeat them so the API gets the same answer."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from zhongxinzu.org import access
from zhongxinzu.org.models import StudyGroup, Unit
from zhongxinzu.plans.models import FirstItem, Prompt, YearPlan


def supervises(user, unit: Unit) -> bool:
    return access.in_subtree(unit, access.principal_of(user).supervised)


def follows_up(user, issuer: Unit) -> bool:
    """Supervisors follow up what `issuer` sends down (a prompt's acknowledgements, a first
    item's study) in the groups they supervise: those of the issuer's subtree, and, read-only,
    those of their units below an issuer higher up. Only groups in their scope are listed."""
    return any(
        issuer.path.startswith(root.path) or root.path.startswith(issuer.path)
        for root in access.principal_of(user).supervised
    )


# --- prompts ---------------------------------------------------------------------------


def issuer_units(user) -> list[Unit]:
    """Units a prompt may be issued in the name of: the units granted to the supervisor."""
    return list(access.principal_of(user).supervised)


def can_edit_prompt(user, prompt: Prompt) -> bool:
    return supervises(user, prompt.issuer_unit)


def prompt_targets(prompt: Prompt) -> Q:
    """Q on StudyGroup for the groups a prompt is addressed to (the issuer's subtree)."""
    return access.subtree_q([prompt.issuer_unit], "unit__") & Q(is_active=True)


def ack_group_ids(user, prompt: Prompt) -> list[int]:
    """The groups this user may acknowledge `prompt` for (as their secretary or leader)."""
    staff = access.principal_of(user).staff_group_ids()
    if not staff:
        return []
    return list(
        StudyGroup.objects.filter(prompt_targets(prompt), pk__in=staff)
        .order_by("unit__path")
        .values_list("pk", flat=True)
    )


# --- first items -----------------------------------------------------------------------


def first_item_units(user) -> QuerySet[Unit]:
    """Units a first item may be recorded for: the supervisor's units and the level below
    them (not the whole subtree, which can hold thousands), and the secretary's own unit."""
    p = access.principal_of(user)
    q = Q(pk__in=[p.group_unit_ids[g] for g in p.secretary_group_ids()])
    for unit in p.supervised:
        q |= access.subtree_q([unit]) & Q(depth__lte=unit.depth + 1)
    return Unit.objects.filter(q).order_by("path")


def can_write_first_item_for(user, unit: Unit) -> bool:
    p = access.principal_of(user)
    secretary_units = {p.group_unit_ids[g] for g in p.secretary_group_ids()}
    return unit.pk in secretary_units or supervises(user, unit)


def can_write_first_item(user, item: FirstItem) -> bool:
    return can_write_first_item_for(user, item.owner_unit)


# --- plans -----------------------------------------------------------------------------


def can_record_plan(user, plan: YearPlan) -> bool:
    return access.can_record_for_group(user, plan.group_id)


def can_lead_plan(user, plan: YearPlan) -> bool:
    return access.can_lead_group(user, plan.group_id)
