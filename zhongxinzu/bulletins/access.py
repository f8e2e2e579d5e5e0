"""Who sees and does what with bulletins. A bulletin belongs to its issuing unit: the
supervisors of that unit's subtree (and above) draft, edit and issue it; once issued, every
role of a recipient group reads it, and the group's secretary or leader acknowledges it.
Anything else is 404."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from zhongxinzu.bulletins.models import Bulletin, BulletinRecipient
from zhongxinzu.org import access
from zhongxinzu.org.models import Unit


def bulletins_visible(user) -> QuerySet[Bulletin]:
    p = access.principal_of(user)
    q = access.subtree_q(p.supervised, "issuer_unit__") if p.supervised else Q(pk__in=[])
    if p.group_roles:
        received = BulletinRecipient.objects.filter(
            bulletin=OuterRef("pk"), group_id__in=list(p.group_roles)
        )
        q |= Q(Exists(received), status=Bulletin.Status.ISSUED)
    return Bulletin.objects.filter(q)


def can_manage(user, bulletin: Bulletin) -> bool:
    return access.supervises(user, bulletin.issuer_unit)


def issuer_units(user) -> list[Unit]:
    """Units a bulletin may be issued in the name of: the units granted to the supervisor."""
    return list(access.principal_of(user).supervised)


def get_bulletin_for(user, pk, *, write: bool = False) -> Bulletin:
    qs = bulletins_visible(user).select_related("issuer_unit", "created_by", "issued_by")
    return access.get_in(qs, pk, writable=(lambda b: can_manage(user, b)) if write else None)


def ack_group_ids(user, bulletin: Bulletin) -> list[int]:
    """The recipient groups this user may acknowledge for (as their secretary or leader)."""
    staff = access.principal_of(user).staff_group_ids()
    if not staff or not bulletin.is_issued:
        return []
    return list(
        BulletinRecipient.objects.filter(bulletin=bulletin, group_id__in=staff)
        .order_by("group__unit__path")
        .values_list("group_id", flat=True)
    )


def bulletin_abilities(user, bulletin: Bulletin) -> dict[str, bool]:
    manage = can_manage(user, bulletin)
    return {
        "edit": manage,
        "issue": manage and not bulletin.is_issued,
        "regenerate": manage and not bulletin.is_issued,
        "track": manage and bulletin.is_issued,
        "acknowledge": bool(ack_group_ids(user, bulletin)),
    }
