"""Who is calling: a bearer token from POST /api/auth/token, or the browser session.

Both end in a user object (request.auth, also set as request.user). Session callers get
the checks the UI's middleware gives pages (absolute lifetime, CSRF on unsafe methods),
since that middleware leaves /api/ alone.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils import timezone
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from zhongxinzu.accounts.middleware import SessionPolicyMiddleware
from zhongxinzu.api.services import account_problem, token_lookup

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
# The pages' session policy; it leaves /api/ alone, so SessionAuth asks it directly.
_page_policy = SessionPolicyMiddleware(get_response=None)


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>`; the token is looked up by its SHA-256."""

    def authenticate(self, request, token: str):
        found = token_lookup(token)
        if found is None:
            return None
        if found.expires_at <= timezone.now():
            raise AuthenticationError(message="访问令牌已过期，请重新获取")
        user = found.user
        if problem := account_problem(user, issued_at=found.created_at):
            raise AuthenticationError(message=problem)
        request.user = user
        request.api_token = found
        return user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session, with Django's CSRF check on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        # CSRF is checked below, once we know there is a session: an anonymous request
        # must get 401, not a CSRF failure.
        super().__init__(csrf=False)

    def authenticate(self, request, key):
        user = request.user
        if not user.is_authenticated:
            return None
        started = request.session.get("login_at")
        if started is None:
            request.session["login_at"] = time.time()
        elif time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
            logout(request)
            raise AuthenticationError(message="登录已超时，请重新登录")
        if problem := account_problem(user):
            raise AuthenticationError(message=problem)
        if _page_policy.required_step(request):
            # A session still owing its TOTP code (or a password change) gets no data.
            raise AuthenticationError(message="请先在网页完成登录（动态口令验证或修改密码）")
        if request.method not in SAFE_METHODS and check_csrf(request):
            raise HttpError(403, "CSRF校验失败，请刷新页面后重试")
        return user


bearer_auth = BearerAuth()
session_auth = SessionAuth()
