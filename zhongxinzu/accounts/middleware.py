import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.org.access import principal_of

OPEN_PREFIXES = ("/static/", "/api/", "/healthz")


class SessionPolicyMiddleware:
    """Absolute session lifetime, forced password change, and TOTP for the admin roles.
    (The idle timeout is the session cookie age, renewed on every request.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(OPEN_PREFIXES):
            started = request.session.get("login_at")
            if started is None:
                request.session["login_at"] = time.time()
            elif time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(f"{reverse('accounts:login')}?expired=1")
            target = self.required_step(request)
            if target and request.path != target and request.path != reverse("accounts:logout"):
                return redirect(target)
        return self.get_response(request)

    def required_step(self, request) -> str | None:
        user = request.user
        if principal_of(user).admin_role and not user.is_verified():
            from django_otp import devices_for_user

            if any(devices_for_user(user, confirmed=True)):
                return reverse("accounts:otp_verify")
            return reverse("accounts:otp_setup")
        changed = user.password_changed_at
        max_age = timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)
        if changed is None or changed < timezone.now() - max_age:
            return reverse("accounts:password_change")
        return None
