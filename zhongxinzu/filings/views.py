"""材料报送: the supervisors' tasks and who has filed (on time / late / missing / returned),
and each group's page of what it owes, with one-click submit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongxinzu.filings import access as filing_access
from zhongxinzu.filings import exports, selectors, services
from zhongxinzu.filings.forms import ReturnForm, TaskForm
from zhongxinzu.filings.models import FilingTask, Submission, SubmissionDocument
from zhongxinzu.lib.downloads import stored_file_response
from zhongxinzu.lib.views import (
    apply_errors,
    fail,
    paginate,
    posted_version,
    querystring_without_page,
    role_required,
    year_param,
)
from zhongxinzu.lib.xlsx import xlsx_response
from zhongxinzu.org import access

users = role_required(filing_access.may_use)
supervisors = role_required(lambda p: p.is_supervisor)


@require_GET
@users
def my_filings(request):
    """The nav link and the reminders' link: a supervisor's task list, else the group's page."""
    p = access.principal_of(request.user)
    if p.is_supervisor:
        return redirect("filings:task_list")
    return redirect("filings:group_filings", pk=p.staff_group_ids()[0])


@require_GET
@users
def task_list(request):
    p = access.principal_of(request.user)
    year = year_param(request, timezone.localdate().year)
    today = timezone.localdate()
    visible = filing_access.submissions_visible(request.user)
    tasks = (
        filing_access.tasks_visible(request.user)
        .filter(year=year)
        .select_related("owner_unit")
        .annotate(
            **{
                s: Count("submissions", filter=q & _in(visible, "submissions__"))
                for s, q in _prefixed(today).items()
            },
            total=Count("submissions", filter=_in(visible, "submissions__")),
        )
        .order_by("kind", "-id")
    )
    return render(
        request,
        "filings/task_list.html",
        {
            "tasks": tasks,
            "year": year,
            "years": range(today.year + 1, today.year - 4, -1),
            "can_create": p.is_supervisor,
            "groups": p.staff_group_ids(),
            "labels": selectors.STATE_LABELS,
        },
    )


def _prefixed(today):
    """state_q with every lookup through `submissions__` (for annotating tasks)."""
    from django.db.models import F, Q

    sent = Q(submissions__status__in=selectors.SENT)
    not_sent = Q(submissions__status=Submission.Status.NOT_SUBMITTED)
    return {
        selectors.ON_TIME: sent & Q(submissions__submitted_on__lte=F("submissions__due_on")),
        selectors.LATE: sent & Q(submissions__submitted_on__gt=F("submissions__due_on")),
        selectors.RETURNED: Q(submissions__status=Submission.Status.RETURNED),
        selectors.MISSING: not_sent & Q(submissions__due_on__lt=today),
        selectors.PENDING: not_sent & Q(submissions__due_on__gte=today),
    }


def _in(visible, prefix):
    from django.db.models import Q

    return Q(**{f"{prefix}pk__in": visible.values("pk")})


@require_http_methods(["GET", "POST"])
@supervisors
def task_create(request):
    units = access.principal_of(request.user).supervised
    form = TaskForm(request.POST or None, units=units)
    if form.is_valid():
        try:
            task = services.task_create(actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "报送任务已布置，下级中心组可在“材料报送”中一键报送")
            return redirect("filings:task_detail", pk=task.pk)
    return render(request, "filings/task_form.html", {"form": form})


def _task_rows(request, task):
    today = timezone.localdate()
    rows = selectors.with_state(
        filing_access.submissions_visible(request.user).filter(task=task), today
    )
    q = (request.GET.get("q") or "").strip()[:50]
    if q:
        rows = rows.filter(group__name__contains=q)
    counts = selectors.state_counts(rows, today)
    state = request.GET.get("state", "")
    if state in selectors.STATES:
        rows = rows.filter(state=state)
    rows = rows.select_related("group__unit", "session", "submitted_by").order_by(
        "due_on", "group__unit__path", "pk"
    )
    return rows, counts, state, q


@require_GET
@users
def task_detail(request, pk):
    task = filing_access.get_task_for(request.user, pk)
    rows, counts, state, q = _task_rows(request, task)
    return render(
        request,
        "filings/task_detail.html",
        {
            "task": task,
            "page_obj": paginate(request, rows),
            "counts": counts,
            "state": state,
            "q": q,
            "states": [(s, selectors.STATE_LABELS[s]) for s in selectors.STATES],
            "labels": selectors.STATE_LABELS,
            "colours": selectors.STATE_COLOURS,
            "can_manage": filing_access.can_manage_task(request.user, task),
            "querystring_base": querystring_without_page(request),
        },
    )


