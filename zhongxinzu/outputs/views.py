"""Pages for outputs (学习成果): members hand them in, leaders review speech drafts, the
secretary records conversions (成果转化), and yearly counts per member and per group."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongxinzu.documents.lists import stamp
from zhongxinzu.lib.downloads import stored_file_response
from zhongxinzu.lib.views import (
    apply_errors,
    fail,
    paginate,
    querystring_without_page,
    role_required,
    year_param,
)
from zhongxinzu.lib.xlsx import xlsx_response
from zhongxinzu.org import access
from zhongxinzu.org.models import Membership, StudyGroup, Unit
from zhongxinzu.org.selectors import members_in_year
from zhongxinzu.outputs import exports, forms, selectors, services
from zhongxinzu.outputs.models import Conversion, Output
from zhongxinzu.rules.services import rulebook_for, rulebooks_for

business = role_required(lambda p: p.is_supervisor or bool(p.group_roles))
members = role_required(lambda p: bool(p.group_roles) and bool(p.person_id))
staff_or_supervisors = role_required(lambda p: p.is_supervisor or bool(p.staff_group_ids()))
secretaries = role_required(lambda p: bool(p.secretary_group_ids()))
# Roster roles the written-output rule binds (secretaries, liaisons and attendees serve
# the group rather than study in it).
BOUND_ROLES = {Membership.Role.LEADER, Membership.Role.DEPUTY, Membership.Role.MEMBER}


def _output_for(request, pk, *, write=False) -> Output:
    qs = selectors.outputs_visible(request.user).select_related(
        "group__unit", "author", "session", "reviewed_by"
    )
    check = (
        (lambda o: o.author_id == access.principal_of(request.user).person_id) if write else None
    )
    return access.get_in(qs, pk, writable=check)


def _review_flags(outputs) -> None:
    """Mark speech drafts not reviewed before their session (rule
    speech_review_before_session of the group and year; one query per year on the page)."""
    now = timezone.now()
    by_year: dict[int, list[Output]] = {}
    for o in outputs:
        by_year.setdefault(o.year, []).append(o)
    for year, items in by_year.items():
        books = rulebooks_for(list({o.group.unit_id: o.group.unit for o in items}.values()), year)
        for o in items:
            required = bool(books[o.group.unit_id]["speech_review_before_session"])
            o.review_state = selectors.speech_review_state(o, required=required, now=now)


def output_list_queryset(user, params):
    """The output list's rows: scope, the page's filters, page order."""
    p = access.principal_of(user)
    qs = selectors.outputs_visible(user).select_related("group__unit", "author", "session")
    raw = params.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        qs = qs.filter(year=int(raw))
    if (kind := params.get("kind")) in Output.Kind.values:
        qs = qs.filter(kind=kind)
    if (status := params.get("status")) in Output.Status.values:
        qs = qs.filter(status=status)
    if params.get("nodraft") == "1":  # the 驾驶舱's links: outputs handed in
        qs = qs.exclude(status=Output.Status.DRAFT)
    if (group := params.get("group", "")).isdigit():  # the 驾驶舱's links
        qs = qs.filter(group_id=int(group))
    if (under := params.get("under", "")).isdigit():
        qs = qs.filter(access.subtree_q(Unit.objects.filter(pk=int(under)), "group__unit__"))
    if params.get("mine") == "1":
        qs = qs.filter(author_id=p.person_id)
    if params.get("review") == "1":
        leading = [g for g, roles in p.group_roles.items() if "leader" in roles]
        qs = qs.filter(
            group_id__in=leading, kind=Output.Kind.SPEECH_DRAFT, status=Output.Status.SUBMITTED
        )
    if q := params.get("q", "").strip():
        qs = qs.filter(title__contains=q)
    return qs.order_by("-submitted_at", "-id")


@require_GET
@business
def output_list(request):
    p = access.principal_of(request.user)
    page = paginate(request, output_list_queryset(request.user, request.GET))
    _review_flags(page)
    return render(
        request,
        "outputs/output_list.html",
        {
            "page_obj": page,
            "kinds": Output.Kind.choices,
            "statuses": Output.Status.choices,
            "querystring_base": querystring_without_page(request),
            "can_create": bool(p.group_roles) and bool(p.person_id),
            "is_leader": any("leader" in r for r in p.group_roles.values()),
            "show_stats": p.is_supervisor or bool(p.staff_group_ids()),
        },
    )


def _sessions_for(group_ids):
    from zhongxinzu.meetings.models import StudySession

    since = timezone.now() - dt.timedelta(days=90)
    return StudySession.objects.filter(group_id__in=group_ids, starts_at__gte=since).order_by(
        "starts_at"
    )


@require_http_methods(["GET", "POST"])
@members
def output_create(request):
    group_ids = list(access.principal_of(request.user).group_roles)
    groups = StudyGroup.objects.filter(pk__in=group_ids).order_by("unit__path")
    initial = {"group": groups.first(), "kind": request.GET.get("kind") or "reflection"}
    if (session := request.GET.get("session", "")).isdigit():
        initial["session"] = session
    form = forms.OutputForm(
        request.POST or None,
        request.FILES or None,
        groups=groups,
        sessions=_sessions_for(group_ids),
        initial=initial,
    )
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "file")}
        try:
            output = services.output_create(
                actor=request.user, upload=form.cleaned_data["file"] or None, **data
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "学习成果已提交")
            return redirect("outputs:output_detail", pk=output.pk)
    # Reached on POST only when refused (a bad file, a missing field): the form, with 422.
    status = 422 if form.is_bound else 200
    return render(request, "outputs/output_form.html", {"form": form}, status=status)


@require_GET
@business
def output_detail(request, pk):
    output = _output_for(request, pk)
    p = access.principal_of(request.user)
    _review_flags([output])
    can_review = (
        output.is_speech
        and output.status == Output.Status.SUBMITTED
        and access.can_lead_group(request.user, output.group_id)
    )
    is_author = output.author_id == p.person_id
    return render(
        request,
        "outputs/output_detail.html",
        {
            "output": output,
            "conversions": output.conversions.order_by("-issued_on", "-id"),
            "can_edit": is_author and output.status != Output.Status.APPROVED,
            "can_review": can_review,
            "can_convert": access.can_record_for_group(request.user, output.group_id)
            and output.status in (Output.Status.SUBMITTED, Output.Status.APPROVED),
            "review_form": forms.ReviewForm(initial={"version": output.version}),
        },
    )


@require_http_methods(["GET", "POST"])
@members
def output_edit(request, pk):
    output = _output_for(request, pk, write=True)
    if output.status == Output.Status.APPROVED:
        messages.error(request, "已审阅通过的发言材料不能修改")
        return redirect("outputs:output_detail", pk=output.pk)
    fields = ("kind", "title", "body", "session", "version")
    form = forms.OutputForm(
        request.POST or None,
        request.FILES or None,
        sessions=_sessions_for([output.group_id]) | _same(output),
        initial={f: getattr(output, f) for f in fields},
    )
    if form.is_valid():
        data = dict(form.cleaned_data)
        upload, version = data.pop("file"), data.pop("version")
        try:
            services.output_update(
                actor=request.user,
                output=output,
                upload=upload or None,
                remove_file=upload is False,
                expected_version=version,
                **data,
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "学习成果已保存")
            return redirect("outputs:output_detail", pk=output.pk)
    status = 422 if form.is_bound else 200  # reached on POST only when refused
    return render(
        request, "outputs/output_form.html", {"form": form, "output": output}, status=status
    )


def _same(output):
    from zhongxinzu.meetings.models import StudySession

    return StudySession.objects.filter(pk=output.session_id)


@require_POST
@members
def output_delete(request, pk):
    output = _output_for(request, pk, write=True)
    try:
        services.output_delete(actor=request.user, output=output)
    except ValidationError as e:
        fail(request, e)
        return redirect("outputs:output_detail", pk=output.pk)
    messages.success(request, f"已删除“{output.title}”")
    return redirect("outputs:output_list")


@require_POST
@business
def output_review(request, pk):
    output = _output_for(request, pk)
    if not access.can_lead_group(request.user, output.group_id):
        raise PermissionDenied("只有本中心组的组长（副组长）可以审阅")
    form = forms.ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择审阅结果")
        return redirect("outputs:output_detail", pk=output.pk)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.output_review(
            actor=request.user,
            output=output,
            approve=approve,
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as e:
        fail(request, e)
    else:
        messages.success(request, "已审阅通过" if approve else "已退回修改")
    return redirect("outputs:output_detail", pk=output.pk)


@require_GET
@business
def output_file(request, pk):
    output = _output_for(request, pk)
    if not output.file:
        raise Http404("该成果没有附件")
    name = services.output_filename(output)
    return stored_file_response(request, output.file, name, obj=output)


# --- conversions -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@secretaries
def conversion_create(request, pk):
    output = access.get_in(
        selectors.outputs_visible(request.user).select_related("group", "author"),
        pk,
        writable=lambda o: access.can_record_for_group(request.user, o.group_id),
    )
    form = forms.ConversionForm(request.POST or None, initial={"issued_on": timezone.localdate()})
    if form.is_valid():
        try:
            services.conversion_create(actor=request.user, output=output, **form.cleaned_data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "成果转化已登记")
            return redirect("outputs:output_detail", pk=output.pk)
    return render(request, "outputs/conversion_form.html", {"form": form, "output": output})


@require_POST
@secretaries
def conversion_delete(request, pk):
    conversion = access.get_in(
        selectors.conversions_visible(request.user).select_related("output"),
        pk,
        writable=lambda c: access.can_record_for_group(request.user, c.output.group_id),
    )
    services.conversion_delete(actor=request.user, conversion=conversion)
    messages.success(request, f"已删除转化记录“{conversion.title}”")
    return redirect("outputs:output_detail", pk=conversion.output_id)


def conversion_list_queryset(user, params):
    """The conversion list's rows: scope, the page's filters, page order."""
    qs = selectors.conversions_visible(user).select_related("output__group", "output__author")
    raw = params.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        qs = qs.filter(issued_on__year=int(raw))
    if (kind := params.get("kind")) in Conversion.Kind.values:
        qs = qs.filter(kind=kind)
    return qs.order_by("-issued_on", "-id")


@require_GET
@business
def conversion_list(request):
    page = paginate(request, conversion_list_queryset(request.user, request.GET))
    return render(
        request,
        "outputs/conversion_list.html",
        {
            "page_obj": page,
            "kinds": Conversion.Kind.choices,
            "querystring_base": querystring_without_page(request),
        },
    )


@require_GET
@business
def output_list_xlsx(request):
    qs = output_list_queryset(request.user, request.GET)
    outputs = list(qs.annotate(conversion_count=Count("conversions")))
    _review_flags(outputs)
    data = exports.outputs_xlsx(outputs=outputs, caption=_caption("学习成果", request))
    return xlsx_response(
        request, f"学习成果_{stamp()}.xlsx", data, action="export", detail={"list": "outputs"}
    )


@require_GET
@business
def conversion_list_xlsx(request):
    data = exports.conversions_xlsx(
        conversions=conversion_list_queryset(request.user, request.GET),
        caption=_caption("成果转化", request),
    )
    return xlsx_response(
        request, f"成果转化_{stamp()}.xlsx", data, action="export", detail={"list": "conversions"}
    )


def _caption(title: str, request) -> str:
    year = year_param(request)
    return f"{title}（{year}年）" if year else f"{title}（全部年度）"


# --- yearly counts ---------------------------------------------------------------------


@require_GET
@staff_or_supervisors
def output_stats(request):
    """Per member of one group (staff, or a supervisor choosing a group), or per group of
    the supervised subtree."""
    year = year_param(request, timezone.localdate().year)
    p = access.principal_of(request.user)
    group = None
    if raw := request.GET.get("group"):
        group = access.get_group_for(request.user, raw)
        if not (group.pk in p.staff_group_ids() or access.in_subtree(group.unit, p.supervised)):
            raise PermissionDenied("只有学习秘书、组长和督导可以查看成果统计")
    elif not p.is_supervisor:
        group = StudyGroup.objects.select_related("unit").get(pk=p.staff_group_ids()[0])
    context = {"year": year, "kinds": Output.Kind.choices, "group": group}
    if group is not None:
        context.update(_member_stats(group, year))
    else:
        context.update(_group_stats(request, p, year))
    return render(request, "outputs/stats.html", context)


def _by_kind(counts: dict) -> list[tuple[str, int]]:
    return [(label, counts[value]) for value, label in Output.Kind.choices]


def _member_stats(group: StudyGroup, year: int) -> dict:
    people = {m.person_id: m for m in members_in_year(group, year)}
    counts = selectors.member_output_counts(group, year)
    required = int(rulebook_for(group.unit, year)["outputs_per_member"])
    rows = [
        (m, _by_kind(counts[pid]), counts[pid], m.role in BOUND_ROLES) for pid, m in people.items()
    ]
    return {"member_rows": rows, "required": required}


def _group_stats(request, p, year: int) -> dict:
    groups = (
        StudyGroup.objects.filter(access.subtree_q(p.supervised, "unit__"), is_active=True)
        .select_related("unit")
        .order_by("unit__path")
    )
    page = paginate(request, groups)
    page_groups = list(page)
    counts = selectors.output_counts(page_groups, year)
    conversions = selectors.conversion_counts(page_groups, year)
    return {
        "page_obj": page,
        "group_rows": [
            (g, _by_kind(counts[g.pk]), counts[g.pk], conversions[g.pk]) for g in page_groups
        ],
        "querystring_base": querystring_without_page(request),
    }
