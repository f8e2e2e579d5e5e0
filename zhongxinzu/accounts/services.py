"""Accounts, passwords, roles, two-factor devices and lockouts.

Each service validates, runs in a transaction and writes its audit record. Failed checks
raise ValidationError with Chinese messages (keyed by field where there is one).

三员分立: the system admin manages accounts, the security admin roles and lockouts, the
audit admin reads the log. An account with an admin role holds no other role and is not
linked to a Person (a Person link is how roster roles are acquired).
"""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import SESSION_KEY, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhongxinzu.accounts.models import ADMIN_ROLES, ApiToken, PasswordHistory, Role, RoleGrant, User
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.audit.services import audit_record
from zhongxinzu.org.models import Person, Unit

SELF_ONLY_FOR_ADMINS = "管理员账号的密码只能由本人修改"


def _is_self(actor, user: User) -> bool:
    return actor is not None and getattr(actor, "pk", None) == user.pk


def _admin_role(user: User) -> str | None:
    return user.grants.filter(role__in=ADMIN_ROLES).values_list("role", flat=True).first()


ADMIN_ACCOUNT_PROTECTED = "三员分立：管理员账号不能由其他管理员单独停用、解锁或重置动态口令"
PERSON_LINK_SEC_ADMIN = "关联人员会使账号取得该人员的名册角色（业务权限），须由安全管理员办理"


def _guard_admin_account(actor, user: User | None) -> None:
    """No admin may silence another admin's account alone (三员分立): deactivating,
    unlocking or removing the TOTP of an admin-role account is refused unless done by
    the account itself or by a command-line operator (actor None)."""
    if actor is None or user is None or _is_self(actor, user):
        return
    if _admin_role(user):
        raise ValidationError(ADMIN_ACCOUNT_PROTECTED)


def _guard_person_link(actor, user: User | None, person_id: int | None) -> None:
    """A person link grants that person's group roles: adding or changing one is a
    security-admin act, like any other grant of business rights."""
    if person_id is None or (user is not None and user.person_id == person_id):
        return
    if actor is None:
        return
    if not actor.grants.filter(role=Role.SEC_ADMIN).exists():
        raise ValidationError({"person_id": PERSON_LINK_SEC_ADMIN})


# --- passwords -------------------------------------------------------------------------


def _validate_password(raw_password: str, user: User) -> None:
    try:
        password_validation.validate_password(raw_password, user)
    except ValidationError as e:
        raise ValidationError({"password": e.messages}) from None


def _store_password(user: User, raw_password: str) -> None:
    """Keep the outgoing hash for the reuse check, then set the new one (not saved)."""
    if user.pk and user.has_usable_password():
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = user.password_history.values_list("pk", flat=True)[
            settings.PASSWORD_HISTORY_COUNT :
        ]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()
    user.set_password(raw_password)


@transaction.atomic
def user_set_password(*, actor, user: User, raw_password: str) -> User:
    """Set `user`'s password after the policy checks (length, classes, common, similarity,
    history). A change by the user themself restarts the 90-day clock; a password set by an
    administrator is temporary and must be changed at the next login. Other sessions die
    through Django's session hash; the caller keeps its own with update_session_auth_hash.
    API tokens are revoked either way."""
    own = _is_self(actor, user)
    if actor is not None and not own and _admin_role(user):
        raise ValidationError(SELF_ONLY_FOR_ADMINS)
    _validate_password(raw_password, user)
    _store_password(user, raw_password)
    user.password_changed_at = timezone.now() if own else None
    user.save(update_fields=["password", "password_changed_at"])
    ApiToken.objects.filter(user=user).delete()
    audit_record(actor=actor, action="password_change" if own else "password_reset", obj=user)
    return user


# --- accounts --------------------------------------------------------------------------


