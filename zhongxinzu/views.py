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
    # Supervisors land on their subtree's compliance overview, a group's secretary and
    # leaders on their group's compliance page, members on their own study record.
    if p.supervised:
        return redirect("compliance:overview")
    if p.staff_group_ids():
        return redirect("compliance:group_detail", pk=p.staff_group_ids()[0])
    if p.group_roles:
        return redirect("meetings:my_study")
    if p.is_observer:
        return redirect("supervision:my_visits")
    return render(request, "home.html", {"principal": p})


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
