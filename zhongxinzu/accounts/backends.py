from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.utils import timezone


def last_activity(user):
    """The latest of last login, creation and reactivation: what dormancy is measured from."""
    return max(t for t in (user.last_login, user.date_joined, user.activated_at) if t is not None)


def is_dormant(user) -> bool:
    # Demo accounts only work in demo mode; a demo left running for months must not lock itself.
    if user.is_demo:
        return False
    return last_activity(user) < timezone.now() - timedelta(days=settings.ACCOUNT_DORMANT_DAYS)


class PolicyModelBackend(ModelBackend):
    """ModelBackend that also refuses demo accounts outside demo mode and dormant accounts."""

    def user_can_authenticate(self, user):
        if not super().user_can_authenticate(user):
            return False
        if user.is_demo and not settings.DEMO_MODE:
            return False
        return not is_dormant(user)
