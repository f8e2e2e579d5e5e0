"""Authentication events come from Django and django-axes as signals; these receivers only
translate them into audit records."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.audit.services import audit_record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(actor=user, action="login")


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action="logout")


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    audit_record(
        action="login_failed",
        username=str(credentials.get("username", ""))[:150],
        outcome=AuditEntry.Outcome.FAILURE,
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    audit_record(
        action="lockout",
        username=str(username or "")[:150],
        outcome=AuditEntry.Outcome.DENIED,
        detail={"ip": ip_address},
    )
