"""Pages for the expert pool (专家库), observation teams (旁听组), visit plans (旁听计划) and
the visits themselves (会前对接审核 → 会中现场点评 → 会后访谈调研 → 反馈整改)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
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
from zhongxinzu.org.models import StudyGroup
from zhongxinzu.supervision import exports, forms, selectors, services
from zhongxinzu.supervision.models import (
    ObservationTeam,
    ObservationVisit,
    TeamMember,
    VisitPlan,
)

supervisors = role_required(lambda p: p.is_supervisor)
observers = role_required(lambda p: p.is_observer)
visit_roles = role_required(lambda p: p.is_supervisor or p.is_observer or bool(p.staff_group_ids()))


def _owner_units(request):
    return access.principal_of(request.user).supervised


# --- experts ---------------------------------------------------------------------------


def expert_list_queryset(user, params):
    """The expert pool's rows: scope, the search and in-pool filters, page order."""
    qs = selectors.experts_visible(user).select_related("owner_unit", "home_unit")
    if q := params.get("q", "").strip():
        qs = qs.filter(Q(name__contains=q) | Q(field__contains=q) | Q(employer__contains=q))
    if params.get("all") != "1":
        qs = qs.filter(is_active=True)
    return qs.order_by("owner_unit__path", "name", "pk")


@require_GET
@supervisors
def expert_list_xlsx(request):
    caption = "专家库（含已出库）" if request.GET.get("all") == "1" else "专家库（在库专家）"
    data = exports.experts_xlsx(
        experts=expert_list_queryset(request.user, request.GET), caption=caption
    )
    return xlsx_response(
        request, f"专家库_{stamp()}.xlsx", data, action="export", detail={"list": "experts"}
    )


@require_GET
@supervisors
def expert_list(request):
    q = request.GET.get("q", "").strip()
    show_all = request.GET.get("all") == "1"
    page = paginate(request, expert_list_queryset(request.user, request.GET))
    return render(
        request,
        "supervision/expert_list.html",
        {
            "page_obj": page,
            "q": q,
            "show_all": show_all,
            "querystring_base": querystring_without_page(request),
        },
    )


def _expert_form(request, *, current_person_id=None, **kwargs):
    """The person list shows one unit's people (?unit=, default the supervised units) so a
    province-wide scope does not render tens of thousands of options; a posted person is
    validated against the whole scope."""
    people = access.scoped_people(request.user).filter(is_active=True)
    units = access.scoped_units(request.user)
    if request.method != "POST":
        raw = request.GET.get("unit", "")
        shown = [int(raw)] if raw.isdigit() else [u.pk for u in _owner_units(request)]
        q = Q(unit_id__in=shown)
        if current_person_id:
            q |= Q(pk=current_person_id)
        people = people.filter(q)
    return forms.ExpertForm(
        request.POST or None,
        owner_units=_owner_units(request),
        people=people,
        units=units,
        **kwargs,
    )


def _unit_picker(request) -> dict:
    raw = request.GET.get("unit", "")
    return {
        "picker_units": access.scoped_units(request.user).order_by("path").only("name", "path"),
        "picked_unit": int(raw) if raw.isdigit() else None,
    }


def _expert_data(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k != "version"}


@require_http_methods(["GET", "POST"])
@supervisors
def expert_create(request):
    form = _expert_form(request, initial={"owner_unit": _owner_units(request)[0]})
    if form.is_valid():
        try:
            services.expert_create(actor=request.user, **_expert_data(form))
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "专家已入库")
            return redirect("supervision:expert_list")
    return render(request, "supervision/expert_form.html", {"form": form, **_unit_picker(request)})


@require_http_methods(["GET", "POST"])
@supervisors
def expert_edit(request, pk):
    expert = access.get_in(selectors.experts_visible(request.user), pk)
    initial = {
        "owner_unit": expert.owner_unit_id,
        "person": expert.person_id,
        "name": expert.name,
        "field": expert.field,
        "title": expert.title,
        "employer": expert.employer,
        "home_unit": expert.home_unit_id,
        "availability": expert.availability,
        "username": expert.user.username if expert.user_id else "",
        "version": expert.version,
    }
    form = _expert_form(request, initial=initial, current_person_id=expert.person_id)
    if form.is_valid():
        try:
            services.expert_update(
                actor=request.user,
                expert=expert,
                expected_version=form.cleaned_data["version"],
                **_expert_data(form),
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "专家信息已保存")
            return redirect("supervision:expert_list")
    return render(
        request,
        "supervision/expert_form.html",
        {"form": form, "expert": expert, **_unit_picker(request)},
    )


