"""The one audit call. Services call it inside their transaction, so a failed audit write
fails the action too."""

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from zhongxinzu.audit import context
from zhongxinzu.audit.chain import DEFAULT_ALG, entry_digest
from zhongxinzu.audit.models import AuditChainHead, AuditEntry

SECRET_KEYS = {
    "password",
    "password1",
    "password2",
    "old_password",
    "new_password1",
    "new_password2",
    "token",
    "otp_token",
    "key",
    "secret",
}


def _clean(detail: dict[str, Any]) -> dict[str, Any]:
    return {k: ("***" if k in SECRET_KEYS else v) for k, v in detail.items()}


def audit_record(
    *,
    actor=None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    outcome: str = AuditEntry.Outcome.SUCCESS,
    username: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit record for `actor` doing `action` on `obj`."""
    ctx = context.current()
    roles = unit = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        from zhongxinzu.org.access import principal_of

        p = principal_of(actor)
        roles, unit = p.roles_label, p.unit_label
        username = actor.get_username()
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or obj.pk
    entry = AuditEntry(
        at=timezone.now(),
        user=actor if actor is not None and getattr(actor, "pk", None) else None,
        username=username[:150],
        roles=roles[:200],
        unit=unit[:200],
        client_ip=ctx.client_ip,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        object_repr=str(obj)[:200] if obj is not None else "",
        outcome=outcome,
        request_id=ctx.request_id,
        detail=_clean(detail or {}),
    )
    # Appends serialize on the chain head row (a row lock on PostgreSQL; SQLite takes its
    # write lock on the head update), so concurrent writers never fork the chain.
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        entry.hash_alg, entry.prev_hash = DEFAULT_ALG, head.last_hash
        # Round-trip the detail as the database will return it (JSON).
        entry.detail = json.loads(json.dumps(entry.detail, cls=DjangoJSONEncoder))
        entry.entry_hash = entry_digest(entry, alg=DEFAULT_ALG, prev_hash=head.last_hash)
        entry.save(force_insert=True)
        AuditChainHead.objects.filter(pk=1).update(last_hash=entry.entry_hash)
    return entry
