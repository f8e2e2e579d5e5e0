import time
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.org.access import principal_of

OPEN_PREFIXES = ("/static/", "/api/", "/healthz")
# Set at login for a user with a confirmed TOTP device: they must pass the code step too.
OTP_REQUIRED_KEY = "otp_required"
# The idle timeout is renewed by saving the session, at most once per this many seconds:
# a write on every page view would queue every reader behind any long write (SQLite).
SESSION_RENEW_SECONDS = 60


class SessionPolicyMiddleware:
    """Absolute session lifetime, forced password change, and TOTP for the admin roles (and
    for anyone who bound a device). The idle timeout is the session cookie age, renewed by
    a session save at most once a minute."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(OPEN_PREFIXES):
            now = time.time()
            started = request.session.get("login_at")
            if started is None:
                request.session["login_at"] = now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(f"{reverse('accounts:login')}?expired=1")
            if now - request.session.get("renewed_at", 0) > SESSION_RENEW_SECONDS:
                request.session["renewed_at"] = now
            target = self.required_step(request)
            if target and request.path != target and request.path != reverse("accounts:logout"):
                if request.method == "GET" and request.path != reverse("home"):
                    target += "?" + urlencode({"next": request.get_full_path()})
                return redirect(target)
        return self.get_response(request)

    def required_step(self, request) -> str | None:
        user = request.user
        admin = principal_of(user).admin_role
        if (admin or request.session.get(OTP_REQUIRED_KEY)) and not user.is_verified():
            from django_otp import devices_for_user

            if any(devices_for_user(user, confirmed=True)):
                return reverse("accounts:otp_verify")
            if admin:
                return reverse("accounts:otp_setup")
        changed = user.password_changed_at
        max_age = timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)
        if changed is None or changed < timezone.now() - max_age:
            return reverse("accounts:password_change")
        return None
