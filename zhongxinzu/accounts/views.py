import base64
import io
import time
from base64 import b32encode
from urllib.parse import urlencode

import django_otp
import segno
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongxinzu.accounts import services
from zhongxinzu.accounts.forms import (
    GrantForm,
    LoginForm,
    NewPasswordForm,
    OtpForm,
    PasswordChangeForm,
    PersonLinkForm,
    UserCreateForm,
    UserEditForm,
)
from zhongxinzu.accounts.middleware import OTP_REQUIRED_KEY
from zhongxinzu.accounts.models import Role, RoleGrant, User
from zhongxinzu.lib.views import (
    apply_errors,
    fail,
    paginate,
    querystring_without_page,
    role_required,
)
from zhongxinzu.org.access import principal_of

sys_admins = role_required(lambda p: p.admin_role == Role.SYS_ADMIN)
sec_admins = role_required(lambda p: p.admin_role == Role.SEC_ADMIN)


def _next_url(request, default: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default)


def _qr_data_uri(text: str) -> str:
    """The QR code as an SVG data URI: drawn on the server, allowed by the CSP (img data:)."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="svg", scale=5, border=2, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _grouped(secret: str) -> str:
    """Groups of four, so the key wraps on a phone and is easier to type."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- sign in and out -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("password")
@never_cache
def login_view(request):
    if request.method == "GET" and request.user.is_authenticated:
        return redirect(_next_url(request))
    form = LoginForm(request.POST or None)
    if form.is_valid():
        # authenticate(request=...) lets django-axes count failures and refuse locked pairs;
        # a lockout replaces this response with accounts/locked_out.html (AxesMiddleware).
        user = authenticate(request=request, **form.cleaned_data)
        if user is None:
            form.add_error(
                None,
                f"用户名或密码错误（连续失败{settings.AXES_FAILURE_LIMIT}次"
                "将被临时锁定）。长期未使用的账号会被停用，请联系系统管理员。",
            )
        else:
            login(request, user)  # new session key
            request.session["login_at"] = request.session["renewed_at"] = time.time()
            if services.has_confirmed_device(user):
                request.session[OTP_REQUIRED_KEY] = True
            return redirect(_next_url(request))
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "expired": request.GET.get("expired") == "1",
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
    )


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "您已安全退出")
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
@login_required
def password_change(request):
    form = PasswordChangeForm(request.POST or None, user=request.user)
    if form.is_valid():
        try:
            services.user_set_password(
                actor=request.user, user=request.user, raw_password=form.cleaned_data["password"]
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            update_session_auth_hash(request, request.user)  # keep this session only
            messages.success(request, "密码已修改，其他设备上的登录已失效")
            return redirect(_next_url(request))
    changed = request.user.password_changed_at
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "next": request.GET.get("next", ""),
            "first_time": changed is None,
            "max_age": settings.PASSWORD_MAX_AGE_DAYS,
            "has_device": services.has_confirmed_device(request.user),
        },
    )


# --- two-factor (TOTP) -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def otp_setup(request):
    user = request.user
    if services.has_confirmed_device(user) and not user.is_verified():
        return redirect("accounts:otp_verify")
    device = services.otp_device_pending(user=user)
    form = OtpForm(request.POST or None)
    if form.is_valid():
        try:
            services.otp_device_confirm(actor=user, device=device, token=form.cleaned_data["token"])
        except ValidationError as e:
            apply_errors(form, e)
        else:
            django_otp.login(request, device)
            messages.success(request, "动态口令已绑定，今后登录时需输入手机上显示的口令")
            return redirect(_next_url(request))
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr": _qr_data_uri(device.config_url),
            "next": request.GET.get("next", ""),
            "secret": _grouped(b32encode(device.bin_key).decode()),
            "required": principal_of(user).admin_role,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def otp_verify(request):
    if request.user.is_verified() or not services.has_confirmed_device(request.user):
        return redirect(_next_url(request))
    form = OtpForm(request.POST or None)
    if form.is_valid():
        try:
            device = services.otp_verify(actor=request.user, token=form.cleaned_data["token"])
        except ValidationError as e:
            apply_errors(form, e)
        else:
            django_otp.login(request, device)
            request.session.pop(OTP_REQUIRED_KEY, None)
            return redirect(_next_url(request))
    return render(
        request, "accounts/otp_verify.html", {"form": form, "next": request.GET.get("next", "")}
    )


# --- system admin: accounts ------------------------------------------------------------


@require_GET
@sys_admins
def user_list(request):
    qs = User.objects.select_related("person").order_by("username")
    if q := request.GET.get("q", "").strip():
        qs = qs.filter(Q(username__icontains=q) | Q(first_name__contains=q))
    if request.GET.get("active") == "0":
        qs = qs.filter(is_active=False)
    elif request.GET.get("active") != "all":
        qs = qs.filter(is_active=True)
    return render(
        request,
        "accounts/user_list.html",
        {
            "page_obj": paginate(request, qs),
            "querystring_base": querystring_without_page(request),
        },
    )


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
@sys_admins
def user_create(request):
    form = UserCreateForm(request.POST or None)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "password2"}
        data["raw_password"] = data.pop("password")
        try:
            user = services.user_create(actor=request.user, **data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(
                request,
                f"已创建账号“{user.username}”，首次登录须修改初始密码。角色由安全管理员授予。",
            )
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@sys_admins
def user_edit(request, pk):
    account = get_object_or_404(User.objects.select_related("person"), pk=pk)
    initial = {"full_name": account.first_name, "person_id": account.person_id}
    form = UserEditForm(request.POST or None, initial=initial)
    if form.is_valid():
        try:
            services.user_update(actor=request.user, user=account, **form.cleaned_data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "账号信息已保存")
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "account": account})


