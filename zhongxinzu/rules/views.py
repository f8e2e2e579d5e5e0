"""Rule overrides for supervisors: the values in force for a unit of their subtree and year,
where each comes from, and setting or clearing an override (audited by the services).
National/common defaults are not editable here: a supervisor overrides only within their
subtree. The system administrator keeps the official holidays and 调休 working days."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongxinzu.lib import workdays
from zhongxinzu.lib.views import (
    apply_errors,
    fail,
    paginate,
    querystring_without_page,
    role_required,
    year_param,
)
from zhongxinzu.org import access
from zhongxinzu.org.models import Unit
from zhongxinzu.org.selectors import ancestor_paths
from zhongxinzu.rules.access import can_edit_calendar
from zhongxinzu.rules.forms import CalendarDaysForm, RuleValueForm
from zhongxinzu.rules.models import CalendarDay, Rule, RuleValue
from zhongxinzu.rules.services import (
    calendar_day_delete,
    calendar_days_add,
    format_value,
    rule_value_clear,
    rule_value_set,
    rulebook_for,
)

supervisors = role_required(lambda p: p.is_supervisor)
calendar_editors = role_required(can_edit_calendar)


def _year(request) -> int:
    raw = request.GET.get("year") or request.POST.get("year_view") or ""
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year


def _subtree_unit(user, pk) -> Unit:
    """A unit of the user's supervised subtree: 404 outside it."""
    p = access.principal_of(user)
    try:
        return Unit.objects.filter(access.subtree_q(p.supervised)).get(pk=pk)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到或无权查看") from None


def _chosen_unit(request) -> Unit:
    p = access.principal_of(request.user)
    if code := request.GET.get("code", "").strip():
        unit = Unit.objects.filter(access.subtree_q(p.supervised), code=code).first()
        if unit is not None:
            return unit
        messages.error(request, f"您的督导范围内没有编码为“{code}”的单位")
    if request.GET.get("unit"):
        return _subtree_unit(request.user, request.GET["unit"])
    return p.supervised[0]


@require_GET
@supervisors
def rule_list(request):
    unit, year = _chosen_unit(request), _year(request)
    p = access.principal_of(request.user)
    book = rulebook_for(unit, year)
    here = {
        (v.rule_id, v.year): v
        for v in RuleValue.objects.filter(
            Q(year__isnull=True) | Q(year=year), scope=unit
        ).select_related("rule")
    }
    rows = [
        {
            "rule": rule,
            "value": format_value(rule, book.values.get(rule.key)),
            "source": book.sources.get(rule.key, "—"),
            "general": here.get((rule.pk, None)),
            "yearly": here.get((rule.pk, year)),
        }
        for rule in Rule.objects.all()
    ]
    overrides = RuleValue.objects.filter(access.subtree_q(p.supervised, "scope__")).select_related(
        "rule", "scope", "set_by"
    )
    page = paginate(request, overrides.order_by("scope__path", "rule_id", "year"))
    for v in page:
        v.shown = format_value(v.rule, v.value)
    in_scope = Unit.objects.filter(access.subtree_q(p.supervised))
    return render(
        request,
        "rules/rule_list.html",
        {
            "unit": unit,
            "year": year,
            "rows": rows,
            "page_obj": page,
            "querystring_base": querystring_without_page(request),
            "ancestors": in_scope.filter(path__in=ancestor_paths(unit)[:-1]).order_by("depth"),
            "children": in_scope.filter(access.subtree_q([unit]), depth=unit.depth + 1).order_by(
                "path"
            )[:200],
        },
    )


@require_http_methods(["GET", "POST"])
@supervisors
def value_set(request, pk):
    unit = _subtree_unit(request.user, pk)
    initial = {"rule": request.GET.get("rule"), "year": request.GET.get("year") or None}
    form = RuleValueForm(request.POST or None, initial=initial)
    if form.is_valid():
        data = form.cleaned_data
        try:
            rule_value_set(
                actor=request.user,
                rule=data["rule"],
                scope=unit,
                year=data["year"],
                value=data["value"],
                note=data["note"],
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            when = f"{data['year']}年度" if data["year"] else "各年度"
            messages.success(request, f"已设置“{unit.name}”{when}的“{data['rule'].label}”")
            url = reverse("rules:rule_list")
            return redirect(f"{url}?unit={unit.pk}&year={data['year'] or _year(request)}")
    return render(request, "rules/value_form.html", {"form": form, "unit": unit})


@require_POST
@supervisors
def value_clear(request, pk):
    p = access.principal_of(request.user)
    value = access.get_in(
        RuleValue.objects.filter(access.subtree_q(p.supervised, "scope__")).select_related(
            "rule", "scope"
        ),
        pk,
    )
    unit = value.scope
    try:
        rule_value_clear(actor=request.user, value=value)
    except ValidationError as e:
        fail(request, e)
    else:
        messages.success(request, f"已清除“{unit.name}”的“{value.rule.label}”设置，恢复上级取值")
    return redirect(f"{reverse('rules:rule_list')}?unit={unit.pk}&year={_year(request)}")


@require_http_methods(["GET", "POST"])
@calendar_editors
def calendar(request):
    year = year_param(request, timezone.localdate().year)
    form = CalendarDaysForm(request.POST or None)
    if form.is_valid():
        try:
            added = calendar_days_add(actor=request.user, lines=form.cleaned_data["lines"])
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, f"已录入{len(added)}天")
            return redirect(f"{reverse('rules:calendar')}?year={added[0].date.year}")
    return render(
        request,
        "rules/calendar.html",
        {
            "year": year,
            "days": CalendarDay.objects.filter(date__year=year),
            "years": sorted({d.year for d in CalendarDay.objects.dates("date", "year")} | {year}),
            "built_in": workdays.package_covers(year),
            "form": form,
        },
    )


@require_POST
@calendar_editors
def calendar_delete(request, pk):
    day = get_object_or_404(CalendarDay, pk=pk)
    calendar_day_delete(actor=request.user, day=day)
    messages.success(request, f"已删除“{day}”")
    return redirect(f"{reverse('rules:calendar')}?year={day.date.year}")