def _person_for(user: User | None, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise ValidationError({"person_id": f"人员编号 {person_id} 不存在"})
    linked = User.objects.filter(person=person).exclude(pk=getattr(user, "pk", None)).first()
    if linked is not None:
        raise ValidationError({"person_id": f"该人员已关联账号“{linked.username}”"})
    if user is not None and user.pk and _admin_role(user):
        raise ValidationError({"person_id": "三员分立：管理员账号不能关联人员"})
    return person


@transaction.atomic
def user_create(
    *, actor, username: str, full_name: str, raw_password: str, person_id: int | None = None
) -> User:
    """Create an account with a temporary password (changed at first login). Roles are
    granted separately by the security admin."""
    username, full_name = username.strip(), full_name.strip()
    errors = {}
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        errors["username"] = "用户名只能包含字母、数字和 @ . + - _ 字符"
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = f"用户名“{username}”已被使用"
    if not full_name:
        errors["full_name"] = "请填写姓名"
    if errors:
        raise ValidationError(errors)
    person = _person_for(None, person_id)
    _guard_person_link(actor, None, person_id)
    user = User(username=username, first_name=full_name, person=person)
    _validate_password(raw_password, user)
    user.set_password(raw_password)
    user.password_changed_at = None
    user.save()
    audit_record(actor=actor, action="create", obj=user, detail={"person": person_id})
    return user


@transaction.atomic
def user_update(*, actor, user: User, full_name: str, person_id: int | None) -> User:
    full_name = full_name.strip()
    if not full_name:
        raise ValidationError({"full_name": "请填写姓名"})
    person = _person_for(user, person_id)
    _guard_person_link(actor, user, person_id)
    changes = {}
    if user.first_name != full_name:
        changes["full_name"] = full_name
    if user.person_id != person_id:
        changes["person"] = person_id
    user.first_name, user.person = full_name, person
    user.save(update_fields=["first_name", "person"])
    audit_record(actor=actor, action="update", obj=user, detail=changes)
    return user


def _end_sessions(user: User) -> int:
    """Delete every live session of `user`. Sessions do not index their user, so decode the
    live ones; this runs only on deactivation, a rare administrative act."""
    doomed = [
        s.pk
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(s.get_decoded().get(SESSION_KEY)) == str(user.pk)
    ]
    Session.objects.filter(pk__in=doomed).delete()
    return len(doomed)


@transaction.atomic
def user_set_active(*, actor, user: User, active: bool) -> User:
    """Enable or disable an account. Disabling ends its sessions and API tokens at once."""
    if not active and _is_self(actor, user):
        raise ValidationError("不能停用本人正在使用的账号")
    if not active:
        _guard_admin_account(actor, user)
    user.is_active = active
    fields = ["is_active"]
    if active:
        user.activated_at = timezone.now()
        fields.append("activated_at")
    user.save(update_fields=fields)
    detail = {}
    if not active:
        detail["sessions_ended"] = _end_sessions(user)
        ApiToken.objects.filter(user=user).delete()
    audit_record(
        actor=actor,
        action="activate" if active else "deactivate",
        obj=user,
        detail=detail,
    )
    return user


def user_disable_dormant(*, now=None) -> list[User]:
    """Disable every active account unused for ACCOUNT_DORMANT_DAYS (等保: no dormant
    accounts). Demo accounts are left alone: they only work in demo mode anyway."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ACCOUNT_DORMANT_DAYS)
    idle = (Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)) & (
        Q(activated_at__isnull=True) | Q(activated_at__lt=cutoff)
    )
    dormant = list(User.objects.filter(idle, is_active=True, is_demo=False).order_by("pk"))
    for user in dormant:
        # No session scan: a session lives at most 8 hours, these accounts idled for months.
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(is_active=False)
            user.is_active = False
            ApiToken.objects.filter(user=user).delete()
            audit_record(
                action="deactivate", obj=user, username="system", detail={"reason": "dormant"}
            )
    return dormant


# --- two-factor (TOTP) -----------------------------------------------------------------


def has_confirmed_device(user: User) -> bool:
    return any(devices_for_user(user, confirmed=True))


def otp_device_pending(*, user: User) -> TOTPDevice:
    """The device being set up: reused across page loads until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="手机令牌", confirmed=False)


def _check_token(*, actor, device, token: str, action: str) -> None:
    allowed, _ = device.verify_is_allowed()
    if allowed and device.verify_token(token):
        return
    # Recorded outside any transaction: the failure must stay in the log.
    audit_record(actor=actor, action=action, obj=device, outcome=AuditEntry.Outcome.FAILURE)
    if not allowed:
        raise ValidationError({"token": "验证失败次数过多，请稍等片刻再试"})
    raise ValidationError({"token": "动态口令不正确或已过期，请核对手机时间后重新输入"})