@require_POST
@supervisors
def expert_deactivate(request, pk):
    expert = access.get_in(selectors.experts_visible(request.user), pk)
    services.expert_set_active(actor=request.user, expert=expert, active=not expert.is_active)
    messages.success(request, f"{expert.name}已{'恢复入库' if expert.is_active else '出库'}")
    return redirect("supervision:expert_list")


# --- teams -----------------------------------------------------------------------------


@require_GET
@supervisors
def team_list(request):
    year = year_param(request, timezone.localdate().year)
    qs = (
        selectors.teams_visible(request.user)
        .filter(year=year)
        .select_related("owner_unit")
        .annotate(n_members=Count("memberships", distinct=True))
        .order_by("owner_unit__path", "name", "pk")
    )
    page = paginate(request, qs)
    leaders = {
        m.team_id: m.expert.name
        for m in TeamMember.objects.filter(team__in=list(page), is_leader=True).select_related(
            "expert"
        )
    }
    for team in page:
        team.leader_name = leaders.get(team.pk, "")
    return render(
        request,
        "supervision/team_list.html",
        {"page_obj": page, "year": year, "querystring_base": querystring_without_page(request)},
    )


@require_http_methods(["GET", "POST"])
@supervisors
def team_create(request):
    form = forms.TeamForm(
        request.POST or None,
        owner_units=_owner_units(request),
        initial={"owner_unit": _owner_units(request)[0], "year": forms.this_year()},
    )
    if form.is_valid():
        try:
            team = services.team_create(actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "旁听组已建立，请添加成员")
            return redirect("supervision:team_detail", pk=team.pk)
    return render(request, "supervision/team_form.html", {"form": form})


def _pool_for(request, team: ObservationTeam):
    """Active experts of the team's unit and of the units above it within the user's scope,
    not yet on the team."""
    from zhongxinzu.org.selectors import ancestor_paths

    return (
        selectors.experts_visible(request.user)
        .filter(owner_unit__path__in=ancestor_paths(team.owner_unit), is_active=True)
        .exclude(team_memberships__team=team)
        .order_by("name", "pk")
    )


@require_GET
@supervisors
def team_detail(request, pk):
    team = access.get_in(selectors.teams_visible(request.user).select_related("owner_unit"), pk)
    members = team.memberships.select_related("expert__home_unit", "expert__person__unit").order_by(
        "-is_leader", "expert__name"
    )
    visits = team.visits.select_related("group", "plan").order_by("planned_on", "pk")[:200]
    return render(
        request,
        "supervision/team_detail.html",
        {
            "team": team,
            "members": members,
            "visits": visits,
            "member_form": forms.TeamMemberForm(experts=_pool_for(request, team)),
        },
    )


@require_http_methods(["GET", "POST"])
@supervisors
def team_edit(request, pk):
    team = access.get_in(selectors.teams_visible(request.user), pk)
    form = forms.TeamEditForm(
        request.POST or None,
        initial={"name": team.name, "is_active": team.is_active, "version": team.version},
    )
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.team_update(actor=request.user, team=team, expected_version=version, **data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "旁听组已保存")
            return redirect("supervision:team_detail", pk=team.pk)
    return render(request, "supervision/team_form.html", {"form": form, "team": team})


@require_POST
@supervisors
def team_member_add(request, pk):
    team = access.get_in(selectors.teams_visible(request.user).select_related("owner_unit"), pk)
    form = forms.TeamMemberForm(request.POST, experts=_pool_for(request, team))
    if form.is_valid():
        try:
            services.team_member_add(actor=request.user, team=team, **form.cleaned_data)
        except ValidationError as e:
            fail(request, e)
        else:
            messages.success(request, "成员已加入旁听组")
    else:
        messages.error(request, "请选择专家库中的在库专家")
    return redirect("supervision:team_detail", pk=team.pk)


def _member_for(request, pk) -> TeamMember:
    qs = TeamMember.objects.filter(team__in=selectors.teams_visible(request.user)).select_related(
        "team__owner_unit", "expert"
    )
    return access.get_in(qs, pk)


@require_POST
@supervisors
def team_member_remove(request, pk):
    member = _member_for(request, pk)
    services.team_member_remove(actor=request.user, member=member)
    messages.success(request, f"已将{member.expert.name}移出旁听组")
    return redirect("supervision:team_detail", pk=member.team_id)


