"""Writes and reads of the yearly assessment (考核评价): schemes, indicators, manual scores,
adjustments, computation, publishing and the 约谈名单.

A scheme is edited while it is a draft; changing it drops its computed results (they must
be computed again before publishing). Publishing locks a scheme. Any later change to a
published scheme goes to a new edition (a draft copying its indicators, manual scores and
adjustments, `previous` pointing back); publishing that edition marks the previous one
superseded. Every write checks the actor, runs atomically and is audited.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from zhongxinzu.assessment import metrics
from zhongxinzu.assessment.models import (
    Adjustment,
    AssessmentResult,
    AssessmentScheme,
    Indicator,
    ManualScore,
)
from zhongxinzu.audit.services import audit_record
from zhongxinzu.lib.versioning import save_versioned
from zhongxinzu.org.access import in_subtree, principal_of, subtree_q, supervises
from zhongxinzu.org.models import StudyGroup, Unit

TENTH = Decimal("0.1")
Status = AssessmentScheme.Status


def points(value) -> Decimal:
    """A score rounded half up to one decimal."""
    return Decimal(str(value)).quantize(TENTH, rounding=ROUND_HALF_UP)


def _num(d: Decimal) -> str:
    return f"{d.normalize():f}" if d == d.to_integral() else f"{d:f}"


# --- reads -----------------------------------------------------------------------------


def can_manage(user, scheme: AssessmentScheme) -> bool:
    """Supervisors of the owner unit or a unit above it manage the scheme."""
    return supervises(user, scheme.owner_unit)


def subtree_groups(unit: Unit) -> QuerySet[StudyGroup]:
    """The active groups assessed by a scheme of `unit`: its whole subtree, in tree order."""
    return (
        StudyGroup.objects.filter(subtree_q([unit], "unit__"), is_active=True)
        .select_related("unit")
        .order_by("unit__path")
    )


def grade_for(total: Decimal, grades: list) -> str:
    """The first grade whose threshold `total` reaches (grades are highest first)."""
    for label, threshold in grades:
        if total >= Decimal(str(threshold)):
            return label
    return grades[-1][0] if grades else ""


def ranks(totals: dict[int, Decimal], order: list[int]) -> dict[int, int]:
    """Competition ranking (1, 2, 2, 4): equal totals share a rank. `order` lists the group
    ids in display order to break ties in the listing only."""
    position = {g: i for i, g in enumerate(order)}
    ordered = sorted(totals, key=lambda g: (-totals[g], position.get(g, 0)))
    out, last, last_rank = {}, None, 0
    for i, g in enumerate(ordered, start=1):
        if totals[g] != last:
            last, last_rank = totals[g], i
        out[g] = last_rank
    return out


def parse_grades(text: str) -> list:
    """ "优秀:90，良好:80，合格:60，不合格:0" → [["优秀", 90], …]; highest first, last at 0."""
    grades = []
    for part in text.replace("，", ",").replace("；", ",").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        label, sep, threshold = part.replace("：", ":").partition(":")
        if not sep or not label.strip():
            raise ValidationError({"grades": "等次格式应为“名称:分数线”，用逗号分隔"})
        try:
            value = float(threshold)
        except ValueError:
            raise ValidationError({"grades": f"等次“{label.strip()}”的分数线不是数字"}) from None
        grades.append([label.strip()[:10], int(value) if value.is_integer() else value])
    _check_grades(grades)
    return grades


def _check_grades(grades: list) -> None:
    if not grades:
        raise ValidationError({"grades": "至少需要一个等次"})
    values = [g[1] for g in grades]
    if values != sorted(values, reverse=True) or len(set(values)) != len(values):
        raise ValidationError({"grades": "等次分数线应从高到低排列且互不相同"})
    if values[-1] != 0:
        raise ValidationError({"grades": "最低等次的分数线应为0"})


def grades_text(grades: list) -> str:
    return "，".join(f"{label}:{threshold}" for label, threshold in grades)


def weight_total(indicators) -> Decimal:
    return sum((Decimal(i.weight) for i in indicators), Decimal(0))


def _check_weights(indicators) -> None:
    total = weight_total(indicators)
    if total != 100:
        raise ValidationError(f"各指标权重之和应为100分，当前为{_num(points(total))}分")


def previous_year_scheme(scheme: AssessmentScheme) -> AssessmentScheme | None:
    """The published scheme of the same unit for the year before."""
    return (
        AssessmentScheme.objects.filter(
            owner_unit_id=scheme.owner_unit_id, year=scheme.year - 1, status=Status.PUBLISHED
        )
        .order_by("-edition")
        .first()
    )


def bottom_group_ids(scheme: AssessmentScheme) -> set[int]:
    """Groups in the last `bottom_n` places of `scheme` -- everyone tied at the cut included --
    or in its lowest grade (two queries)."""
    lowest = list(
        scheme.results.order_by("-rank").values_list("rank", flat=True)[: scheme.bottom_n]
    )
    q = Q(rank__gte=lowest[-1]) if lowest else Q(pk__in=[])
    if scheme.grades:
        q |= Q(grade=scheme.grades[-1][0])
    return set(scheme.results.filter(q).values_list("group_id", flat=True))


def talk_list(*, scheme: AssessmentScheme) -> list[StudyGroup]:
    """约谈名单: the groups at the bottom of `scheme` and of the previous year's published
    scheme of the same unit (a fixed number of queries)."""
    previous = previous_year_scheme(scheme)
    if previous is None:
        return []
    ids = bottom_group_ids(scheme) & bottom_group_ids(previous)
    if not ids:
        return []
    return list(StudyGroup.objects.filter(pk__in=ids).select_related("unit").order_by("unit__path"))


# --- writes ----------------------------------------------------------------------------


def _deny_unless_manager(actor, scheme: AssessmentScheme) -> None:
    if not can_manage(actor, scheme):
        raise PermissionDenied("只有考核单位（或其上级）的督导人员可以修改考核方案")


def _editable(actor, scheme: AssessmentScheme) -> tuple[AssessmentScheme, dict[int, int]]:
    """The draft to write to and a map of indicator ids into it: the scheme itself while it
    is a draft, else (published) its new edition."""
    _deny_unless_manager(actor, scheme)
    if scheme.status == Status.DRAFT:
        return scheme, {i: i for i in scheme.indicators.values_list("pk", flat=True)}
    if scheme.status == Status.SUPERSEDED:
        raise ValidationError("该版本已被新版本替代，不能修改")
    existing = AssessmentScheme.objects.filter(previous=scheme, status=Status.DRAFT).first()
    if existing is not None:
        raise ValidationError(f"该方案已有新版本（第{existing.edition}版，草稿），请在新版本上修改")
    draft = scheme_new_edition(actor=actor, scheme=scheme)
    old = list(scheme.indicators.values_list("pk", flat=True))
    new = list(draft.indicators.values_list("pk", flat=True))
    return draft, dict(zip(old, new, strict=False))


def _invalidate(scheme: AssessmentScheme) -> None:
    scheme.results.all().delete()


@transaction.atomic
def scheme_create_default(*, actor, owner_unit: Unit, year: int) -> AssessmentScheme:
    """A draft scheme for `owner_unit`'s subtree and `year` with the default indicators of
    defaults.json (DOMAIN.md §5)."""
    if not in_subtree(owner_unit, principal_of(actor).supervised):
        raise PermissionDenied("只能为本单位或下级单位制定考核方案")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": "年度不正确（应为2000至2100之间的四位数字）"})
    if AssessmentScheme.objects.filter(owner_unit=owner_unit, year=year).exists():
        raise ValidationError({"year": f"{owner_unit.name}已有{year}年度考核方案"})
    conf = metrics.defaults()
    scheme = AssessmentScheme.objects.create(
        owner_unit=owner_unit,
        year=year,
        name=conf["name"].format(year=year),
        grades=conf["grades"],
        bottom_n=conf["bottom_n"],
    )
    Indicator.objects.bulk_create(
        Indicator(
            scheme=scheme,
            order=n,
            name=i["name"],
            weight=Decimal(str(i["weight"])),
            method=i["method"],
            metric=i.get("metric", ""),
            description=i.get("description", ""),
        )
        for n, i in enumerate(conf["indicators"], start=1)
    )
    audit_record(actor=actor, action="assessment.scheme_create", obj=scheme, detail={"year": year})
    return scheme


def _clean_indicator(row: dict) -> dict:
    name = (row.get("name") or "").strip()
    errors = []
    if not name:
        errors.append("指标名称不能为空")
    try:
        weight = points(row.get("weight"))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(f"指标“{name}”的权重不是数字") from None
    if weight < 0:
        errors.append(f"指标“{name}”的权重不能为负数")
    method = row.get("method")
    if method not in Indicator.Method.values:
        errors.append(f"指标“{name}”的计分方式不正确")
    metric = (row.get("metric") or "") if method == Indicator.Method.COMPUTED else ""
    if method == Indicator.Method.COMPUTED and metric not in metrics.METRICS:
        errors.append(f"指标“{name}”须选择计算指标")
    if errors:
        raise ValidationError(errors)
    return {
        "name": name[:60],
        "weight": weight,
        "method": method,
        "metric": metric,
        "description": (row.get("description") or "").strip()[:300],
    }


@transaction.atomic
def scheme_update(
    *,
    actor,
    scheme: AssessmentScheme,
    name: str,
    bottom_n: int,
    grades: list,
    indicators: list[dict],
    expected_version: int | None = None,
) -> AssessmentScheme:
    """Name, grades, bottom N and every indicator ({"id", "name", "weight", "method",
    "metric", "description"}); the weights must sum to 100. Returns the draft written."""
    draft, id_map = _editable(actor, scheme)
    if draft.pk != scheme.pk:
        expected_version = None
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "方案名称不能为空"})
    if not isinstance(bottom_n, int) or not 0 <= bottom_n <= 1000:
        raise ValidationError({"bottom_n": "末位数量应为0至1000之间的整数"})
    _check_grades(grades)
    cleaned = {}
    for row in indicators:
        target = id_map.get(int(row["id"]))
        if target is None:
            raise ValidationError("指标不属于该方案")
        cleaned[target] = _clean_indicator(row)
    existing = {i.pk: i for i in draft.indicators.all()}
    for pk, data in cleaned.items():
        for k, v in data.items():
            setattr(existing[pk], k, v)
    _check_weights(existing.values())
    Indicator.objects.bulk_update(
        [existing[pk] for pk in cleaned], ["name", "weight", "method", "metric", "description"]
    )
    draft.name, draft.bottom_n, draft.grades = name[:120], bottom_n, grades
    save_versioned(draft, expected_version=expected_version, fields=["name", "bottom_n", "grades"])
    _invalidate(draft)
    audit_record(
        actor=actor,
        action="assessment.scheme_update",
        obj=draft,
        detail={"weights": {existing[pk].name: str(d["weight"]) for pk, d in cleaned.items()}},
    )
    return draft


@transaction.atomic
def indicator_add(*, actor, scheme: AssessmentScheme) -> Indicator:
    """A new manual indicator with weight 0 (give it a weight by moving points from others)."""
    draft, _ = _editable(actor, scheme)
    order = (draft.indicators.aggregate(m=Max("order"))["m"] or 0) + 1
    ind = Indicator.objects.create(
        scheme=draft, order=order, name="新指标", weight=0, method=Indicator.Method.MANUAL
    )
    _invalidate(draft)
    audit_record(actor=actor, action="assessment.indicator_add", obj=ind)
    return ind


@transaction.atomic
def indicator_delete(*, actor, indicator: Indicator) -> AssessmentScheme:
    draft, id_map = _editable(actor, indicator.scheme)
    target = Indicator.objects.get(pk=id_map[indicator.pk])
    if target.weight:
        raise ValidationError("请先把该指标的权重调为0（把分值移给其他指标）再删除")
    audit_record(actor=actor, action="assessment.indicator_delete", obj=target)
    target.delete()
    _invalidate(draft)
    return draft


@transaction.atomic
def manual_scores_set(
    *, actor, indicator: Indicator, scores: dict[int, tuple[Decimal | None, str]]
) -> Indicator:
    """Set (or clear, with score None) the hand-given scores of groups on a manual indicator;
    every score needs a reason and lies between 0 and the weight."""
    draft, id_map = _editable(actor, indicator.scheme)
    target = Indicator.objects.select_related("scheme__owner_unit").get(pk=id_map[indicator.pk])
    if target.method != Indicator.Method.MANUAL:
        raise ValidationError("该指标按记录自动计算，不能人工评分")
    allowed = set(
        subtree_groups(draft.owner_unit).filter(pk__in=list(scores)).values_list("pk", flat=True)
    )
    errors = []
    for gid, (score, reason) in scores.items():
        if gid not in allowed:
            raise ValidationError("中心组不在考核范围内")
        if score is None:
            continue
        if not 0 <= score <= target.weight:
            errors.append(f"得分应在0至{_num(target.weight)}分之间")
        if not (reason or "").strip():
            errors.append("人工评分须填写理由")
    if errors:
        raise ValidationError(sorted(set(errors)))
    changed = {}
    for gid, (score, reason) in scores.items():
        if score is None:
            if ManualScore.objects.filter(indicator=target, group_id=gid).delete()[0]:
                changed[gid] = None
            continue
        ManualScore.objects.update_or_create(
            indicator=target,
            group_id=gid,
            defaults={"score": points(score), "reason": reason.strip()[:300], "scored_by": actor},
        )
        changed[gid] = str(points(score))
    if changed:
        _invalidate(draft)
        audit_record(
            actor=actor,
            action="assessment.manual_score",
            obj=target,
            detail={"scores": {str(k): v for k, v in changed.items()}},
        )
    return target


@transaction.atomic
def adjustment_add(
    *,
    actor,
    scheme: AssessmentScheme,
    group: StudyGroup,
    points_: Decimal,
    reason: str,
    evidence: str,
) -> Adjustment:
    """加分 (positive) or 扣分 (negative) for one group, with its reason and evidence."""
    draft, _ = _editable(actor, scheme)
    if not subtree_groups(draft.owner_unit).filter(pk=group.pk).exists():
        raise ValidationError({"group": "中心组不在考核范围内"})
    errors = {}
    if not points_ or abs(points_) > 100:
        errors["points"] = "分值应为非零数，且绝对值不超过100"
    if not (reason or "").strip():
        errors["reason"] = "请填写加扣分事由"
    if not (evidence or "").strip():
        errors["evidence"] = "请填写加扣分依据"
    if errors:
        raise ValidationError(errors)
    adj = Adjustment.objects.create(
        scheme=draft,
        group=group,
        points=points(points_),
        reason=reason.strip()[:300],
        evidence=evidence.strip()[:300],
        created_by=actor,
    )
    _invalidate(draft)
    audit_record(
        actor=actor,
        action="assessment.adjustment_add",
        obj=adj,
        detail={"group": group.pk, "points": str(adj.points), "evidence": adj.evidence},
    )
    return adj


@transaction.atomic
def adjustment_delete(*, actor, adjustment: Adjustment) -> AssessmentScheme:
    scheme = adjustment.scheme
    draft, _ = _editable(actor, scheme)
    target = adjustment
    if draft.pk != scheme.pk:
        target = draft.adjustments.filter(
            group_id=adjustment.group_id,
            points=adjustment.points,
            reason=adjustment.reason,
            evidence=adjustment.evidence,
        ).first()
    if target is not None:
        audit_record(
            actor=actor,
            action="assessment.adjustment_delete",
            obj=target,
            detail={"group": target.group_id, "points": str(target.points)},
        )
        target.delete()
    _invalidate(draft)
    return draft


def _manual_entry(weight: Decimal, manual: ManualScore | None) -> tuple[Decimal, dict]:
    if manual is None:
        return Decimal(0), {
            "score": "0",
            "value": "未评分",
            "formula": "人工评分（尚未评分，按0分计）",
            "records": [],
        }
    return manual.score, {
        "score": _num(manual.score),
        "value": manual.reason,
        "formula": f"人工评分：{_num(manual.score)}分（满分{_num(weight)}分），"
        f"理由：{manual.reason}",
        "records": [],
    }


# Groups scored between two progress reports.
COMPUTE_CHUNK = 200


def _compute_inputs(scheme: AssessmentScheme) -> tuple:
    """Every stored input of a computation besides the records, field by field: the final
    step compares it with what the scoring read, so a concurrent edit is never overwritten
    by results computed from the old inputs."""
    return (
        list(scheme.indicators.order_by("pk").values_list()),
        list(ManualScore.objects.filter(indicator__scheme=scheme).order_by("pk").values_list()),
        list(scheme.adjustments.order_by("pk").values_list()),
    )


def scheme_compute_start(*, actor, scheme: AssessmentScheme):
    """Queue the computation of a draft scheme as a background job (pages and API alike);
    ValidationError when the scheme is published or its computation is already running."""
    from zhongxinzu.jobs.services import job_start

    _deny_unless_manager(actor, scheme)
    if scheme.status != Status.DRAFT:
        raise ValidationError("已发布的方案不能重新计算，如需调整请创建新版本")
    return job_start(
        actor=actor,
        kind="assessment.compute",
        unit=scheme.owner_unit,
        year=scheme.year,
        target_id=scheme.pk,
    )


def scheme_compute(
    *,
    actor,
    scheme: AssessmentScheme,
    as_of: dt.date | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> int:
    """Score every group of the owner's subtree: computed indicators from the records,
    manual ones from their scores, plus adjustments; rank (ties share a rank) and grade.
    Replaces the draft's results; returns the number of groups. Cost: a fixed number of
    queries whatever the number of groups, and bulk inserts.

    The reading and scoring run outside any transaction (on SQLite a transaction holds the
    write lock, and every other user's write would wait for it), reporting
    progress(done, total, stage) every COMPUTE_CHUNK groups. The results replace the
    previous ones in one short final transaction, which first checks that the scheme is
    still a draft with the same inputs: a run that fails or is overtaken changes nothing."""
    report = progress or (lambda done, total, stage: None)
    _deny_unless_manager(actor, scheme)
    if scheme.status != Status.DRAFT:
        raise ValidationError("已发布的方案不能重新计算，如需调整请创建新版本")
    inputs = _compute_inputs(scheme)
    indicators = list(scheme.indicators.all())
    _check_weights(indicators)
    groups = list(subtree_groups(scheme.owner_unit))
    report(0, len(groups), "读取记录")
    ctx = metrics.Context(groups, scheme.year, as_of=as_of)
    by_metric = {
        i.metric: metrics.METRICS[i.metric](ctx)
        for i in indicators
        if i.method == Indicator.Method.COMPUTED
    }
    manual = {
        (m.indicator_id, m.group_id): m
        for m in ManualScore.objects.filter(indicator__scheme=scheme)
    }
    adjustments = defaultdict(list)
    for a in scheme.adjustments.order_by("pk"):
        adjustments[a.group_id].append(a)

    totals, breakdowns = {}, {}
    for done, g in enumerate(groups):
        if done % COMPUTE_CHUNK == 0:
            report(done, len(groups), "计算得分")
        total, breakdown = Decimal(0), {}
        for ind in indicators:
            weight = Decimal(ind.weight)
            if ind.method == Indicator.Method.COMPUTED:
                s = by_metric[ind.metric][g.pk]
                score = points(weight * Decimal(str(round(s.ratio, 6))))
                entry = {
                    "score": _num(score),
                    "value": s.value,
                    "formula": f"{_num(weight)} × {s.calc} = {_num(score)}",
                    "records": s.records,
                }
            else:
                score, entry = _manual_entry(weight, manual.get((ind.pk, g.pk)))
            breakdown[str(ind.pk)] = entry
            total += score
        adj = adjustments.get(g.pk, [])
        breakdown["adjustments"] = [
            {"points": _num(a.points), "reason": a.reason, "evidence": a.evidence} for a in adj
        ]
        total = max(Decimal(0), total + sum((a.points for a in adj), Decimal(0)))
        totals[g.pk], breakdowns[g.pk] = points(total), breakdown

    ranked = ranks(totals, [g.pk for g in groups])
    report(len(groups), len(groups), "保存结果")
    with transaction.atomic():
        current = AssessmentScheme.objects.select_for_update().get(pk=scheme.pk)
        if current.status != Status.DRAFT:
            raise ValidationError("方案在计算期间已发布，结果未保存")
        if _compute_inputs(current) != inputs:
            raise ValidationError(
                "方案的指标、评分或加减分在计算期间有改动，结果未保存，请重新计算"
            )
        _save_results(actor, scheme, groups, totals, ranked, breakdowns, ctx)
    return len(groups)


def _save_results(actor, scheme, groups, totals, ranked, breakdowns, ctx) -> None:
    now = timezone.now()
    scheme.results.all().delete()
    AssessmentResult.objects.bulk_create(
        (
            AssessmentResult(
                scheme=scheme,
                group_id=g.pk,
                total=totals[g.pk],
                rank=ranked[g.pk],
                grade=grade_for(totals[g.pk], scheme.grades),
                breakdown=breakdowns[g.pk],
                computed_at=now,
            )
            for g in groups
        ),
        batch_size=500,
    )
    audit_record(
        actor=actor,
        action="assessment.compute",
        obj=scheme,
        detail={"groups": len(groups), "as_of": ctx.as_of.isoformat()},
    )


@transaction.atomic
def scheme_publish(*, actor, scheme: AssessmentScheme, expected_version: int | None = None) -> None:
    """Lock the scheme and its results; the edition it replaces becomes superseded."""
    _deny_unless_manager(actor, scheme)
    if scheme.status != Status.DRAFT:
        raise ValidationError("该方案已发布")
    _check_weights(scheme.indicators.all())
    if not scheme.results.exists():
        raise ValidationError("请先计算考核结果再发布")
    scheme.status, scheme.published_at, scheme.published_by = (
        Status.PUBLISHED,
        timezone.now(),
        actor,
    )
    save_versioned(
        scheme,
        expected_version=expected_version,
        fields=["status", "published_at", "published_by"],
    )
    superseded = None
    if scheme.previous_id:
        superseded = AssessmentScheme.objects.filter(
            pk=scheme.previous_id, status=Status.PUBLISHED
        ).update(status=Status.SUPERSEDED)
    audit_record(
        actor=actor,
        action="assessment.publish",
        obj=scheme,
        detail={
            "edition": scheme.edition,
            "superseded": scheme.previous_id if superseded else None,
        },
    )


@transaction.atomic
def scheme_new_edition(*, actor, scheme: AssessmentScheme) -> AssessmentScheme:
    """A draft edition of a published scheme with its indicators, manual scores and
    adjustments copied (the existing draft edition if there is one)."""
    _deny_unless_manager(actor, scheme)
    if scheme.status != Status.PUBLISHED:
        raise ValidationError("只有已发布的方案可以创建新版本")
    existing = AssessmentScheme.objects.filter(previous=scheme, status=Status.DRAFT).first()
    if existing is not None:
        return existing
    last = AssessmentScheme.objects.filter(
        owner_unit_id=scheme.owner_unit_id, year=scheme.year
    ).aggregate(m=Max("edition"))["m"]
    draft = AssessmentScheme.objects.create(
        owner_unit_id=scheme.owner_unit_id,
        year=scheme.year,
        name=scheme.name,
        edition=(last or scheme.edition) + 1,
        previous=scheme,
        grades=scheme.grades,
        bottom_n=scheme.bottom_n,
    )
    old = list(scheme.indicators.all())
    new = [
        Indicator(
            scheme=draft,
            order=i.order,
            name=i.name,
            weight=i.weight,
            method=i.method,
            metric=i.metric,
            description=i.description,
        )
        for i in old
    ]
    Indicator.objects.bulk_create(new)
    id_map = {o.pk: n.pk for o, n in zip(old, new, strict=True)}
    ManualScore.objects.bulk_create(
        ManualScore(
            indicator_id=id_map[m.indicator_id],
            group_id=m.group_id,
            score=m.score,
            reason=m.reason,
            scored_by_id=m.scored_by_id,
        )
        for m in ManualScore.objects.filter(indicator__scheme=scheme)
    )
    Adjustment.objects.bulk_create(
        Adjustment(
            scheme=draft,
            group_id=a.group_id,
            points=a.points,
            reason=a.reason,
            evidence=a.evidence,
            created_by_id=a.created_by_id,
        )
        for a in scheme.adjustments.order_by("pk")
    )
    audit_record(
        actor=actor,
        action="assessment.new_edition",
        obj=draft,
        detail={"previous": scheme.pk, "edition": draft.edition},
    )
    return draft
