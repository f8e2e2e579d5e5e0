"""/api/auth: exchange a username and password for a bearer token, revoke it, who am I."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from ninja import Router, Status
from ninja.errors import HttpError

from zhongxinzu.accounts import services as accounts
from zhongxinzu.accounts.models import ADMIN_ROLES
from zhongxinzu.api import services
from zhongxinzu.api.common import ERRORS, person_name
from zhongxinzu.api.errors import FieldError, FieldUnauthorized
from zhongxinzu.api.schemas import ErrorOut, MeOut, TokenIn, TokenOut
from zhongxinzu.org import access

router = Router(tags=["认证"])

LOCKED = "登录失败次数过多，账号已被锁定，请稍后再试或联系安全管理员解锁"


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="用用户名和密码换取访问令牌",
)
def token_obtain(request, payload: TokenIn):
    """The token goes in `Authorization: Bearer <token>` and expires after
    `API_TOKEN_HOURS`. Failed attempts count towards the same lockout as the login page."""
    # Through authenticate(), so django-axes counts failures and refuses locked accounts.
    user = authenticate(request=request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        request.axes_locked_out = False  # answer in JSON here, not with axes' HTML page
        services.token_refused(username=payload.username, reason="locked_out")
        raise HttpError(429, LOCKED)
    if user is None:
        services.token_refused(username=payload.username, reason="bad_credentials")
        raise HttpError(400, "用户名或密码错误")
    if problem := services.account_problem(user):
        services.token_refused(username=payload.username, reason=problem)
        raise HttpError(401, problem)
    # An admin-role account gets no token before it has bound its TOTP device: the login
    # page would make it bind one first, so a password alone must not be enough here.
    bound = accounts.has_confirmed_device(user)
    if not bound and user.grants.filter(role__in=ADMIN_ROLES).exists():
        services.token_refused(username=payload.username, reason="otp_unbound")
        raise HttpError(401, "管理员账号须先在网页登录并绑定动态口令，方可申请访问令牌")
    # Whoever must pass TOTP on the login page (the admin roles, anyone who bound a device)
    # passes it here too.
    if bound:
        if not payload.otp_token:
            services.token_refused(username=payload.username, reason="otp_missing")
            raise FieldUnauthorized("otp_token", "该账号已绑定动态口令，请同时提交 otp_token")
        try:
            accounts.otp_verify(actor=user, token=payload.otp_token)
        except ValidationError as e:
            services.token_refused(username=payload.username, reason="otp_failed")
            raise FieldError("otp_token", "；".join(e.messages)) from e
    # A token issue is a login: audit it, stamp last_login, reset the failure count.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    raw, token = services.token_issue(user=user)
    return {"token": raw, "expires_at": token.expires_at}


@router.delete("/token", response={204: None, **ERRORS}, summary="注销当前访问令牌")
def token_revoke(request):
    token = getattr(request, "api_token", None)
    if token is None:
        raise HttpError(400, "当前请求未使用访问令牌")
    services.token_revoke(user=request.auth, token=token)
    return Status(204, None)


@router.get("/me", response={200: MeOut, **ERRORS}, summary="当前用户及其角色")
def me(request):
    user = request.auth
    p = access.principal_of(user)
    return {
        "username": user.get_username(),
        "name": person_name(user),
        "roles": sorted(p.roles),
        "roles_label": p.roles_label,
    }
