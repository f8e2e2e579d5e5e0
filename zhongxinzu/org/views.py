from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongxinzu.lib.views import (
    apply_errors,
    fail,
    paginate,
    querystring_without_page,
    role_required,
)
from zhongxinzu.org import access, selectors, services
from zhongxinzu.org.forms import (
    MembershipEditForm,
    MembershipEndForm,
    MembershipForm,
    PersonCreateForm,
    PersonForm,
    RequirementForm,
    UnitForm,
    UnitMoveForm,
)
from zhongxinzu.org.models import Person, RosterRequirement, Unit

can_browse_units = role_required(
    lambda p: p.is_supervisor or bool(p.group_roles) or p.admin_role == "sys_admin"
)
business = role_required(lambda p: p.is_supervisor or bool(p.group_roles))
supervisors = role_required(lambda p: p.is_supervisor)


def _roster_date(request):
    return parse_date(request.GET.get("on") or "") or timezone.localdate()


# --- units -----------------------------------------------------------------------------


def unit_list_queryset(user, params, *, with_counts: bool = True):
    """The unit list as filtered on the page; reused by the export. The page counts members
    for its own rows only (a per-row subquery would also run for every row it skips)."""
    qs = access.scoped_units(user).select_related("group")
    if with_counts:
        members = (
            access.active_memberships(on=timezone.localdate())
            .filter(group__unit=OuterRef("pk"))
            .values("group__unit")
            .annotate(n=Count("pk"))
            .values("n")
        )
        qs = qs.annotate(member_count=Subquery(members))
    if q := params.get("q", "").strip():
        qs = qs.filter(Q(name__contains=q) | Q(code__iexact=q))
    if kind := params.get("kind"):
        qs = qs.filter(kind=kind)
    if params.get("active") == "0":
        qs = qs.filter(is_active=False)
    elif params.get("active") != "all":
        qs = qs.filter(is_active=True)
    return qs.order_by("path")


@require_GET
@can_browse_units
def unit_list(request):
    page = paginate(request, unit_list_queryset(request.user, request.GET, with_counts=False))
    units = list(page)
    groups = [u.group for u in units if hasattr(u, "group")]
    show_people = access.can_see_people(request.user)
    today = timezone.localdate()
    missing, counts = {}, {}
    if show_people:
        missing = selectors.missing_requirements(groups, on=today)
        counts = selectors.member_counts(groups, on=today)
    for u in units:
        u.member_count = counts.get(getattr(u, "group", None) and u.group.pk, 0)
    top_depth = min((u.depth for u in units), default=1)
    rows = [
        (u, (u.depth - top_depth), missing.get(getattr(u, "group", None) and u.group.pk, []))
        for u in units
    ]
    return render(
        request,
        "org/unit_list.html",
        {
            "page_obj": page,
            "rows": rows,
            "kinds": Unit.Kind.choices,
            "show_people": show_people,
            "querystring_base": querystring_without_page(request),
            "can_create": access.can_create_units(request.user),
        },
    )


@require_GET
@can_browse_units
def unit_detail(request, pk):
    unit = access.get_unit_for(request.user, pk)
    visible = access.scoped_units(request.user)
    ancestors = visible.filter(path__in=selectors.ancestor_paths(unit)[:-1]).order_by("depth")
    children = visible.filter(access.subtree_q([unit]), depth=unit.depth + 1).order_by("path")
    group = getattr(unit, "group", None)
    show_roster = (
        group is not None and access.scoped_groups(request.user).filter(pk=group.pk).exists()
    )
    today = timezone.localdate()
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "ancestors": ancestors,
            "children": children,
            "group": group,
            "show_roster": show_roster,
            "roster": selectors.roster(group, on=today)[:100] if show_roster else [],
            "missing": selectors.missing_requirements([group], on=today)[group.pk]
            if show_roster
            else [],
            "can_write": access.can_write_unit(request.user, unit),
            "can_move": access.can_move_unit(request.user, unit),
        },
    )


@require_http_methods(["GET", "POST"])
@can_browse_units
def unit_create(request):
    parent = None
    if parent_id := request.GET.get("parent") or request.POST.get("parent"):
        parent = access.get_unit_for(request.user, parent_id, write=True)
    elif access.principal_of(request.user).admin_role != "sys_admin":
        raise PermissionDenied("只有系统管理员可以创建顶级单位，请从上级单位页面添加下级单位")
    form = UnitForm(request.POST or None)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            unit = services.unit_create(actor=request.user, parent=parent, **data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, f"已创建单位“{unit.name}”及其理论学习中心组")
            return redirect("org:unit_detail", pk=unit.pk)
    return render(request, "org/unit_form.html", {"form": form, "parent": parent})


