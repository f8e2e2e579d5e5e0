"""Pages of the yearly assessment (考核评价): schemes for supervisors, ranking, score cards
(also for the assessed group's own staff once published) and the .xlsx export."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongxinzu.assessment import forms, metrics, services
from zhongxinzu.assessment.models import (
    Adjustment,
    AssessmentResult,
    AssessmentScheme,
    Indicator,
    ManualScore,
)
from zhongxinzu.assessment.selectors import results_visible, schemes_visible
from zhongxinzu.documents.assessment_xlsx import ranking_xlsx, talk_list_xlsx
from zhongxinzu.lib.views import (
    apply_errors,
    fail,
    paginate,
    querystring_without_page,
    role_required,
)
from zhongxinzu.lib.xlsx import xlsx_response
from zhongxinzu.org import access

supervisors = role_required(lambda p: p.is_supervisor)
readers = role_required(lambda p: p.is_supervisor or bool(p.staff_group_ids()))
Status = AssessmentScheme.Status


def _scheme_for(request, pk) -> AssessmentScheme:
    return access.get_in(schemes_visible(request.user), pk)


# --- schemes ---------------------------------------------------------------------------


@require_GET
@supervisors
def scheme_list(request):
    units = access.principal_of(request.user).supervised
    page = paginate(
        request, schemes_visible(request.user).order_by("-year", "owner_unit__path", "-edition")
    )
    return render(
        request,
        "assessment/scheme_list.html",
        {"page_obj": page, "form": forms.SchemeCreateForm(units=units), "querystring_base": ""},
    )


@require_http_methods(["GET", "POST"])
@supervisors
def scheme_create(request):
    units = access.principal_of(request.user).supervised
    form = forms.SchemeCreateForm(request.POST or None, units=units)
    if form.is_valid():
        try:
            scheme = services.scheme_create_default(actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "已按默认指标创建考核方案，可调整指标和权重")
            return redirect("assessment:scheme_detail", pk=scheme.pk)
    return render(request, "assessment/scheme_create.html", {"form": form})


@require_GET
@supervisors
def scheme_detail(request, pk):
    scheme = _scheme_for(request, pk)
    indicators = list(scheme.indicators.all())
    for i in indicators:
        i.formula = metrics.formula_of(i.metric) if i.method == Indicator.Method.COMPUTED else ""
    groups = services.subtree_groups(scheme.owner_unit)
    return render(
        request,
        "assessment/scheme_detail.html",
        {
            "scheme": scheme,
            "indicators": indicators,
            "weight_total": services.weight_total(indicators),
            "adjustments": scheme.adjustments.select_related("group").order_by("pk"),
            "adjustment_form": forms.AdjustmentForm(groups=groups),
            "result_count": scheme.results.count(),
            "draft": scheme.status == Status.DRAFT,
            "successor": AssessmentScheme.objects.filter(previous=scheme).first(),
        },
    )


def _indicator_rows(post, indicators) -> list[dict]:
    return [
        {
            "id": i.pk,
            "name": post.get(f"name_{i.pk}", ""),
            "weight": post.get(f"weight_{i.pk}", ""),
            "method": post.get(f"method_{i.pk}", ""),
            "metric": post.get(f"metric_{i.pk}", ""),
            "description": post.get(f"description_{i.pk}", ""),
        }
        for i in indicators
    ]


@require_http_methods(["GET", "POST"])
@supervisors
def scheme_edit(request, pk):
    scheme = _scheme_for(request, pk)
    if scheme.status != Status.DRAFT:
        messages.error(request, "已发布的方案为只读，如需调整请先创建新版本")
        return redirect("assessment:scheme_detail", pk=scheme.pk)
    indicators = list(scheme.indicators.all())
    initial = {
        "version": scheme.version,
        "name": scheme.name,
        "bottom_n": scheme.bottom_n,
        "grades": services.grades_text(scheme.grades),
    }
    form = forms.SchemeForm(request.POST or None, initial=initial)
    rows = [
        {
            "id": i.pk,
            "name": i.name,
            "weight": i.weight,
            "method": i.method,
            "metric": i.metric,
            "description": i.description,
        }
        for i in indicators
    ]
    if request.method == "POST":
        rows = _indicator_rows(request.POST, indicators)
        if form.is_valid():
            data = form.cleaned_data
            try:
                draft = services.scheme_update(
                    actor=request.user,
                    scheme=scheme,
                    name=data["name"],
                    bottom_n=data["bottom_n"],
                    grades=services.parse_grades(data["grades"]),
                    indicators=rows,
                    expected_version=data["version"],
                )
            except ValidationError as e:
                apply_errors(form, e)
            else:
                messages.success(request, "考核方案已保存，请重新计算考核结果")
                return redirect("assessment:scheme_detail", pk=draft.pk)
    return render(
        request,
        "assessment/scheme_edit.html",
        {
            "scheme": scheme,
            "form": form,
            "rows": rows,
            "methods": Indicator.Method.choices,
            "metric_choices": metrics.metric_choices(),
        },
    )


@require_POST
@supervisors
def indicator_add(request, pk):
    scheme = _scheme_for(request, pk)
    try:
        ind = services.indicator_add(actor=request.user, scheme=scheme)
    except ValidationError as e:
        fail(request, e)
        return redirect("assessment:scheme_detail", pk=scheme.pk)
    messages.success(request, "已添加指标（权重为0），请设置名称和权重")
    return redirect("assessment:scheme_edit", pk=ind.scheme_id)


@require_POST
@supervisors
def indicator_delete(request, pk):
    indicator = access.get_in(
        Indicator.objects.filter(scheme__in=schemes_visible(request.user)).select_related("scheme"),
        pk,
    )
    try:
        draft = services.indicator_delete(actor=request.user, indicator=indicator)
    except ValidationError as e:
        fail(request, e)
        return redirect("assessment:scheme_detail", pk=indicator.scheme_id)
    messages.success(request, "指标已删除")
    return redirect("assessment:scheme_detail", pk=draft.pk)


@require_http_methods(["GET", "POST"])
@supervisors
def manual_scores(request, pk):
    indicator = access.get_in(
        Indicator.objects.filter(scheme__in=schemes_visible(request.user)).select_related(
            "scheme__owner_unit"
        ),
        pk,
    )
    scheme = indicator.scheme
    page = paginate(request, services.subtree_groups(scheme.owner_unit))
    groups = list(page)
    editable = indicator.method == Indicator.Method.MANUAL and scheme.status == Status.DRAFT
    if request.method == "POST" and not editable:
        messages.error(request, "该指标不能在本版本上人工评分（已发布的方案为只读）")
        return redirect("assessment:manual_scores", pk=indicator.pk)
    if request.method == "POST":
        try:
            scores = _posted_scores(request.POST, groups)
            target = services.manual_scores_set(
                actor=request.user, indicator=indicator, scores=scores
            )
        except ValidationError as e:
            fail(request, e)
        else:
            messages.success(request, "评分已保存，请重新计算考核结果")
            return redirect("assessment:manual_scores", pk=target.pk)
    existing = {
        m.group_id: m for m in ManualScore.objects.filter(indicator=indicator, group__in=groups)
    }
    rows = [(g, existing.get(g.pk)) for g in groups]
    return render(
        request,
        "assessment/manual_scores.html",
        {
            "indicator": indicator,
            "scheme": scheme,
            "rows": rows,
            "page_obj": page,
            "querystring_base": querystring_without_page(request),
            "editable": editable,
        },
    )


def _posted_scores(post, groups) -> dict:
    scores = {}
    for g in groups:
        raw = post.get(f"score_{g.pk}", "").strip()
        reason = post.get(f"reason_{g.pk}", "")
        if not raw:
            scores[g.pk] = (None, reason)
            continue
        try:
            scores[g.pk] = (Decimal(raw), reason)
        except InvalidOperation:
            raise ValidationError(f"{g.name}的得分不是数字") from None
    return scores


@require_POST
@supervisors
def adjustment_add(request, pk):
    scheme = _scheme_for(request, pk)
    form = forms.AdjustmentForm(request.POST, groups=services.subtree_groups(scheme.owner_unit))
    if not form.is_valid():
        messages.error(
            request,
            "加扣分信息不完整："
            + "；".join(
                f"{form.fields[f].label if f in form.fields else ''}{'、'.join(e)}"
                for f, e in form.errors.items()
            ),
        )
        return redirect("assessment:scheme_detail", pk=scheme.pk)
    data = form.cleaned_data
    try:
        adj = services.adjustment_add(
            actor=request.user,
            scheme=scheme,
            group=data["group"],
            points_=data["points"],
            reason=data["reason"],
            evidence=data["evidence"],
        )
    except ValidationError as e:
        fail(request, e)
        return redirect("assessment:scheme_detail", pk=scheme.pk)
    messages.success(request, "加扣分已登记，请重新计算考核结果")
    return redirect("assessment:scheme_detail", pk=adj.scheme_id)


@require_POST
@supervisors
def adjustment_delete(request, pk):
    adjustment = access.get_in(
        Adjustment.objects.filter(scheme__in=schemes_visible(request.user)).select_related(
            "scheme"
        ),
        pk,
    )
    try:
        draft = services.adjustment_delete(actor=request.user, adjustment=adjustment)
    except ValidationError as e:
        fail(request, e)
        return redirect("assessment:scheme_detail", pk=adjustment.scheme_id)
    messages.success(request, "加扣分已删除")
    return redirect("assessment:scheme_detail", pk=draft.pk)


@require_POST
@supervisors
def scheme_compute(request, pk):
    """Queue the computation as a background job and show its progress page."""
    scheme = _scheme_for(request, pk)
    try:
        job = services.scheme_compute_start(actor=request.user, scheme=scheme)
    except ValidationError as e:
        fail(request, e)
        return redirect("assessment:scheme_detail", pk=scheme.pk)
    messages.success(request, "考核结果正在后台计算，可离开本页，稍后在“后台任务”中查看")
    return redirect("jobs:detail", pk=job.pk)


@require_http_methods(["GET", "POST"])
@supervisors
def scheme_publish(request, pk):
    scheme = _scheme_for(request, pk)
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        try:
            services.scheme_publish(actor=request.user, scheme=scheme, expected_version=version)
        except ValidationError as e:
            fail(request, e)
        else:
            messages.success(request, "考核结果已发布，方案和结果已锁定")
        return redirect("assessment:scheme_detail", pk=scheme.pk)
    return render(
        request,
        "assessment/scheme_publish.html",
        {"scheme": scheme, "result_count": scheme.results.count()},
    )


@require_POST
@supervisors
def scheme_new_edition(request, pk):
    scheme = _scheme_for(request, pk)
    try:
        draft = services.scheme_new_edition(actor=request.user, scheme=scheme)
    except ValidationError as e:
        fail(request, e)
        return redirect("assessment:scheme_detail", pk=scheme.pk)
    messages.success(request, f"已创建第{draft.edition}版（草稿），修改后重新计算并发布")
    return redirect("assessment:scheme_detail", pk=draft.pk)


# --- results ---------------------------------------------------------------------------


@require_GET
@supervisors
def ranking(request, pk):
    scheme = _scheme_for(request, pk)
    indicators = list(scheme.indicators.all())
    # Page through narrow rows (ids only), then load the page's results with their
    # breakdowns: sorting 5,000 rows with their JSON to reach a late page is what costs.
    ids = scheme.results.order_by("rank", "group__unit__path").values_list("pk", flat=True)
    if grade := request.GET.get("grade", "").strip():  # the 驾驶舱's links
        ids = ids.filter(grade=grade)
    page = paginate(request, ids)
    found = AssessmentResult.objects.filter(pk__in=list(page)).select_related("group__unit")
    by_pk = {r.pk: r for r in found}
    rows = [
        (r, [r.breakdown.get(str(i.pk), {}).get("score", "") for i in indicators])
        for r in (by_pk[pk] for pk in page)
    ]
    return render(
        request,
        "assessment/ranking.html",
        {
            "scheme": scheme,
            "indicators": indicators,
            "rows": rows,
            "page_obj": page,
            "querystring_base": querystring_without_page(request),
            "talk_list": services.talk_list(scheme=scheme),
            "previous_year": services.previous_year_scheme(scheme),
        },
    )


@require_GET
@supervisors
def ranking_export(request, pk):
    scheme = _scheme_for(request, pk)
    indicators = list(scheme.indicators.all())
    results = scheme.results.select_related("group__unit").order_by("rank", "group__unit__path")
    if grade := request.GET.get("grade", "").strip():  # as the ranking page filters
        results = results.filter(grade=grade)
    data = ranking_xlsx(
        scheme=scheme,
        indicators=indicators,
        results=results.iterator(chunk_size=1000),
        talk_list=services.talk_list(scheme=scheme),
    )
    return xlsx_response(
        request,
        f"{scheme.year}年度考核结果（第{scheme.edition}版）.xlsx",
        data,
        action="export",
        obj=scheme,
        detail={"document": "assessment_ranking", "edition": scheme.edition},
    )


@require_GET
@supervisors
def talk_list_export(request, pk):
    """约谈名单 as the ranking page lists it, with both years' rank and grade."""
    scheme = _scheme_for(request, pk)
    previous = services.previous_year_scheme(scheme)
    groups = services.talk_list(scheme=scheme)
    results = {}
    if previous is not None and groups:
        found = AssessmentResult.objects.filter(scheme__in=[scheme, previous], group__in=groups)
        results = {(r.scheme_id, r.group_id): r for r in found}
    rows = [
        (g, results.get((scheme.pk, g.pk)), results.get((previous.pk, g.pk)) if previous else None)
        for g in groups
    ]
    data = talk_list_xlsx(scheme=scheme, previous=previous or scheme, rows=rows)
    return xlsx_response(
        request,
        f"{scheme.year}年度约谈名单（第{scheme.edition}版）.xlsx",
        data,
        action="export",
        obj=scheme,
        detail={"document": "talk_list", "edition": scheme.edition},
    )