@require_POST
@supervisors
def team_leader(request, pk):
    member = _member_for(request, pk)
    services.team_leader_set(actor=request.user, member=member)
    messages.success(request, f"{member.expert.name}任组长")
    return redirect("supervision:team_detail", pk=member.team_id)


# --- visit plans -------------------------------------------------------------------------


@require_GET
@supervisors
def plan_list(request):
    qs = (
        selectors.plans_visible(request.user)
        .select_related("owner_unit")
        .annotate(n_visits=Count("visits"))
        .order_by("-year", "-pk")
    )
    if year := year_param(request):
        qs = qs.filter(year=year)
    page = paginate(request, qs)
    return render(
        request,
        "supervision/plan_list.html",
        {
            "page_obj": page,
            "year": year,
            "querystring_base": querystring_without_page(request),
        },
    )


@require_http_methods(["GET", "POST"])
@supervisors
def plan_create(request):
    today = timezone.localdate()
    form = forms.PlanForm(
        request.POST or None,
        owner_units=_owner_units(request),
        initial={
            "owner_unit": _owner_units(request)[0],
            "year": today.year,
            "period_start": today,
            "period_end": today.replace(month=12, day=31),
            "mode": VisitPlan.Mode.TEAMS,
        },
    )
    if form.is_valid():
        try:
            plan = services.visit_plan_propose(actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "已生成旁听计划草稿，请核对调整后发布")
            return redirect("supervision:plan_detail", pk=plan.pk)
    return render(request, "supervision/plan_form.html", {"form": form})


def _plan_for(request, pk) -> VisitPlan:
    return access.get_in(
        selectors.plans_visible(request.user).select_related("owner_unit", "created_by"), pk
    )


def _plan_visits(plan, params):
    """The plan page's visits: the ?team= filter, page order."""
    visits = plan.visits.select_related("group", "team", "observer_group", "session").order_by(
        "planned_on", "pk"
    )
    if (team := params.get("team", "")).isdigit():
        visits = visits.filter(team_id=int(team))
    return visits


def _plan_teams(plan):
    """The plan's active teams and (team, visits in the plan) rows."""
    teams = ObservationTeam.objects.filter(
        owner_unit=plan.owner_unit, year=plan.year, is_active=True
    ).order_by("name", "pk")
    loads = dict(
        plan.visits.filter(team__isnull=False)
        .values_list("team")
        .annotate(n=Count("pk"))
        .values_list("team", "n")
    )
    return teams, [(t, loads.get(t.pk, 0)) for t in teams]


@require_GET
@supervisors
def plan_detail_xlsx(request, pk):
    plan = _plan_for(request, pk)
    _, team_rows = _plan_teams(plan)
    data = exports.plan_xlsx(
        plan=plan,
        visits=_plan_visits(plan, request.GET),
        loads=[(t.name, n) for t, n in team_rows],
    )
    return xlsx_response(
        request,
        f"{plan.year}年度旁听计划_{stamp()}.xlsx",
        data,
        action="export",
        obj=plan,
        detail={"list": "visit_plan"},
    )


@require_GET
@supervisors
def plan_detail(request, pk):
    plan = _plan_for(request, pk)
    team_filter = request.GET.get("team", "")
    page = paginate(request, _plan_visits(plan, request.GET))
    teams, team_rows = _plan_teams(plan)
    uncovered_groups = StudyGroup.objects.in_bulk([u["group"] for u in plan.uncovered])
    uncovered = [
        {"group": uncovered_groups.get(u["group"]), "reason": u["reason"]} for u in plan.uncovered
    ]
    return render(
        request,
        "supervision/plan_detail.html",
        {
            "plan": plan,
            "page_obj": page,
            "teams": teams,
            "team_rows": team_rows,
            "team_filter": team_filter,
            "uncovered": uncovered,
            "is_draft": plan.status == VisitPlan.Status.DRAFT,
            "querystring_base": querystring_without_page(request),
        },
    )


@require_POST
@supervisors
def plan_publish(request, pk):
    plan = _plan_for(request, pk)
    try:
        n = services.visit_plan_publish(
            actor=request.user, plan=plan, expected_version=posted_version(request)
        )
    except ValidationError as e:
        fail(request, e)
    else:
        messages.success(request, f"旁听计划已发布，已向被旁听中心组和旁听人员发送{n}条提醒")
    return redirect("supervision:plan_detail", pk=plan.pk)