@require_http_methods(["GET", "POST"])
@can_browse_units
def unit_edit(request, pk):
    unit = access.get_unit_for(request.user, pk, write=True)
    initial = {f: getattr(unit, f) for f in ("name", "code", "kind", "order", "version")}
    form = UnitForm(request.POST or None, initial=initial)
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.unit_update(actor=request.user, unit=unit, expected_version=version, **data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "单位信息已保存")
            return redirect("org:unit_detail", pk=unit.pk)
    return render(request, "org/unit_form.html", {"form": form, "unit": unit})


@require_http_methods(["GET", "POST"])
@can_browse_units
def unit_move(request, pk):
    unit = access.get_unit_for(request.user, pk, write=True)
    if not access.can_move_unit(request.user, unit):
        raise PermissionDenied("不能移动本人督导范围的顶级单位")
    form = UnitMoveForm(request.POST or None)
    if form.is_valid():
        target = Unit.objects.filter(code=form.cleaned_data["parent_code"]).first()
        if target is None or not access.can_write_unit(request.user, target):
            form.add_error("parent_code", "未找到该编码的单位，或该单位不在您的管理范围内")
        else:
            try:
                services.unit_move(actor=request.user, unit=unit, new_parent=target)
            except ValidationError as e:
                apply_errors(form, e)
            else:
                messages.success(request, f"已将“{unit.name}”移至“{target.name}”之下")
                return redirect("org:unit_detail", pk=unit.pk)
    return render(request, "org/unit_move.html", {"form": form, "unit": unit})


@require_POST
@can_browse_units
def unit_set_active(request, pk):
    unit = access.get_unit_for(request.user, pk, write=True)
    active = request.POST.get("active") == "1"
    try:
        services.unit_set_active(actor=request.user, unit=unit, active=active)
    except ValidationError as e:
        fail(request, e)
    else:
        messages.success(request, f"已{'启用' if active else '停用'}“{unit.name}”")
    return redirect("org:unit_detail", pk=unit.pk)


# --- groups and memberships ------------------------------------------------------------


@require_GET
@business
@never_cache
def group_detail(request, pk):
    group = access.get_group_for(request.user, pk)
    on = _roster_date(request)
    rows = list(selectors.roster(group, on=on))
    return render(
        request,
        "org/group_detail.html",
        {
            "group": group,
            "unit": group.unit,
            "rows": rows,
            "on": on,
            "missing": selectors.missing_requirements([group], on=on)[group.pk],
            "can_manage": access.can_manage_group(request.user, group),
        },
    )


@require_http_methods(["GET", "POST"])
@business
def membership_create(request, pk):
    group = access.get_group_for(request.user, pk, write=True)
    people = Person.objects.filter(unit=group.unit, is_active=True).order_by("rank_order", "id")
    form = MembershipForm(
        request.POST or None,
        people=people,
        initial={"start_date": timezone.localdate(), "role": "member"},
    )
    if form.is_valid():
        try:
            services.membership_create(actor=request.user, group=group, **form.cleaned_data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, f"已将{form.cleaned_data['person'].name}加入中心组")
            return redirect("org:group_detail", pk=group.pk)
    return render(request, "org/membership_form.html", {"form": form, "group": group})


@require_http_methods(["GET", "POST"])
@business
def membership_edit(request, pk):
    m = access.get_membership_for(request.user, pk, write=True)
    initial = {f: getattr(m, f) for f in ("role", "start_date", "end_date", "note", "version")}
    form = MembershipEditForm(request.POST or None, initial=initial)
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.membership_update(
                actor=request.user, membership=m, expected_version=version, **data
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "成员信息已保存")
            return redirect("org:group_detail", pk=m.group_id)
    return render(
        request, "org/membership_form.html", {"form": form, "group": m.group, "membership": m}
    )


