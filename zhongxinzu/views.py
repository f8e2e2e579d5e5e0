from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from zhongxinzu.accounts.models import Role
from zhongxinzu.org.access import principal_of


@require_GET
@login_required
def home(request):
    p = principal_of(request.user)
    if p.admin_role == Role.SYS_ADMIN:
        return redirect("accounts:user_list")
    if p.admin_role == Role.SEC_ADMIN:
        return redirect("accounts:grant_list")
    if p.admin_role == Role.AUDIT_ADMIN:
        return redirect("audit:entry_list")
    if p.supervised:
        return redirect("org:unit_detail", pk=p.supervised[0].pk)
    if p.group_roles:
        return redirect("org:group_detail", pk=next(iter(p.group_roles)))
    return render(request, "home.html", {"principal": p})


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