@require_POST
@sys_admins
def user_set_active(request, pk):
    account = get_object_or_404(User, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(actor=request.user, user=account, active=active)
    except ValidationError as e:
        fail(request, e)
    else:
        messages.success(request, f"已{'启用' if active else '停用'}账号“{account.username}”")
    return redirect("accounts:user_edit", pk=account.pk)


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
@sys_admins
def user_reset_password(request, pk):
    account = get_object_or_404(User, pk=pk)
    form = NewPasswordForm(request.POST or None)
    if form.is_valid():
        try:
            services.user_set_password(
                actor=request.user, user=account, raw_password=form.cleaned_data["password"]
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(
                request, f"已重置“{account.username}”的密码，其登录已全部失效，下次登录须修改密码"
            )
            return redirect("accounts:user_edit", pk=account.pk)
    return render(request, "accounts/user_reset_password.html", {"form": form, "account": account})


@require_POST
@sys_admins
def user_otp_reset(request, pk):
    account = get_object_or_404(User, pk=pk)
    services.user_otp_reset(actor=request.user, user=account)
    messages.success(request, f"已清除“{account.username}”的动态口令，下次登录时重新绑定")
    return redirect("accounts:user_edit", pk=account.pk)


# --- security admin: roles and lockouts ------------------------------------------------


def _grant_list_for(username: str) -> str:
    return f"{resolve_url('accounts:grant_list')}?{urlencode({'q': username})}"


@require_GET
@sec_admins
def grant_list(request):
    grants = RoleGrant.objects.select_related("unit").order_by("role", "unit__path")
    qs = User.objects.prefetch_related(Prefetch("grants", queryset=grants)).order_by("username")
    if q := request.GET.get("q", "").strip():
        qs = qs.filter(Q(username__icontains=q) | Q(first_name__contains=q))
    if role := request.GET.get("role"):
        qs = (
            qs.filter(grants__role=role).distinct()
            if role != "none"
            else qs.filter(grants__isnull=True)
        )
    page_obj = paginate(request, qs)
    _attach_roster_roles(page_obj)
    return render(
        request,
        "accounts/grant_list.html",
        {
            "page_obj": page_obj,
            "querystring_base": querystring_without_page(request),
            "roles": Role.choices,
        },
    )


def _attach_roster_roles(accounts) -> None:
    """Each account's effective roster roles, which come from its person link: the grant
    list shows every effective role, not only the granted ones (§5a)."""
    from zhongxinzu.org.access import active_memberships

    people = {u.person_id: u for u in accounts if u.person_id}
    for u in accounts:
        u.roster_roles = []
    memberships = (
        active_memberships(on=timezone.localdate())
        .filter(person_id__in=list(people), group__is_active=True)
        .select_related("group")
        .order_by("group__name")
    )
    for m in memberships:
        people[m.person_id].roster_roles.append(f"{m.group.name}·{m.get_role_display()}")


@require_http_methods(["GET", "POST"])
@sec_admins
def person_link(request, pk):
    """Link an account to a person of the rosters (or unlink it): the person's group roles
    become the account's, so this is the security admin's act, like a grant."""
    account = get_object_or_404(User.objects.select_related("person__unit"), pk=pk)
    form = PersonLinkForm(request.POST or None, initial={"person_id": account.person_id})
    if form.is_valid():
        try:
            services.user_update(
                actor=request.user,
                user=account,
                full_name=account.first_name,
                person_id=form.cleaned_data["person_id"],
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, f"已更新账号“{account.username}”的关联人员")
            return redirect("accounts:grant_list")
    return render(request, "accounts/person_link.html", {"form": form, "account": account})


@require_http_methods(["GET", "POST"])
@sec_admins
def grant_create(request):
    form = GrantForm(request.POST or None, initial={"username": request.GET.get("username", "")})
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.grant_role(
                actor=request.user, user=data["user"], role=data["role"], unit=data["unit"]
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, f"已为“{data['username']}”授予{Role(data['role']).label}角色")
            return redirect(_grant_list_for(data["username"]))
    return render(request, "accounts/grant_form.html", {"form": form})


@require_POST
@sec_admins
def grant_revoke(request, pk):
    grant = get_object_or_404(RoleGrant.objects.select_related("user", "unit"), pk=pk)
    try:
        services.revoke_role(actor=request.user, grant=grant)
    except ValidationError as e:
        fail(request, e)
    else:
        messages.success(request, f"已撤销“{grant.user.username}”的{grant.get_role_display()}角色")
    return redirect(_grant_list_for(grant.user.username))


def _current_lockouts():
    since = timezone.now() - get_cool_off()
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    )


@require_GET
@sec_admins
def lockout_list(request):
    qs = _current_lockouts().order_by("-attempt_time")
    if q := request.GET.get("q", "").strip():
        qs = qs.filter(username__icontains=q)
    page = paginate(request, qs)
    return render(
        request,
        "accounts/lockout_list.html",
        {
            "page_obj": page,
            "querystring_base": querystring_without_page(request),
            "rows": [(a, a.attempt_time + get_cool_off()) for a in page],
        },
    )


@require_POST
@sec_admins
def lockout_unlock(request, pk):
    attempt = get_object_or_404(AccessAttempt, pk=pk)
    services.lockout_release(actor=request.user, attempt=attempt)
    messages.success(request, f"已解除“{attempt.username}”（{attempt.ip_address}）的锁定")
    return redirect("accounts:lockout_list")