@require_http_methods(["GET", "POST"])
@business
def membership_end(request, pk):
    m = access.get_membership_for(request.user, pk, write=True)
    form = MembershipEndForm(
        request.POST or None, initial={"end_date": timezone.localdate(), "version": m.version}
    )
    if form.is_valid():
        try:
            services.membership_end(
                actor=request.user,
                membership=m,
                end_date=form.cleaned_data["end_date"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, f"{m.person.name}的中心组成员身份已于{m.end_date}结束")
            return redirect("org:group_detail", pk=m.group_id)
    return render(request, "org/membership_end.html", {"form": form, "membership": m})


# --- people ----------------------------------------------------------------------------


def person_list_queryset(user, params):
    qs = access.scoped_people(user).select_related("unit")
    if q := params.get("q", "").strip():
        qs = qs.filter(Q(name__contains=q) | Q(post__contains=q))
    if unit_code := params.get("unit", "").strip():
        qs = qs.filter(unit__code=unit_code)
    if params.get("active") != "all":
        qs = qs.filter(is_active=params.get("active") != "0")
    return qs.order_by("unit__path", "rank_order", "id")


@require_GET
@business
@never_cache
def person_list(request):
    page = paginate(request, person_list_queryset(request.user, request.GET))
    return render(
        request,
        "org/person_list.html",
        {
            "page_obj": page,
            "querystring_base": querystring_without_page(request),
            "can_create": access.writable_units_for_people(request.user).exists(),
        },
    )


@require_GET
@business
@never_cache
def person_detail(request, pk):
    person = access.get_person_for(request.user, pk)
    memberships = person.memberships.select_related("group").order_by("-start_date")
    visible_groups = set(
        access.scoped_groups(request.user)
        .filter(pk__in=[m.group_id for m in memberships])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "org/person_detail.html",
        {
            "person": person,
            "memberships": [m for m in memberships if m.group_id in visible_groups],
            "phone": person.phone
            if access.can_see_full_phone(request.user, person)
            else person.masked_phone,
            "can_write": access.can_write_person(request.user, person),
        },
    )


@require_http_methods(["GET", "POST"])
@business
def person_create(request):
    units = access.writable_units_for_people(request.user).filter(is_active=True)
    if not units.exists():
        raise PermissionDenied("您无权添加人员")
    form = PersonCreateForm(
        request.POST or None, units=units, initial={"unit": request.GET.get("unit")}
    )
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            person = services.person_create(actor=request.user, **data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, f"已添加人员{person.name}")
            return redirect("org:person_detail", pk=person.pk)
    return render(request, "org/person_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@business
@never_cache
def person_edit(request, pk):
    person = access.get_person_for(request.user, pk, write=True)
    fields = ("name", "gender", "post", "post_category", "rank_order", "phone", "version")
    form = PersonForm(request.POST or None, initial={f: getattr(person, f) for f in fields})
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.person_update(
                actor=request.user, person=person, expected_version=version, **data
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "人员信息已保存")
            return redirect("org:person_detail", pk=person.pk)
    return render(request, "org/person_form.html", {"form": form, "person": person})


@require_POST
@business
def person_deactivate(request, pk):
    person = access.get_person_for(request.user, pk, write=True)
    services.person_deactivate(actor=request.user, person=person)
    messages.success(request, f"已停用{person.name}，其在任中心组身份已结束")
    return redirect("org:person_detail", pk=person.pk)


# --- roster rules ----------------------------------------------------------------------


def requirement_queryset(user):
    units = access.scoped_units(user)
    return RosterRequirement.objects.filter(scope__in=units).select_related("scope")


@require_http_methods(["GET", "POST"])
@supervisors
def requirement_list(request):
    p = access.principal_of(request.user)
    top = min(u.depth for u in p.supervised)
    units = access.scoped_units(request.user).filter(depth__lte=top + 1).order_by("path")
    form = RequirementForm(request.POST or None, units=units)
    if form.is_valid():
        services.roster_requirement_create(actor=request.user, **form.cleaned_data)
        messages.success(request, "已添加名册必备职务要求")
        return redirect("org:requirement_list")
    page = paginate(
        request, requirement_queryset(request.user).order_by("-is_active", "scope__path")
    )
    return render(request, "org/requirement_list.html", {"form": form, "page_obj": page})


@require_POST
@supervisors
def requirement_deactivate(request, pk):
    req = get_object_or_404(requirement_queryset(request.user), pk=pk)
    services.roster_requirement_deactivate(actor=request.user, requirement=req)
    messages.success(request, f"已停用要求“{req.label}”")
    return redirect("org:requirement_list")
