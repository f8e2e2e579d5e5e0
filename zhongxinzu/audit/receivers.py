"""Authentication events come from Django and django-axes as signals; these receivers only
translate them into audit records.

django-axes handles `user_login_failed` before these receivers (axes is installed first),
so by the time they run the request says whether this attempt was refused because the pair
was already locked (no password checked) or is a real failure, possibly the one that just
reached the limit. A refused attempt is recorded once, as "login_blocked"; the failure
that reaches the limit is recorded as "login_failed" plus one "lockout"."""

from axes.helpers import get_failure_limit
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.audit.services import audit_record


def _account(username: str):
    """The account a failed attempt was aimed at, if it exists (for user, roles and unit)."""
    if not username:
        return None
    return get_user_model().objects.filter(username=username).first()


def _blocked(request) -> bool:
    """True when axes refused the attempt because the pair was locked before it. Axes either
    counts nothing then (failures None) or, with AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT,
    counts past the limit; a fresh lockout is exactly at the limit."""
    if request is None or not getattr(request, "axes_locked_out", False):
        return False
    failures = getattr(request, "axes_failures_since_start", None)
    limit = get_failure_limit(request, getattr(request, "axes_credentials", None))
    return failures is None or failures > limit


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(actor=user, action="login")


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action="logout")


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    if _blocked(request):
        return  # recorded once as "login_blocked" by _locked_out below
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        actor=_account(username),
        action="login_failed",
        username=username,
        outcome=AuditEntry.Outcome.FAILURE,
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    username = str(username or "")[:150]
    audit_record(
        actor=_account(username),
        action="login_blocked" if _blocked(request) else "lockout",
        username=username,
        outcome=AuditEntry.Outcome.DENIED,
        detail={"ip": ip_address},
    )
