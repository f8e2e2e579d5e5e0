"""Rate limits on login, API tokens, the API, downloads/exports and uploads (django-ratelimit).

One middleware classifies each request and counts it per client address (the trusted-proxy
address of `audit.middleware.resolve_client_ip`) and per account (the username typed at
login or token time, else the signed-in user or the bearer token). Over a limit the caller
gets 429 with a Chinese message: the product's page, or the API's JSON error body.

Downloads are counted where every file leaves the platform (lib.downloads), so every
export and attachment is covered without a list of URLs.

Above django-axes' lockout of a username+address pair (AXES_LOCKOUT_PARAMETERS) sits a
username-only stage: `RATELIMIT_LOGIN_FAILURES` failed logins for one username from any
addresses lock that username for the rest of the window (an attacker rotating addresses).

The counters live in the `ratelimit` cache (settings: a file cache, shared by all gunicorn
workers of a host without an extra server).
"""

from __future__ import annotations

import hashlib
import json
import math

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django_ratelimit.core import get_usage

from zhongxinzu.audit.middleware import resolve_client_ip

TOO_MANY = "操作过于频繁，请{wait}后再试"
LOCKED = "该账号登录失败次数过多，已暂时锁定，请{wait}后再试，或联系安全管理员"


def _wait_text(seconds: int) -> str:
    if seconds >= 60:
        return f"{math.ceil(seconds / 60)}分钟"
    return f"{max(seconds, 1)}秒"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _username(value) -> str:
    return str(value or "").strip().lower()[:150]


def _posted_username(request, kind: str) -> str:
    if kind == "login":
        return _username(request.POST.get("username"))
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return ""
    return _username(body.get("username")) if isinstance(body, dict) else ""


def _account(request, kind: str) -> str:
    if kind in {"login", "token"}:
        name = _posted_username(request, kind)
        return f"u:{name}" if name else ""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"id:{user.pk}"
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    return f"t:{_digest(auth)}" if auth else ""


def _kinds(request) -> list[str]:
    path = request.path
    kinds = []
    if request.method == "POST":
        if path == reverse("accounts:login"):
            kinds.append("login")
        elif path.rstrip("/") == "/api/auth/token":
            kinds.append("token")
        if request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
            kinds.append("upload")
    if path.startswith("/api/"):
        kinds.append("api")
    return kinds


def _usage(request, group: str, value: str, rate: str, *, increment: bool):
    return get_usage(request, group=group, key=lambda _g, _r: value, rate=rate, increment=increment)


def _keys(request, kind: str) -> list[tuple[str, str, str]]:
    """(group, key value, rate) per limit of `kind`: one per address, one per account."""
    rates = settings.RATELIMITS[kind]
    keys = []
    ip = resolve_client_ip(request) or "unknown"
    keys.append((f"{kind}:ip", ip, rates["ip"]))
    account = _account(request, kind)
    if account:
        keys.append((f"{kind}:account", account, rates["account"]))
    return keys


def _refused(request, message: str, wait: int):
    if request.path.startswith("/api/"):
        from zhongxinzu.api.errors import error_body

        response = JsonResponse(
            error_body(message), status=429, json_dumps_params={"ensure_ascii": False}
        )
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(max(wait, 1))
    return response


def _over(usage) -> bool:
    return usage is not None and usage["count"] > usage["limit"]


def _used_up(usage) -> bool:
    return usage is not None and usage["count"] >= usage["limit"]


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.RATELIMIT_ENABLE:
            return self.get_response(request)
        kinds = _kinds(request)
        for kind in kinds:
            if kind in {"login", "token"}:
                name = _posted_username(request, kind)
                usage = name and _usage(
                    request,
                    "login-failures",
                    name,
                    settings.RATELIMIT_LOGIN_FAILURES,
                    increment=False,
                )
                if usage and _used_up(usage):
                    return _refused(
                        request,
                        LOCKED.format(wait=_wait_text(usage["time_left"])),
                        usage["time_left"],
                    )
            for group, value, rate in _keys(request, kind):
                usage = _usage(request, group, value, rate, increment=True)
                if _over(usage):
                    wait = usage["time_left"]
                    return _refused(request, TOO_MANY.format(wait=_wait_text(wait)), wait)
        return self.get_response(request)


def download_refused(request):
    """Count one download (lib.downloads calls this for every file it hands out) and answer
    429 once the address or account is over its limit, else None."""
    if not settings.RATELIMIT_ENABLE:
        return None
    for group, value, rate in _keys(request, "export"):
        usage = _usage(request, group, value, rate, increment=True)
        if _over(usage):
            wait = usage["time_left"]
            return _refused(request, TOO_MANY.format(wait=_wait_text(wait)), wait)
    return None


def _count_login_failure(sender, credentials, request=None, **kwargs):
    """The username-only lockout stage: count every failed login of a username."""
    if request is None or not settings.RATELIMIT_ENABLE:
        return
    name = _username((credentials or {}).get("username"))
    if name:
        _usage(request, "login-failures", name, settings.RATELIMIT_LOGIN_FAILURES, increment=True)


user_login_failed.connect(_count_login_failure, dispatch_uid="zhongxinzu.lib.ratelimit")
