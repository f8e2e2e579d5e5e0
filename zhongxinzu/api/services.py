"""API tokens: issued for a password, stored only as their SHA-256, audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhongxinzu.accounts.models import ApiToken
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.audit.services import audit_record


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def password_expired(user) -> bool:
    changed = user.password_changed_at
    return changed is None or changed < timezone.now() - timedelta(
        days=settings.PASSWORD_MAX_AGE_DAYS
    )


def account_problem(user, *, issued_at=None) -> str | None:
    """Why `user` (holding a token issued at `issued_at`) may not use the API now, if so."""
    if not user.is_active:
        return "账号已停用"
    if user.is_demo and not settings.DEMO_MODE:
        return "演示账号仅在演示模式下可用"
    if password_expired(user):
        return "密码已过期，请先登录网页修改密码"
    if issued_at is not None and user.password_changed_at > issued_at:
        return "密码已修改，请重新获取访问令牌"
    return None


@transaction.atomic
def token_issue(*, user) -> tuple[str, ApiToken]:
    """A new token for `user`; returns the raw token (shown once) and its record."""
    now = timezone.now()
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=token_hash(raw),
        expires_at=now + timedelta(hours=settings.API_TOKEN_HOURS),
    )
    audit_record(
        actor=user,
        action="api_token",
        obj=token,
        detail={"expires_at": token.expires_at.isoformat()},
    )
    return raw, token


def token_refused(*, username: str, reason: str) -> None:
    audit_record(
        action="api_token",
        username=username[:150],
        object_type="accounts.ApiToken",
        outcome=AuditEntry.Outcome.FAILURE,
        detail={"reason": reason},
    )


@transaction.atomic
def token_revoke(*, user, token: ApiToken) -> None:
    audit_record(actor=user, action="api_token_revoke", obj=token)
    ApiToken.objects.filter(pk=token.pk).delete()


def token_lookup(raw: str) -> ApiToken | None:
    if not raw or len(raw) > 200:
        return None
    return ApiToken.objects.select_related("user").filter(key_hash=token_hash(raw)).first()
