"""/api/score-sheets: the observers' score sheets (旁听评分表) for a visit, the team's
average, the statistics per group, team and period, and the templates.

Read by the supervisors of the host group's subtree and by the observers of the visiting
team; only those observers fill in their own sheet. A sheet still being filled in (暂存) is
seen by its observer only, as on the pages, where the record sheet lists submitted ones."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from ninja import Query, Router, Status

from zhongxinzu.api import scope
from zhongxinzu.api.common import ERRORS, body_ref, page
from zhongxinzu.api.errors import FieldDenied, FieldError
from zhongxinzu.api.problem_schemas import (
    ScoreStatsOut,
    ScoreStatsParams,
    ScoreTemplatePage,
    SheetDetailOut,
    SheetFilters,
    SheetPage,
    SheetSaveIn,
    VisitScoresOut,
)
from zhongxinzu.api.schemas import Id, PageParams
from zhongxinzu.org import access
from zhongxinzu.supervision import scoring
from zhongxinzu.supervision.models import ScoreItem, ScoreSheet

router = Router(tags=["旁听评分表"])

OBSERVERS_ONLY = "只有旁听组成员可以填写评分表"
SUPERVISORS_ONLY = "只有督导单位可以查看"


def _num(value):
    return float(value) if value is not None else None


def _sheets(user):
    """Sheets of the visits the user may read the scores of: the submitted ones and the
    user's own."""
    return ScoreSheet.objects.filter(visit__in=scope.scored_visits(user)).filter(
        Q(submitted_at__isnull=False) | Q(observer__user=user)
    )


def _row(s: ScoreSheet, user) -> dict:
    visit = s.visit
    return {
        "id": s.pk,
        "visit_id": s.visit_id,
        "group_id": visit.group_id,
        "group_name": visit.group.name,
        "team_id": visit.team_id,
        "team_name": visit.team.name if visit.team_id else "",
        "planned_on": visit.planned_on,
        "observer_id": s.observer_id,
        "observer_name": s.observer.name,
        "template_id": s.template_id,
        "total": _num(s.total),
        "grade": s.grade,
        "remarks": s.remarks,
        "submitted_at": s.submitted_at,
        "mine": s.observer.user_id == user.pk,
        "version": s.version,
    }


def _detail(s: ScoreSheet, user, items: list[ScoreItem]) -> dict:
    entries = {e.item_id: e for e in s.entries.all()}
    return {
        **_row(s, user),
        "template_name": s.template.name,
        "entries": [
            {
                "item_id": i.pk,
                "title": i.title,
                "points": i.points,
                "guidance": i.guidance,
                "score": _num(entries[i.pk].score) if i.pk in entries else None,
                "remark": entries[i.pk].remark if i.pk in entries else "",
            }
            for i in items
        ],
    }


def _one(user, pk: int) -> dict:
    s = (
        ScoreSheet.objects.select_related("visit__group", "visit__team", "observer", "template")
        .prefetch_related("entries")
        .get(pk=pk)
    )
    return _detail(s, user, list(s.template.items.all()))


@router.get("", response={200: SheetPage, **ERRORS}, summary="旁听评分表列表")
def sheet_list(request, filters: Query[SheetFilters]):
    user = request.auth
    qs = _sheets(user).select_related("visit__group", "visit__team", "observer")
    if filters.visit:
        qs = qs.filter(visit_id=filters.visit)
    if filters.group:
        qs = qs.filter(visit__group_id=filters.group)
    if filters.team:
        qs = qs.filter(visit__team_id=filters.team)
    if filters.year:
        qs = qs.filter(visit__planned_on__year=filters.year)
    if filters.mine is not None:
        qs = qs.filter(observer__user=user) if filters.mine else qs.exclude(observer__user=user)
    if filters.submitted is not None:
        qs = qs.filter(submitted_at__isnull=not filters.submitted)
    qs = qs.order_by("-visit__planned_on", "visit_id", "id")
    return page(qs, filters, lambda rows: (_row(s, user) for s in rows))


# Before "/{sheet_id}": a path parameter matches any segment (its type is checked after
# routing).
@router.get(
    "/templates",
    response={200: ScoreTemplatePage, **ERRORS},
    summary="评分表模板：平台默认模板和督导范围内单位的模板（督导）",
)
def template_list(request, params: Query[PageParams]):
    user = request.auth
    if not access.principal_of(user).is_supervisor:
        raise PermissionDenied(SUPERVISORS_ONLY)
    qs = (
        scoring.templates_visible(user)
        .select_related("owner_unit")
        .prefetch_related(Prefetch("items", queryset=ScoreItem.objects.order_by("order", "id")))
        .order_by("id")
    )

    def rows(templates):
        for t in templates:
            yield {
                "id": t.pk,
                "name": t.name,
                "owner_unit_id": t.owner_unit_id,
                "owner_unit_name": t.owner_unit.name if t.owner_unit_id else "",
                "is_active": t.is_active,
                "can_edit": scoring.can_edit_template(user, t),
                "grades": [
                    {"label": label, "minimum": minimum}
                    for label, minimum in t.grades or scoring.DEFAULT_GRADES
                ],
                "items": [
                    {
                        "id": i.pk,
                        "order": i.order,
                        "title": i.title,
                        "points": i.points,
                        "guidance": i.guidance,
                    }
                    for i in t.items.all()
                ],
            }

    return page(qs, params, rows)