@require_GET
@users
def task_export(request, pk):
    task = filing_access.get_task_for(request.user, pk)
    rows, counts, state, q = _task_rows(request, task)
    data = exports.task_xlsx(task=task, rows=rows, counts=counts)
    return xlsx_response(
        request,
        f"{task.title}报送情况.xlsx",
        data,
        action="export",
        obj=task,
        detail={"state": state, "q": q, "rows": counts["total"]},
    )


@require_POST
@supervisors
def task_remind(request, pk):
    task = filing_access.get_task_for(request.user, pk, write=True)
    try:
        n = services.task_remind(actor=request.user, task=task)
    except ValidationError as e:
        fail(request, e)
    else:
        messages.success(
            request, f"已向未报送单位发送站内提醒{n}条" if n else "今天已提醒过，未重复发送"
        )
    return redirect("filings:task_detail", pk=task.pk)


@require_GET
@users
def submission_detail(request, pk):
    sub = filing_access.get_submission_for(request.user, pk)
    versions = sub.versions.select_related("submitted_by").prefetch_related("documents")
    return render(
        request,
        "filings/submission_detail.html",
        {
            "sub": sub,
            "versions": list(versions.order_by("-revision")),
            "abilities": filing_access.submission_abilities(request.user, sub),
            "state": _state_of(sub),
            "labels": selectors.STATE_LABELS,
            "return_form": ReturnForm(initial={"version": sub.version}),
        },
    )


def _state_of(sub: Submission) -> str:
    qs = selectors.with_state(Submission.objects.filter(pk=sub.pk), timezone.localdate())
    return qs.values_list("state", flat=True)[0]


def _back(request, sub):
    target = request.POST.get("next", "")
    if target == "group":
        return redirect(
            f"{reverse('filings:group_filings', args=[sub.group_id])}?task={sub.task_id}"
        )
    return redirect("filings:submission_detail", pk=sub.pk)


@require_POST
@users
def submission_submit(request, pk):
    sub = filing_access.get_submission_for(request.user, pk, action="submit")
    try:
        services.submission_submit(
            actor=request.user, submission=sub, expected_version=posted_version(request)
        )
    except ValidationError as e:
        fail(request, e)
    else:
        messages.success(request, "已报送，材料由系统根据记录生成")
    return _back(request, sub)


@require_POST
@supervisors
def submission_return(request, pk):
    sub = filing_access.get_submission_for(request.user, pk, action="review")
    form = ReturnForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({k: v[0] for k, v in form.errors.items()})
        services.submission_return(
            actor=request.user,
            submission=sub,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as e:
        fail(request, e)
    else:
        messages.success(request, "已退回，并通知该中心组修改后重新报送")
    return redirect("filings:submission_detail", pk=sub.pk)


@require_POST
@supervisors
def submission_accept(request, pk):
    sub = filing_access.get_submission_for(request.user, pk, action="review")
    try:
        services.submission_accept(
            actor=request.user, submission=sub, expected_version=posted_version(request)
        )
    except ValidationError as e:
        fail(request, e)
    else:
        messages.success(request, "已接收")
    return redirect("filings:submission_detail", pk=sub.pk)


@require_GET
@users
def document(request, pk):
    doc = access.get_in(
        SubmissionDocument.objects.filter(
            version__submission__in=filing_access.submissions_visible(request.user)
        ),
        pk,
    )
    return stored_file_response(request, doc.file, doc.name, obj=doc)


@require_GET
@users
def group_filings(request, pk):
    group = access.get_group_for(request.user, pk)
    if not (
        group.pk in access.principal_of(request.user).staff_group_ids()
        or access.supervises(request.user, group.unit)
    ):
        raise PermissionDenied("只有本中心组的学习秘书、组长和上级督导可以查看报送情况")
    today = timezone.localdate()
    rows = selectors.with_state(
        Submission.objects.filter(group=group, task__is_active=True), today
    ).select_related("task__owner_unit", "session")
    task = request.GET.get("task", "")
    if task.isdigit():
        rows = rows.filter(task_id=int(task))
    page = paginate(request, rows.order_by("-task__year", "task_id", "due_on", "pk"))
    can_submit = access.can_record_for_group(request.user, group.pk)
    return render(
        request,
        "filings/group_filings.html",
        {
            "group": group,
            "page_obj": page,
            "querystring_base": querystring_without_page(request),
            "can_submit": can_submit,
            "labels": selectors.STATE_LABELS,
            "colours": selectors.STATE_COLOURS,
            "kinds": FilingTask.Kind,
            "task": task,
        },
    )
