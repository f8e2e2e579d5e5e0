import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from zhongxinzu.accounts.models import Role
from zhongxinzu.audit.export import entries_xlsx
from zhongxinzu.audit.forms import AuditFilterForm
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.lib.views import paginate, querystring_without_page, role_required
from zhongxinzu.lib.xlsx import xlsx_response

audit_admins = role_required(lambda p: p.admin_role == Role.AUDIT_ADMIN)
EXPORT_MAX_ROWS = 100_000


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def entry_queryset(form: AuditFilterForm):
    """The audit log as filtered on the page; the export uses the same filters."""
    qs = AuditEntry.objects.all()
    data = form.cleaned_data if form.is_valid() else {}
    if user := (data.get("user") or "").strip():
        qs = qs.filter(username=user)
    if action := data.get("action"):
        qs = qs.filter(action=action)
    if outcome := data.get("outcome"):
        qs = qs.filter(outcome=outcome)
    if start := data.get("date_from"):
        qs = qs.filter(at__gte=_day_start(start))
    if end := data.get("date_to"):
        qs = qs.filter(at__lt=_day_start(end + dt.timedelta(days=1)))
    return qs.order_by("-at", "-id")


@require_GET
@audit_admins
def entry_list(request):
    form = AuditFilterForm(request.GET)
    page = paginate(request, entry_queryset(form))
    return render(
        request,
        "audit/entry_list.html",
        {
            "form": form,
            "page_obj": page,
            "querystring_base": querystring_without_page(request),
            "export_query": querystring_without_page(request).rstrip("&"),
        },
    )


@require_GET
@audit_admins
def entry_export(request):
    form = AuditFilterForm(request.GET)
    qs = entry_queryset(form)
    count = qs.count()
    if count > EXPORT_MAX_ROWS:
        messages.error(
            request,
            f"符合条件的记录有{count}条，超过单次导出上限{EXPORT_MAX_ROWS}条，"
            "请缩小日期范围后再导出",
        )
        return redirect(f"{reverse('audit:entry_list')}?{request.GET.urlencode()}")
    content = entries_xlsx(qs.iterator(chunk_size=2000))
    filters = {k: str(v) for k, v in (form.cleaned_data if form.is_valid() else {}).items() if v}
    # Recorded (lib.downloads) before the file is handed out: no audit entry, no file.
    return xlsx_response(
        request,
        f"审计日志-{timezone.localtime():%Y%m%d-%H%M}.xlsx",
        content,
        action="export",
        object_type="audit.AuditEntry",
        detail={"filters": filters, "rows": count},
    )