@router.get(
    "/stats",
    response={200: ScoreStatsOut, **ERRORS},
    summary="旁听评分统计：按中心组、按旁听组的次数、平均分、最低分和等次分布（督导）",
)
def sheet_stats(request, params: Query[ScoreStatsParams]):
    user = request.auth
    if not access.principal_of(user).is_supervisor:
        raise PermissionDenied(SUPERVISORS_ONLY)
    if params.start and params.end and params.start > params.end:
        raise FieldError("end", "截止日期不能早于起始日期")
    stats = scoring.score_stats(
        user, start=params.start, end=params.end, threshold=params.threshold
    )

    def rows(stat_rows):
        return [
            {
                "id": r.key,
                "name": r.label,
                "visits": r.visits,
                "average": _num(r.average),
                "minimum": _num(r.minimum),
                "below": r.below,
                "grades": [{"label": label, "count": n} for label, n in r.grade_list],
            }
            for r in stat_rows
        ]

    return {
        "threshold": int(stats.threshold),
        "visits": stats.visits,
        "average": _num(stats.average),
        "grades": [{"label": label, "count": n} for label, n in stats.grade_list],
        "by_group": rows(stats.by_group),
        "by_team": rows(stats.by_team),
    }


@router.get(
    "/visits/{visit_id}",
    response={200: VisitScoresOut, **ERRORS},
    summary="一次旁听的评分：各评分表、旁听组得分（已提交评分表的平均分）和等次、各项平均分",
)
def visit_scores(request, visit_id: Id):
    user = request.auth
    visit = scope.get(scope.scored_visits(user).select_related("group__unit", "team"), visit_id)
    scores = scoring.visit_scores(visit)
    template = (
        scores.sheets[0].template if scores.sheets else scoring.template_for_group(visit.group)
    )
    items = list(template.items.all())
    shown = [s for s in scores.sheets if s.submitted_at or s.observer.user_id == user.pk]
    for s in shown:
        s.visit = visit  # the rows read the visit's group and team
    return {
        "visit_id": visit.pk,
        "group_id": visit.group_id,
        "group_name": visit.group.name,
        "team_id": visit.team_id,
        "team_name": visit.team.name if visit.team_id else "",
        "planned_on": visit.planned_on,
        "template_id": template.pk,
        "template_name": template.name,
        "sheet_count": len(scores.sheets),
        "submitted_count": len(scores.submitted),
        "average": _num(scores.average),
        "grade": scores.grade,
        "items": [
            {
                "item_id": i.pk,
                "title": i.title,
                "points": i.points,
                "average": _num(scores.item_averages.get(i.pk)),
            }
            for i in items
        ],
        "sheets": [_detail(s, user, items) for s in shown],
        "can_fill": scoring.observer_expert(user, visit) is not None,
    }


@router.get("/{sheet_id}", response={200: SheetDetailOut, **ERRORS}, summary="旁听评分表详情")
def sheet_detail(request, sheet_id: Id):
    user = request.auth
    return _one(user, scope.get(_sheets(user), sheet_id).pk)


@router.post(
    "",
    response={200: SheetDetailOut, 201: SheetDetailOut, **ERRORS},
    summary="填写本人的评分表：暂存，或提交（submit=true，每项均须打分，提交后不能再修改）",
)
def sheet_save(request, payload: SheetSaveIn):
    """One call per save: the entries sent replace the ones saved before. The observer's
    sheet for the visit is created on the first save (201), updated after (200, with the
    version read). A score out of range refuses the whole save, naming the item."""
    user = request.auth
    if not access.principal_of(user).is_observer:
        raise PermissionDenied(OBSERVERS_ONLY)
    visit = body_ref(
        scope.scored_visits(user).select_related("group__unit"),
        payload.visit,
        "visit",
        "旁听不存在或不在您的查看范围内",
    )
    expert = scoring.observer_expert(user, visit)
    if expert is None:
        raise FieldDenied("visit", OBSERVERS_ONLY)
    existing = ScoreSheet.objects.filter(visit=visit, observer=expert).select_related("template")
    existing = existing.first()
    if existing is not None and payload.version is None:
        raise FieldError("version", "该评分表已保存过，请带上读取时得到的版本号")
    template = existing.template if existing else scoring.template_for_group(visit.group)
    items = {i.pk: i for i in template.items.all()}
    scores, remarks = {}, {}
    for entry in payload.entries:
        if entry.item not in items:
            raise FieldError("entries", f"评分项目{entry.item}不属于“{template.name}”")
        if entry.item in scores:
            raise FieldError("entries", f"“{items[entry.item].title}”重复填写")
        scores[entry.item] = entry.score
        remarks[entry.item] = entry.remark
    sheet = scoring.score_sheet_save(
        actor=user,
        visit=visit,
        scores=scores,
        remarks=remarks,
        overall=payload.remarks,
        submit=payload.submit,
        expected_version=payload.version,
    )
    return Status(201 if existing is None else 200, _one(user, sheet.pk))
