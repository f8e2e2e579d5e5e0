"""Year plan pages: the group's plan and its topics, the approval steps, the supervisor's
filing overview and the .docx download."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongxinzu.documents.lists import stamp
from zhongxinzu.documents.responses import docx_response
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
from zhongxinzu.org.models import Person, StudyGroup
from zhongxinzu.plans import exports, forms, perms, selectors, services
from zhongxinzu.plans.models import PlanTopic, YearPlan
from zhongxinzu.plans.views import business, split_by_state, supervisors
from zhongxinzu.rules.services import rulebook_for, rulebooks_for

secretaries = role_required(lambda p: bool(p.secretary_group_ids()))


def _plan_for(request, pk, *, write=False) -> YearPlan:
    qs = selectors.plans_visible(request.user).select_related("group__unit", "approved_by")
    check = (lambda plan: perms.can_record_plan(request.user, plan)) if write else None
    return access.get_in(qs, pk, writable=check)


def _topic_for(request, pk) -> PlanTopic:
    qs = PlanTopic.objects.filter(plan__in=selectors.plans_visible(request.user))
    return access.get_in(
        qs.select_related("plan__group__unit"),
        pk,
        writable=lambda t: perms.can_record_plan(request.user, t.plan),
    )


@require_GET
@business
def plan_list(request):
    qs = selectors.plans_visible(request.user).select_related("group__unit")
    if year := year_param(request):
        qs = qs.filter(year=year)
    page = paginate(request, qs.order_by("-year", "group__unit__path"))
    p = access.principal_of(request.user)
    return render(
        request,
        "plans/plan_list.html",
        {
            "page_obj": page,
            "querystring_base": querystring_without_page(request),
            "can_create": bool(p.secretary_group_ids()),
            "year": year,
        },
    )


@require_http_methods(["GET", "POST"])
@secretaries
def plan_create(request):
    groups = StudyGroup.objects.filter(
        pk__in=access.principal_of(request.user).secretary_group_ids()
    ).order_by("unit__path")
    form = forms.PlanCreateForm(
        request.POST or None,
        groups=groups,
        initial={"group": groups.first(), "year": year_param(request, forms.this_year())},
    )
    if form.is_valid():
        try:
            plan = services.plan_create(actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, f"已创建{plan.year}年度学习计划")
            return redirect("plans:plan_detail", pk=plan.pk)
    return render(request, "plans/plan_create.html", {"form": form})


@require_GET
@business
def plan_detail(request, pk):
    plan = _plan_for(request, pk)
    topics = plan.topics.select_related("lead", "prompt").order_by("order", "id")
    filing = selectors.plan_filing(
        [plan.group], plan.year, {plan.group.unit_id: rulebook_for(plan.group.unit, plan.year)}
    )[0]
    is_secretary = perms.can_record_plan(request.user, plan)
    draft = plan.status == YearPlan.Status.DRAFT
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "topics": topics,
            "filing": filing,
            "can_edit": is_secretary and draft,
            "can_submit": is_secretary and draft,
            "can_decide": perms.can_lead_plan(request.user, plan)
            and plan.status == YearPlan.Status.SUBMITTED,
            "can_file": is_secretary and plan.status == YearPlan.Status.APPROVED,
            "can_reopen": is_secretary
            and plan.status in (YearPlan.Status.APPROVED, YearPlan.Status.FILED),
            "return_form": forms.ReturnForm(initial={"version": plan.version}),
            "reopen_form": forms.ReopenForm(initial={"version": plan.version}),
        },
    )


@require_http_methods(["GET", "POST"])
@secretaries
def plan_edit(request, pk):
    plan = _plan_for(request, pk, write=True)
    if plan.status != YearPlan.Status.DRAFT:
        messages.error(request, f"计划当前状态为“{plan.get_status_display()}”，不能修改")
        return redirect("plans:plan_detail", pk=plan.pk)
    initial = {"title": plan.title, "guidance": plan.guidance, "version": plan.version}
    form = forms.PlanForm(request.POST or None, initial=initial)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.plan_update(
                actor=request.user, plan=plan, expected_version=data.pop("version"), **data
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "计划已保存")
            return redirect("plans:plan_detail", pk=plan.pk)
    return render(request, "plans/plan_form.html", {"form": form, "plan": plan})


def _topic_form(request, plan: YearPlan, initial=None):
    from zhongxinzu.meetings.models import StudySession

    first, last = f"{plan.year}-01-01", f"{plan.year}-12-31"
    people = (
        Person.objects.filter(
            memberships__group_id=plan.group_id, memberships__start_date__lte=last
        )
        .exclude(memberships__end_date__lt=first)
        .distinct()
        .order_by("rank_order", "id")
    )
    return forms.TopicForm(
        request.POST or None,
        people=people,
        forms_available=StudySession.Kind.labels,
        initial=initial,
    )


@require_http_methods(["GET", "POST"])
@secretaries
def topic_create(request, pk):
    plan = _plan_for(request, pk, write=True)
    if plan.status != YearPlan.Status.DRAFT:
        messages.error(request, "只有草稿状态的计划可以添加专题")
        return redirect("plans:plan_detail", pk=plan.pk)
    form = _topic_form(request, plan)
    if form.is_valid():
        try:
            services.topic_add(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "专题已添加")
            return redirect("plans:plan_detail", pk=plan.pk)
    return render(request, "plans/topic_form.html", {"form": form, "plan": plan})


@require_http_methods(["GET", "POST"])
@secretaries
def topic_edit(request, pk):
    topic = _topic_for(request, pk)
    plan = topic.plan
    if plan.status != YearPlan.Status.DRAFT:
        messages.error(request, "只有草稿状态的计划可以修改专题")
        return redirect("plans:plan_detail", pk=plan.pk)
    fields = ("order", "title", "month", "quarter", "form", "lead", "content")
    form = _topic_form(request, plan, initial={f: getattr(topic, f) for f in fields})
    if form.is_valid():
        try:
            services.topic_update(actor=request.user, topic=topic, **form.cleaned_data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "专题已保存")
            return redirect("plans:plan_detail", pk=plan.pk)
    return render(request, "plans/topic_form.html", {"form": form, "plan": plan, "topic": topic})


@require_POST
@secretaries
def topic_delete(request, pk):
    topic = _topic_for(request, pk)
    try:
        services.topic_delete(actor=request.user, topic=topic)
    except ValidationError as e:
        fail(request, e)
    else:
        messages.success(request, f"已删除专题“{topic.title}”")
    return redirect("plans:plan_detail", pk=topic.plan_id)


def _step(request, pk, service, done: str, *, write: bool, **fields):
    """One approval step: fetch (403 unless the right role), call the service, redirect."""
    plan = _plan_for(request, pk, write=write)
    if not write and not perms.can_lead_plan(request.user, plan):
        raise PermissionDenied("只有本中心组的组长（副组长）可以审批计划")
    try:
        service(actor=request.user, plan=plan, expected_version=posted_version(request), **fields)
    except ValidationError as e:
        fail(request, e)
    else:
        messages.success(request, done)
    return redirect("plans:plan_detail", pk=plan.pk)


@require_POST
@secretaries
def plan_submit(request, pk):
    return _step(request, pk, services.plan_submit, "计划已提交组长审批", write=True)


@require_POST
@business
def plan_approve(request, pk):
    return _step(request, pk, services.plan_approve, "计划已审批通过", write=False)


@require_POST
@business
def plan_return(request, pk):
    comment = request.POST.get("comment", "")
    return _step(
        request, pk, services.plan_return, "计划已退回学习秘书修改", write=False, comment=comment
    )


@require_POST
@secretaries
def plan_file(request, pk):
    return _step(request, pk, services.plan_file, "计划已向上级报备", write=True)


@require_POST
@secretaries
def plan_reopen(request, pk):
    reason = request.POST.get("reason", "")
    return _step(
        request,
        pk,
        services.plan_reopen,
        "计划已重新打开为草稿，修改后须重新审批和报备",
        write=True,
        reason=reason,
    )


@require_GET
@business
def plan_docx(request, pk):
    plan = _plan_for(request, pk)
    data = services.plan_document(actor=request.user, plan=plan)
    return docx_response(request, f"{plan.title}.docx", data, obj=plan)


def _filing_groups(request):
    """The overview's year, its groups (the ?state= tab, in page order), the tab counts."""
    year = year_param(request, timezone.localdate().year)
    p = access.principal_of(request.user)
    groups = (
        StudyGroup.objects.filter(access.subtree_q(p.supervised, "unit__"), is_active=True)
        .select_related("unit")
        .order_by("unit__path")
    )
    groups, total, filed, state = split_by_state(
        request, groups, selectors.filed_q(year), done="filed", pending="unfiled"
    )
    return year, groups, total, filed, state


@require_GET
@supervisors
def filing_overview(request):
    """Every group of the supervised subtrees: filed on time, filed late, not filed."""
    year, groups, total, filed, state = _filing_groups(request)
    page = paginate(request, groups)
    page_groups = list(page)
    books = rulebooks_for([g.unit for g in page_groups], year)
    return render(
        request,
        "plans/filing_overview.html",
        {
            "year": year,
            "rows": selectors.plan_filing(page_groups, year, books),
            "page_obj": page,
            "total": total,
            "filed": filed,
            "unfiled": total - filed,
            "state": state,
            "querystring_base": querystring_without_page(request),
        },
    )


@require_GET
@supervisors
def filing_overview_xlsx(request):
    year, groups, total, filed, state = _filing_groups(request)
    groups = list(groups)
    books = rulebooks_for([g.unit for g in groups], year)
    data = exports.filing_xlsx(
        filings=selectors.plan_filing(groups, year, books),
        year=year,
        summary=f"共{total}个中心组：已报备{filed}个，未报备{total - filed}个",
    )
    return xlsx_response(
        request,
        f"{year}年度学习计划报备情况_{stamp()}.xlsx",
        data,
        action="export",
        detail={"list": "plan_filing", "year": year, "state": state},
    )