def otp_device_confirm(*, actor, device: TOTPDevice, token: str) -> TOTPDevice:
    """Confirm a new device with a code from it; it replaces any earlier device."""
    _check_token(actor=actor, device=device, token=token, action="otp_setup")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(actor=actor, action="otp_setup", obj=device)
    return device


def otp_verify(*, actor, token: str) -> TOTPDevice:
    """Check a code from the user's device (setup keeps one); returns the device."""
    device = TOTPDevice.objects.filter(user=actor, confirmed=True).order_by("-pk").first()
    if device is None:
        raise ValidationError({"token": "尚未绑定动态口令"})
    _check_token(actor=actor, device=device, token=token, action="otp_failed")
    return device


@transaction.atomic
def user_otp_reset(*, actor, user: User) -> None:
    """Remove a user's two-factor devices (lost phone); they bind a new one at next login."""
    _guard_admin_account(actor, user)
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    audit_record(actor=actor, action="otp_reset", obj=user)


# --- roles (三员分立) -------------------------------------------------------------------


@transaction.atomic
def grant_role(*, actor, user: User, role: str, unit: Unit | None = None) -> RoleGrant:
    """Grant `role` to `user`. Supervisors need a unit (their subtree); other roles take
    none. The three admin roles exclude each other and every business role, granted or
    derived from a roster (an account linked to a Person)."""
    if role not in Role.values:
        raise ValidationError({"role": "角色不正确"})
    if _is_self(actor, user):
        raise ValidationError("不能修改本人账号的角色")
    if role == Role.SUPERVISOR and unit is None:
        raise ValidationError({"unit_code": "授予督导角色须指定督导范围（单位编码）"})
    if role != Role.SUPERVISOR and unit is not None:
        raise ValidationError({"unit_code": "只有督导角色需要指定单位"})
    user = User.objects.select_for_update().get(pk=user.pk)  # serialise grants per account
    held = set(user.grants.values_list("role", flat=True))
    if RoleGrant.objects.filter(user=user, role=role, unit=unit).exists():
        raise ValidationError({"role": "该账号已持有此角色"})
    if role in ADMIN_ROLES and held:
        raise ValidationError({"role": "三员分立：管理员角色不能与其他任何角色由同一账号持有"})
    if role in ADMIN_ROLES and user.person_id:
        raise ValidationError(
            {
                "role": "三员分立：已关联人员的账号可按名册取得业务权限，"
                "不能授予管理员角色，请另建专用管理员账号"
            }
        )
    if role not in ADMIN_ROLES and held & ADMIN_ROLES:
        raise ValidationError({"role": "三员分立：管理员账号不能授予业务角色"})
    grant = RoleGrant.objects.create(user=user, role=role, unit=unit)
    audit_record(
        actor=actor,
        action="role_change",
        obj=user,
        detail={"op": "grant", "role": role, "unit": unit.code if unit else None},
    )
    return grant


@transaction.atomic
def revoke_role(*, actor, grant: RoleGrant) -> None:
    user = grant.user
    if _is_self(actor, user):
        raise ValidationError("不能修改本人账号的角色")
    grant.delete()
    audit_record(
        actor=actor,
        action="role_change",
        obj=user,
        detail={
            "op": "revoke",
            "role": grant.role,
            "unit": grant.unit.code if grant.unit else None,
        },
    )


# --- lockouts --------------------------------------------------------------------------


@transaction.atomic
def lockout_release(*, actor, attempt: AccessAttempt) -> int:
    """Unlock a username + IP pair locked by django-axes; returns the records removed."""
    account = User.objects.filter(username__iexact=attempt.username).first()
    _guard_admin_account(actor, account)
    removed = axes_reset(ip=attempt.ip_address, username=attempt.username)
    audit_record(
        actor=actor,
        action="unlock",
        object_type="accounts.User",
        object_id=account.pk if account else "",
        detail={"username": attempt.username, "ip": attempt.ip_address},
    )
    return removed