@require_POST
@supervisors
def plan_delete(request, pk):
    plan = _plan_for(request, pk)
    try:
        services.visit_plan_delete(actor=request.user, plan=plan)
    except ValidationError as e:
        fail(request, e)
        return redirect("supervision:plan_detail", pk=plan.pk)
    messages.success(request, "旁听计划草稿已删除")
    return redirect("supervision:plan_list")


def _draft_visit_for(request, pk) -> ObservationVisit:
    qs = ObservationVisit.objects.filter(plan__in=selectors.plans_visible(request.user))
    return access.get_in(qs.select_related("plan__owner_unit", "group__unit", "session"), pk)


@require_POST
@supervisors
def visit_edit(request, pk):
    visit = _draft_visit_for(request, pk)
    teams = ObservationTeam.objects.filter(owner_unit=visit.plan.owner_unit, year=visit.plan.year)
    form = forms.VisitEditForm(request.POST, teams=teams)
    if form.is_valid():
        try:
            services.visit_update(
                actor=request.user,
                visit=visit,
                team=form.cleaned_data["team"],
                planned_on=form.cleaned_data["planned_on"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as e:
            fail(request, e)
        else:
            messages.success(request, f"已调整{visit.group.name}的旁听安排")
    else:
        messages.error(request, "请选择旁听组并填写正确的日期")
    return redirect("supervision:plan_detail", pk=visit.plan_id)


@require_POST
@supervisors
def visit_remove(request, pk):
    visit = _draft_visit_for(request, pk)
    try:
        services.visit_remove(actor=request.user, visit=visit)
    except ValidationError as e:
        fail(request, e)
    else:
        messages.success(request, f"已从计划中移除{visit.group.name}")
    return redirect("supervision:plan_detail", pk=visit.plan_id)


# --- visits ------------------------------------------------------------------------------


def _visit_order(qs):
    return qs.select_related("group", "team", "observer_group", "plan").order_by("planned_on", "pk")


def _visit_rows(request, qs):
    today = timezone.localdate()
    page = paginate(request, _visit_order(qs))
    deadlines = selectors.visit_deadlines(page, today)
    for v in page:
        v.deadlines = deadlines[v.pk]
    return page


def visit_list_queryset(user, params):
    """The visit list's rows before paging: scope, the year and stage filters."""
    qs = selectors.visits_visible(user)
    raw = params.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        qs = qs.filter(planned_on__year=int(raw))
    if (stage := params.get("stage", "")) in ObservationVisit.Stage.values:
        qs = qs.filter(stage=stage)
    return qs


@require_GET
@visit_roles
def visit_list_xlsx(request):
    visits = list(_visit_order(visit_list_queryset(request.user, request.GET)))
    year = year_param(request)
    data = exports.visits_xlsx(
        visits=visits,
        deadlines=selectors.visit_deadlines(visits, timezone.localdate()),
        caption=f"列席旁听（{year}年）" if year else "列席旁听（全部年度）",
    )
    return xlsx_response(
        request, f"列席旁听_{stamp()}.xlsx", data, action="export", detail={"list": "visits"}
    )


@require_GET
@visit_roles
def visit_list(request):
    year = year_param(request)
    stage = request.GET.get("stage", "")
    qs = visit_list_queryset(request.user, request.GET)
    return render(
        request,
        "supervision/visit_list.html",
        {
            "page_obj": _visit_rows(request, qs),
            "year": year,
            "stage": stage,
            "stages": ObservationVisit.Stage.choices,
            "querystring_base": querystring_without_page(request),
        },
    )


@require_GET
@observers
def my_visits(request):
    """我的旁听任务: the visits of the observer's teams, phone friendly."""
    qs = ObservationVisit.objects.filter(pk__in=access.observer_visit_ids(request.user)).filter(
        Q(plan__isnull=True) | Q(plan__status=VisitPlan.Status.PUBLISHED)
    )
    if request.GET.get("done") != "1":
        qs = qs.exclude(stage=ObservationVisit.Stage.CLOSED)
    return render(
        request,
        "supervision/my_visits.html",
        {
            "page_obj": _visit_rows(request, qs),
            "done": request.GET.get("done") == "1",
            "querystring_base": querystring_without_page(request),
        },
    )


def _visit_for(request, pk, *, writable=None) -> ObservationVisit:
    qs = selectors.visits_visible(request.user).select_related(
        "plan__owner_unit", "group__unit", "team", "observer_group", "session"
    )
    check = (lambda v: writable(request.user, v)) if writable else None
    return access.get_in(qs, pk, writable=check)


@require_GET
@visit_roles
def visit_detail(request, pk):
    visit = _visit_for(request, pk)
    user = request.user
    team_notes = selectors.can_see_team_notes(user, visit)
    checked = (visit.checklist or {}).get("items", {})
    context = {
        "visit": visit,
        "deadlines": selectors.visit_deadlines([visit], timezone.localdate())[visit.pk],
        "can_send_materials": selectors.can_send_materials(user, visit)
        and visit.materials_sent_at is None,
        "team_notes": team_notes,
        "can_see_summary": selectors.can_see_summary(user, visit),
        "can_feedback": selectors.supervises_group(user, visit.group),
        "is_team_member": selectors.is_team_member(user, visit),
        "checklist_rows": [(label, checked.get(key)) for key, label in selectors.CHECKLIST_ITEMS],
        "members": visit.team.memberships.select_related("expert").order_by("-is_leader", "pk")
        if visit.team_id
        else [],
        "sheets": visit.sheets.select_related("observer").order_by("pk") if team_notes else [],
    }
    is_open = visit.stage != ObservationVisit.Stage.CLOSED and (
        visit.plan is None or visit.plan.status == VisitPlan.Status.PUBLISHED
    )
    if team_notes and is_open:
        context["summary_limit"] = services.summary_limit(visit)
        context["checklist_form"] = forms.ChecklistForm(
            initial={
                "checked": [k for k, v in checked.items() if v],
                "note": visit.checklist.get("note", ""),
            }
        )
        context["onsite_form"] = forms.OnsiteForm(initial={"comments": visit.onsite_comments})
        context["interview_form"] = forms.InterviewForm(initial={"notes": visit.interview_notes})
        context["summary_form"] = forms.SummaryForm(
            initial={
                "overall": visit.summary_overall,
                "highlights": visit.summary_highlights,
                "problems": visit.summary_problems,
            }
        )
    return render(request, "supervision/visit_detail.html", context)


def _workflow_post(request, pk, *, writable, form_class, service, done: str):
    visit = _visit_for(request, pk, writable=writable)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("supervision:visit_detail", pk=visit.pk)
    try:
        service(actor=request.user, visit=visit, **(form.cleaned_data if form else {}))
    except ValidationError as e:
        fail(request, e)
    else:
        messages.success(request, done)
    return redirect("supervision:visit_detail", pk=visit.pk)


@require_POST
@visit_roles
def visit_materials(request, pk):
    return _workflow_post(
        request,
        pk,
        writable=selectors.can_send_materials,
        form_class=None,
        service=services.visit_materials_send,
        done="已报送学习方案、材料和发言稿",
    )


@require_POST
@visit_roles
def visit_checklist(request, pk):
    return _workflow_post(
        request,
        pk,
        writable=selectors.can_write_team_notes,
        form_class=forms.ChecklistForm,
        service=services.visit_checklist_save,
        done="会前审核情况已保存",
    )


@require_POST
@visit_roles
def visit_onsite(request, pk):
    return _workflow_post(
        request,
        pk,
        writable=selectors.can_write_team_notes,
        form_class=forms.OnsiteForm,
        service=services.visit_onsite_save,
        done="现场点评已保存",
    )


@require_POST
@visit_roles
def visit_interview(request, pk):
    return _workflow_post(
        request,
        pk,
        writable=selectors.can_write_team_notes,
        form_class=forms.InterviewForm,
        service=services.visit_interview_save,
        done="访谈记录已保存",
    )


@require_POST
@visit_roles
def visit_summary(request, pk):
    return _workflow_post(
        request,
        pk,
        writable=selectors.can_write_team_notes,
        form_class=forms.SummaryForm,
        service=services.visit_summary_submit,
        done="旁听总结已提交",
    )


@require_POST
@visit_roles
def visit_feedback(request, pk):
    return _workflow_post(
        request,
        pk,
        writable=lambda user, v: selectors.supervises_group(user, v.group),
        form_class=None,
        service=services.visit_feedback_send,
        done="已向被旁听中心组反馈，旁听完成",
    )


@require_GET
@visit_roles
def visit_letter(request, pk):
    visit = _visit_for(request, pk, writable=selectors.can_see_summary)
    try:
        data = services.visit_feedback_document(actor=request.user, visit=visit)
    except ValidationError as e:
        fail(request, e)
        return redirect("supervision:visit_detail", pk=visit.pk)
    return docx_response(request, f"{visit.group.name}列席旁听反馈意见.docx", data, obj=visit)
