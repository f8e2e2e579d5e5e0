from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.utils import timezone


def is_dormant(user) -> bool:
    last = user.last_login or user.date_joined
    return last < timezone.now() - timedelta(days=settings.ACCOUNT_DORMANT_DAYS)


class PolicyModelBackend(ModelBackend):
    """ModelBackend that also refuses demo accounts outside demo mode and dormant accounts."""

    def user_can_authenticate(self, user):
        if not super().user_can_authenticate(user):
            return False
        if user.is_demo and not settings.DEMO_MODE:
            return False
        return not is_dormant(user)
