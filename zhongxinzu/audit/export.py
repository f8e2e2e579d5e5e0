"""The audit log as an .xlsx workbook: entries in, bytes out."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.utils import timezone

from zhongxinzu.audit.labels import action_label, object_type_label
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.lib.xlsx import Sheet, workbook_bytes

HEADERS = [
    "时间",
    "用户名",
    "角色",
    "单位",
    "客户端IP",
    "操作",
    "对象类型",
    "对象ID",
    "对象",
    "结果",
    "请求ID",
    "详情",
]
WIDTHS = [20, 16, 20, 24, 16, 16, 18, 10, 24, 8, 38, 50]


def _row(entry: AuditEntry) -> list:
    detail = json.dumps(entry.detail, ensure_ascii=False) if entry.detail else ""
    return [
        # text, not a date cell: the log needs the seconds
        timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
        entry.username,
        entry.roles,
        entry.unit,
        entry.client_ip,
        action_label(entry.action),
        object_type_label(entry.object_type),
        entry.object_id,
        entry.object_repr,
        entry.get_outcome_display(),
        entry.request_id,
        detail,
    ]


def entries_xlsx(entries: Iterable[AuditEntry]) -> bytes:
    """One sheet of audit entries. Text that looks like a formula is quoted by lib.xlsx."""
    rows = (_row(e) for e in entries)
    return workbook_bytes(Sheet(title="审计日志", headers=HEADERS, rows=rows, widths=WIDTHS))
