"""The audit hash chain: each entry's hash covers its own fields and the hash of the entry
before it, so an edited, inserted or deleted row breaks the chain even where the database
triggers were dropped. SM3 (GB/T 32905) where OpenSSL offers it, else SHA-256; each entry
stores the algorithm it used."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

DEFAULT_ALG = "sm3" if "sm3" in hashlib.algorithms_available else "sha256"


def entry_digest(entry, *, alg: str, prev_hash: str) -> str:
    at = entry.at.astimezone(UTC).isoformat(timespec="microseconds")
    fields = [
        prev_hash,
        at,
        entry.user_id,
        entry.username,
        entry.roles,
        entry.unit,
        entry.client_ip or "",
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.object_repr,
        entry.outcome,
        entry.request_id,
        entry.detail,
    ]
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.new(alg, payload.encode()).hexdigest()


@dataclass
class Result:
    ok: bool
    checked: int
    broken_entry_id: int | None
    message: str


def verify() -> Result:
    """Walk the chain in insertion order; name the first entry that does not fit."""
    from zhongxinzu.audit.models import AuditChainHead, AuditEntry

    head = AuditChainHead.objects.filter(pk=1).first()
    expected = head.anchor_hash if head else ""
    checked = 0
    started = False
    for e in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if not started and not e.entry_hash:
            continue  # written before the chain existed
        started = True
        if not e.entry_hash or e.prev_hash != expected:
            return Result(
                False, checked, e.pk, f"第 {e.pk} 号记录与前一记录不衔接（前序记录被删改或插入）"
            )
        if entry_digest(e, alg=e.hash_alg, prev_hash=e.prev_hash) != e.entry_hash:
            return Result(False, checked, e.pk, f"第 {e.pk} 号记录内容与摘要不符（已被修改）")
        expected = e.entry_hash
        checked += 1
    if head and head.last_hash and head.last_hash != expected:
        return Result(False, checked, None, "链尾记录缺失（最新的审计记录被删除）")
    return Result(True, checked, None, f"审计日志完整，已校验 {checked} 条记录")