def record_links(records: list[dict], result: AssessmentResult) -> list[tuple[str, str]]:
    """(label, url) for the record references of a breakdown entry ("" where no page)."""
    links = []
    year = result.scheme.year
    for r in records:
        kind, url = r.get("kind"), ""
        if kind == "compliance" and r.get("key"):
            url = reverse("compliance:records", args=[result.group_id, r["key"]])
            url += f"?year={year}"
        elif kind == "compliance":
            url = reverse("compliance:group_detail", args=[result.group_id]) + f"?year={year}"
        elif kind == "plan" and r.get("id"):
            url = reverse("plans:plan_detail", args=[r["id"]])
        elif kind == "outputs":
            url = reverse("outputs:output_list")
        links.append((r.get("label", ""), url))
    return links


@require_GET
@readers
def result_detail(request, pk):
    result = access.get_in(
        results_visible(request.user).select_related("scheme__owner_unit", "group__unit"), pk
    )
    lines = []
    for ind in result.scheme.indicators.all():
        entry = result.breakdown.get(str(ind.pk), {})
        lines.append(
            {
                "indicator": ind,
                "score": entry.get("score", ""),
                "value": entry.get("value", ""),
                "formula": entry.get("formula", ""),
                "links": record_links(entry.get("records", []), result),
            }
        )
    return render(
        request,
        "assessment/result_detail.html",
        {
            "result": result,
            "scheme": result.scheme,
            "lines": lines,
            "adjustments": result.breakdown.get("adjustments", []),
            "count": result.scheme.results.count(),
            "is_supervisor": services.can_manage(request.user, result.scheme),
        },
    )


@require_GET
@readers
def my_results(request):
    p = access.principal_of(request.user)
    results = (
        AssessmentResult.objects.filter(
            group_id__in=p.staff_group_ids(), scheme__status=Status.PUBLISHED
        )
        .select_related("scheme__owner_unit", "group")
        .order_by("-scheme__year", "group__unit__path")
    )
    return render(request, "assessment/my_results.html", {"results": results})
