"""/api/assessments: the yearly assessment (考核评价). A supervising unit's scheme for a year
and its subtree (indicators with weights summing to 100, computed from the records or scored
by hand with a reason, bonus/deduction adjustments with evidence), computation, ranking and
grades, the 约谈名单, publishing (locks the scheme and its results: a later change goes to a
new edition), the ranking as .xlsx and each group's score card.

Supervisors of the owner unit and above see and manage a scheme; a group's secretary and
leaders read their own group's results of published schemes; nobody else sees anything."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from ninja import Query, Router, Status

from zhongxinzu.api import scope
from zhongxinzu.api.assessment_schemas import (
    AdjustmentIn,
    AdjustmentOut,
    IndicatorOut,
    ManualScoresIn,
    ManualScoresOut,
    MyResultPage,
    ResultFilters,
    ResultPage,
    SchemeCreateIn,
    SchemeDetailOut,
    SchemeFilters,
    SchemePage,
    SchemeUpdateIn,
    ScoreCardOut,
    TalkListOut,
)
from zhongxinzu.api.common import (
    ERRORS,
    body_ref,
    changed_fields,
    file_operation,
    page,
    person_name,
)
from zhongxinzu.api.errors import FieldError
from zhongxinzu.api.routers.jobs import JobOut, job_out
from zhongxinzu.api.schemas import Id, PageParams, VersionIn
from zhongxinzu.assessment import metrics, services
from zhongxinzu.assessment.models import (
    Adjustment,
    AssessmentResult,
    AssessmentScheme,
    Indicator,
    ManualScore,
)
from zhongxinzu.assessment.views import record_links
from zhongxinzu.documents.assessment_xlsx import ranking_xlsx
from zhongxinzu.lib.xlsx import XLSX_CONTENT_TYPE, xlsx_response
from zhongxinzu.org import access

router = Router(tags=["考核评价"])

SchemeStatus = AssessmentScheme.Status
LOCKED = "该方案已发布，方案和考核结果已锁定；如需调整，请先创建新版本（new-edition）再修改"
SUPERSEDED = "该版本已被新版本替代，不能修改"


# --- rows ------------------------------------------------------------------------------


def _number(value) -> float | None:
    """A score as a JSON number (breakdowns keep scores as text; "" when not scored)."""
    if value in (None, ""):
        return None
    return float(Decimal(str(value)))


def _grades(grades: list) -> list[dict]:
    return [{"name": name, "threshold": threshold} for name, threshold in grades]


def _row(s: AssessmentScheme) -> dict:
    return {
        "id": s.pk,
        "owner_unit_id": s.owner_unit_id,
        "owner_unit_name": s.owner_unit.name,
        "year": s.year,
        "name": s.name,
        "edition": s.edition,
        "status": s.status,
        "status_label": s.get_status_display(),
        "previous_id": s.previous_id,
        "bottom_n": s.bottom_n,
        "grades": _grades(s.grades),
        "published_at": s.published_at,
        "published_by": person_name(s.published_by),
        "version": s.version,
    }


def _formula(i: Indicator) -> str:
    """How a computed indicator is calculated ("" for one scored by hand)."""
    return metrics.formula_of(i.metric) if i.method == Indicator.Method.COMPUTED else ""


def _indicator_row(i: Indicator) -> dict:
    computed = i.method == Indicator.Method.COMPUTED
    return {
        "id": i.pk,
        "order": i.order,
        "name": i.name,
        "weight": float(i.weight),
        "method": i.method,
        "method_label": i.get_method_display(),
        "metric": i.metric,
        "metric_label": dict(metrics.metric_choices()).get(i.metric, "") if computed else "",
        "formula": _formula(i),
        "description": i.description,
    }


def _adjustment_row(a: Adjustment) -> dict:
    return {
        "id": a.pk,
        "scheme_id": a.scheme_id,
        "group_id": a.group_id,
        "group_name": a.group.name,
        "points": float(a.points),
        "reason": a.reason,
        "evidence": a.evidence,
        "created_by": person_name(a.created_by),
    }


def _visible(user):
    return scope.schemes(user).select_related("owner_unit", "previous", "published_by")


def _one(user, pk: int) -> dict:
    s = (
        _visible(user)
        .prefetch_related(
            Prefetch(
                "adjustments",
                queryset=Adjustment.objects.select_related("group", "created_by").order_by("pk"),
            )
        )
        .get(pk=pk)
    )
    indicators = list(s.indicators.all())
    successor = AssessmentScheme.objects.filter(previous=s).order_by("-edition").first()
    return {
        **_row(s),
        "indicators": [_indicator_row(i) for i in indicators],
        "weight_total": float(services.weight_total(indicators)),
        "adjustments": [_adjustment_row(a) for a in s.adjustments.all()],
        "result_count": s.results.count(),
        "next_edition_id": successor.pk if successor else None,
    }


def _get(user, pk: int, *, draft: bool = False) -> AssessmentScheme:
    """A visible scheme (visible = managed); `draft`: refuse a published one, whose changes
    go to a new edition the caller creates explicitly."""
    scheme = scope.get(scope.schemes(user).select_related("owner_unit"), pk)
    if draft and scheme.status == SchemeStatus.PUBLISHED:
        raise ValidationError(LOCKED)
    if draft and scheme.status == SchemeStatus.SUPERSEDED:
        raise ValidationError(SUPERSEDED)
    return scheme


# --- schemes ---------------------------------------------------------------------------


@router.get("", response={200: SchemePage, **ERRORS}, summary="考核方案列表（督导）")
def scheme_list(request, filters: Query[SchemeFilters]):
    qs = _visible(request.auth)
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.owner_unit:
        qs = qs.filter(owner_unit_id=filters.owner_unit)
    qs = qs.order_by("-year", "owner_unit__path", "-edition", "id")
    return page(qs, filters, lambda rows: map(_row, rows))


@router.post(
    "",
    response={201: SchemeDetailOut, **ERRORS},
    summary="按默认指标创建年度考核方案（督导，草稿）",
)
def scheme_create(request, payload: SchemeCreateIn):
    user = request.auth
    if not access.principal_of(user).is_supervisor:
        raise PermissionDenied("只有督导人员可以制定考核方案")
    unit = body_ref(
        scope.supervised_units(user),
        payload.owner_unit,
        "owner_unit",
        "单位不存在或不在您的督导范围内",
    )
    scheme = services.scheme_create_default(actor=user, owner_unit=unit, year=payload.year)
    return Status(201, _one(user, scheme.pk))


# Before "/{scheme_id}": a path parameter matches any segment (its type is checked after
# routing).
@router.get(
    "/results",
    response={200: MyResultPage, **ERRORS},
    summary="可查看的考核结果（督导：所辖方案的结果；学习秘书、组长：本组已发布的结果）",
)
def result_list(request, filters: Query[ResultFilters]):
    qs = scope.assessment_results(request.auth).select_related("scheme", "group")
    if filters.year:
        qs = qs.filter(scheme__year=filters.year)
    if filters.scheme:
        qs = qs.filter(scheme_id=filters.scheme)
    if filters.group:
        qs = qs.filter(group_id=filters.group)
    qs = qs.order_by("-scheme__year", "-scheme__edition", "scheme_id", "rank", "id")

    def rows(results):
        for r in results:
            yield {
                "id": r.pk,
                "scheme_id": r.scheme_id,
                "scheme_name": r.scheme.name,
                "year": r.scheme.year,
                "edition": r.scheme.edition,
                "status": r.scheme.status,
                "group_id": r.group_id,
                "group_name": r.group.name,
                "total": float(r.total),
                "rank": r.rank,
                "grade": r.grade,
            }

    return page(qs, filters, rows)


@router.get(
    "/results/{result_id}",
    response={200: ScoreCardOut, **ERRORS},
    summary="考核得分卡：每项指标的计算公式、计量值、得分和依据记录，以及加扣分",
)
def result_detail(request, result_id: Id):
    result = scope.get(
        scope.assessment_results(request.auth).select_related("scheme__owner_unit", "group__unit"),
        result_id,
    )
    scheme = result.scheme
    lines = []
    for ind in scheme.indicators.all():
        entry = result.breakdown.get(str(ind.pk), {})
        records = entry.get("records", [])
        lines.append(
            {
                "indicator_id": ind.pk,
                "name": ind.name,
                "weight": float(ind.weight),
                "method": ind.method,
                "rule": _formula(ind) or ind.get_method_display(),
                "description": ind.description,
                "value": str(entry.get("value", "")),
                "formula": entry.get("formula", ""),
                "points": _number(entry.get("score")),
                "records": [
                    {"kind": r.get("kind", ""), "label": label, "url": url}
                    for r, (label, url) in zip(records, record_links(records, result), strict=True)
                ],
            }
        )
    return {
        "id": result.pk,
        "scheme_id": scheme.pk,
        "scheme_name": scheme.name,
        "year": scheme.year,
        "edition": scheme.edition,
        "status": scheme.status,
        "owner_unit_name": scheme.owner_unit.name,
        "group_id": result.group_id,
        "group_name": result.group.name,
        "unit_name": result.group.unit.name,
        "total": float(result.total),
        "rank": result.rank,
        "grade": result.grade,
        "group_count": scheme.results.count(),
        "computed_at": result.computed_at,
        "lines": lines,
        "adjustments": [
            {"points": float(a["points"]), "reason": a["reason"], "evidence": a["evidence"]}
            for a in result.breakdown.get("adjustments", [])
        ],
    }


@router.get(
    "/{scheme_id}",
    response={200: SchemeDetailOut, **ERRORS},
    summary="考核方案详情：指标、权重、计算公式、等次和加扣分",
)
def scheme_detail(request, scheme_id: Id):
    return _one(request.auth, _get(request.auth, scheme_id).pk)


@router.patch(
    "/{scheme_id}",
    response={200: SchemeDetailOut, **ERRORS},
    summary="修改草稿方案：名称、等次、末位数量和指标（只改提交的字段；权重之和须为100）",
)
def scheme_update(request, scheme_id: Id, payload: SchemeUpdateIn):
    user = request.auth
    scheme = _get(user, scheme_id, draft=True)
    data = changed_fields(payload)
    existing = {i.pk: i for i in scheme.indicators.all()}
    rows, seen = [], set()
    for row in data.get("indicators") or []:
        ind = existing.get(row["id"])
        if ind is None:
            raise FieldError("indicators", f"指标{row['id']}不属于该方案")
        if ind.pk in seen:
            raise FieldError("indicators", f"指标“{ind.name}”重复提交")
        seen.add(ind.pk)
        fields = ("name", "weight", "method", "metric", "description")
        rows.append({"id": ind.pk, **{f: getattr(ind, f) for f in fields}, **row})
    grades = scheme.grades
    if "grades" in data:
        grades = [[g["name"], _plain(g["threshold"])] for g in data["grades"] or []]
    services.scheme_update(
        actor=user,
        scheme=scheme,
        name=data.get("name", scheme.name),
        bottom_n=data.get("bottom_n", scheme.bottom_n),
        grades=grades,
        indicators=rows,
        expected_version=data["version"],
    )
    return _one(user, scheme.pk)


def _plain(value: Decimal) -> int | float:
    # Grades are stored as JSON: [["优秀", 90], ["良好", 82.5], …].
    return int(value) if value == value.to_integral_value() else float(value)


@router.post(
    "/{scheme_id}/indicators",
    response={201: IndicatorOut, **ERRORS},
    summary="添加人工评分指标（权重为0，再从其他指标调出分值）",
)
def indicator_create(request, scheme_id: Id):
    user = request.auth
    indicator = services.indicator_add(actor=user, scheme=_get(user, scheme_id, draft=True))
    return Status(201, _indicator_row(indicator))


@router.delete(
    "/{scheme_id}/indicators/{indicator_id}",
    response={204: None, **ERRORS},
    summary="删除指标（须先把权重调为0）",
)
def indicator_delete(request, scheme_id: Id, indicator_id: Id):
    user = request.auth
    scheme = _get(user, scheme_id, draft=True)
    indicator = scope.get(scheme.indicators.select_related("scheme__owner_unit"), indicator_id)
    services.indicator_delete(actor=user, indicator=indicator)
    return Status(204, None)


@router.put(
    "/{scheme_id}/manual-scores",
    response={200: ManualScoresOut, **ERRORS},
    summary="人工评分：为人工评分指标登记各中心组得分和理由（得分为空则清除）",
)
def manual_scores_set(request, scheme_id: Id, payload: ManualScoresIn):
    user = request.auth
    scheme = _get(user, scheme_id, draft=True)
    indicator = body_ref(
        scheme.indicators.select_related("scheme__owner_unit"),
        payload.indicator,
        "indicator",
        "指标不属于该方案",
    )
    scores = {}
    for row in payload.scores:
        if row.group in scores:
            raise FieldError("scores", "同一中心组只能出现一次")
        scores[row.group] = (row.score, row.reason)
    target = services.manual_scores_set(actor=user, indicator=indicator, scores=scores)
    saved = (
        ManualScore.objects.filter(indicator=target)
        .select_related("group__unit", "scored_by")
        .order_by("group__unit__path")
    )
    return {
        "indicator_id": target.pk,
        "scheme_id": target.scheme_id,
        "scores": [
            {
                "group_id": m.group_id,
                "group_name": m.group.name,
                "score": float(m.score),
                "reason": m.reason,
                "scored_by": person_name(m.scored_by),
            }
            for m in saved
        ],
    }


@router.post(
    "/{scheme_id}/adjustments",
    response={201: AdjustmentOut, **ERRORS},
    summary="登记加分或扣分（须填写事由和依据）",
)
def adjustment_create(request, scheme_id: Id, payload: AdjustmentIn):
    user = request.auth
    scheme = _get(user, scheme_id, draft=True)
    group = body_ref(
        services.subtree_groups(scheme.owner_unit), payload.group, "group", "中心组不在考核范围内"
    )
    adjustment = services.adjustment_add(
        actor=user,
        scheme=scheme,
        group=group,
        points_=payload.points,
        reason=payload.reason,
        evidence=payload.evidence,
    )
    return Status(
        201,
        _adjustment_row(
            Adjustment.objects.select_related("group", "created_by").get(pk=adjustment.pk)
        ),
    )


@router.delete(
    "/{scheme_id}/adjustments/{adjustment_id}",
    response={204: None, **ERRORS},
    summary="删除加扣分",
)
def adjustment_delete(request, scheme_id: Id, adjustment_id: Id):
    user = request.auth
    scheme = _get(user, scheme_id, draft=True)
    adjustment = scope.get(scheme.adjustments.select_related("scheme__owner_unit"), adjustment_id)
    services.adjustment_delete(actor=user, adjustment=adjustment)
    return Status(204, None)


@router.post(
    "/{scheme_id}/compute",
    response={202: JobOut, **ERRORS},
    summary=(
        "计算考核结果（草稿方案）：在后台计算各中心组得分、排名和等次，"
        "返回后台任务，用 GET /api/jobs/{id} 查看进度"
    ),
)
def scheme_compute(request, scheme_id: Id):
    user = request.auth
    scheme = _get(user, scheme_id)
    return Status(202, job_out(services.scheme_compute_start(actor=user, scheme=scheme)))


@router.post(
    "/{scheme_id}/publish",
    response={200: SchemeDetailOut, **ERRORS},
    summary="发布考核结果：方案和结果锁定，此后的修改须创建新版本",
)
def scheme_publish(request, scheme_id: Id, payload: VersionIn):
    user = request.auth
    scheme = _get(user, scheme_id)
    services.scheme_publish(actor=user, scheme=scheme, expected_version=payload.version)
    return _one(user, scheme.pk)


@router.post(
    "/{scheme_id}/new-edition",
    response={200: SchemeDetailOut, 201: SchemeDetailOut, **ERRORS},
    summary="为已发布的方案创建新版本（草稿，复制指标、人工评分和加扣分；已有则返回该草稿）",
)
def scheme_new_edition(request, scheme_id: Id):
    user = request.auth
    scheme = _get(user, scheme_id)
    existed = AssessmentScheme.objects.filter(previous=scheme, status=SchemeStatus.DRAFT).exists()
    draft = services.scheme_new_edition(actor=user, scheme=scheme)
    return Status(200 if existed else 201, _one(user, draft.pk))


# --- results ---------------------------------------------------------------------------


@router.get(
    "/{scheme_id}/results",
    response={200: ResultPage, **ERRORS},
    summary="考核排名：名次、中心组、总分、等次和各指标得分",
)
def scheme_results(request, scheme_id: Id, params: Query[PageParams]):
    scheme = _get(request.auth, scheme_id)
    indicators = list(scheme.indicators.all())
    # Page through narrow rows (ids only), then load the page's results with their
    # breakdowns, as the ranking page does: sorting every row with its JSON is what costs.
    ids = scheme.results.order_by("rank", "group__unit__path").values_list("pk", flat=True)

    def rows(page_ids):
        found = AssessmentResult.objects.filter(pk__in=page_ids).select_related("group__unit")
        by_pk = {r.pk: r for r in found}
        for pk in page_ids:
            r = by_pk[pk]
            adjustments = r.breakdown.get("adjustments", [])
            yield {
                "id": r.pk,
                "scheme_id": r.scheme_id,
                "rank": r.rank,
                "group_id": r.group_id,
                "group_name": r.group.name,
                "unit_id": r.group.unit_id,
                "unit_name": r.group.unit.name,
                "total": float(r.total),
                "grade": r.grade,
                "points": [
                    {
                        "indicator_id": i.pk,
                        "indicator_name": i.name,
                        "points": _number(r.breakdown.get(str(i.pk), {}).get("score")),
                    }
                    for i in indicators
                ],
                "adjustment_total": float(sum(Decimal(a["points"]) for a in adjustments)),
            }

    return page(ids, params, rows)


@router.get(
    "/{scheme_id}/talk-list",
    response={200: TalkListOut, **ERRORS},
    summary="约谈名单：本年度和上年度连续两年排名末位（或最低等次）的中心组",
)
def talk_list(request, scheme_id: Id):
    scheme = _get(request.auth, scheme_id)
    previous = services.previous_year_scheme(scheme)
    groups = services.talk_list(scheme=scheme)
    now, before = {}, {}
    if groups:
        now = {r.group_id: r for r in scheme.results.filter(group__in=groups)}
        before = {r.group_id: r for r in previous.results.filter(group__in=groups)}
    items = []
    for g in groups:
        this, last = now.get(g.pk), before.get(g.pk)
        items.append(
            {
                "group_id": g.pk,
                "group_name": g.name,
                "unit_id": g.unit_id,
                "unit_name": g.unit.name,
                "rank": this.rank if this else None,
                "total": float(this.total) if this else None,
                "grade": this.grade if this else "",
                "previous_rank": last.rank if last else None,
                "previous_total": float(last.total) if last else None,
                "previous_grade": last.grade if last else "",
            }
        )
    return {
        "scheme_id": scheme.pk,
        "year": scheme.year,
        "bottom_n": scheme.bottom_n,
        "previous_scheme_id": previous.pk if previous else None,
        "items": items,
        "count": len(items),
    }


@router.get(
    "/{scheme_id}/ranking.xlsx",
    response=ERRORS,
    summary="下载考核排名（Excel，含约谈名单）",
    openapi_extra=file_operation(XLSX_CONTENT_TYPE, "考核结果 .xlsx"),
)
def ranking_export(request, scheme_id: Id):
    user = request.auth
    scheme = _get(user, scheme_id)
    results = scheme.results.select_related("group__unit").order_by("rank", "group__unit__path")
    data = ranking_xlsx(
        scheme=scheme,
        indicators=list(scheme.indicators.all()),
        results=results.iterator(chunk_size=1000),
        talk_list=services.talk_list(scheme=scheme),
    )
    return xlsx_response(
        request,
        f"{scheme.year}年度考核结果（第{scheme.edition}版）.xlsx",
        data,
        obj=scheme,
        action="export",
        detail={"document": "assessment_ranking", "edition": scheme.edition},
    )
