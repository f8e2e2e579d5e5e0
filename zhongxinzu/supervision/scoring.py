"""Score sheets (旁听记录表): templates, an observer's sheet for a visit, the team's average
and statistics per group, team and period.

Services are keyword-only `<entity>_<verb>` functions that validate, run in one transaction
and write the audit entry; selectors are the reads shared by the pages.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from zhongxinzu.audit.services import audit_record
from zhongxinzu.lib.changes import figures_changed
from zhongxinzu.lib.versioning import ConflictError
from zhongxinzu.org import access
from zhongxinzu.org.models import Unit
from zhongxinzu.org.selectors import ancestor_paths
from zhongxinzu.supervision.models import (
    Expert,
    ObservationVisit,
    ScoreEntry,
    ScoreItem,
    ScoreSheet,
    ScoreTemplate,
)

DEFAULT_GRADES = [["好", 90], ["较好", 80], ["一般", 60], ["差", 0]]
ONE_PLACE = Decimal("0.1")


# --- selectors ------------------------------------------------------------------------------


def templates_visible(user) -> QuerySet[ScoreTemplate]:
    """The platform default plus the templates owned within the user's supervised subtrees."""
    p = access.principal_of(user)
    return ScoreTemplate.objects.filter(
        Q(owner_unit__isnull=True) | access.subtree_q(p.supervised, "owner_unit__")
    )


def can_edit_template(user, template: ScoreTemplate) -> bool:
    p = access.principal_of(user)
    return template.owner_unit_id is not None and access.in_subtree(
        template.owner_unit, p.supervised
    )


def template_for_group(group) -> ScoreTemplate:
    """The active template of the nearest unit above (or at) the group's unit, else the
    platform default."""
    paths = ancestor_paths(group.unit)
    owned = (
        ScoreTemplate.objects.filter(is_active=True, owner_unit__path__in=paths)
        .select_related("owner_unit")
        .order_by("-id")
    )
    best = max(owned, key=lambda t: len(t.owner_unit.path), default=None)
    if best is not None:
        return best
    default = ScoreTemplate.objects.filter(owner_unit__isnull=True, is_active=True).first()
    if default is None:
        raise ValidationError("尚未配置评分表模板，请联系督导单位")
    return default


def visits_scorable(user) -> QuerySet[ObservationVisit]:
    """Visits whose score sheets the user may read: supervisors of the group's subtree and
    the observers of the visiting team."""
    p = access.principal_of(user)
    q = access.subtree_q(p.supervised, "group__unit__")
    if p.is_observer:
        q |= Q(pk__in=access.observer_visit_ids(user))
    return ObservationVisit.objects.filter(q)


def observer_expert(user, visit: ObservationVisit) -> Expert | None:
    """The user's expert record on the visiting team, if the user is one of its observers."""
    if not access.principal_of(user).is_observer or visit.team_id is None:
        return None
    return Expert.objects.filter(user=user, team_memberships__team_id=visit.team_id).first()


def grade_for(total: Decimal, grades: list) -> str:
    for label, minimum in grades or DEFAULT_GRADES:
        if total >= Decimal(str(minimum)):
            return label
    return (grades or DEFAULT_GRADES)[-1][0]


@dataclass
class VisitScores:
    sheets: list[ScoreSheet]
    submitted: list[ScoreSheet]
    average: Decimal | None
    grade: str
    # item id -> average score of the submitted sheets
    item_averages: dict[int, Decimal] = field(default_factory=dict)


def visit_scores(visit: ObservationVisit) -> VisitScores:
    """All sheets of a visit with the average of the submitted ones (the team's score)."""
    sheets = list(visit.sheets.select_related("observer", "template").prefetch_related("entries"))
    submitted = [s for s in sheets if s.submitted_at]
    average = None
    grade = ""
    item_averages: dict[int, Decimal] = {}
    if submitted:
        average = (sum(s.total for s in submitted) / len(submitted)).quantize(
            ONE_PLACE, ROUND_HALF_UP
        )
        grade = grade_for(average, submitted[0].template.grades)
        sums: dict[int, list[Decimal]] = defaultdict(list)
        for s in submitted:
            for e in s.entries.all():
                sums[e.item_id].append(e.score)
        item_averages = {
            k: (sum(v) / len(v)).quantize(ONE_PLACE, ROUND_HALF_UP) for k, v in sums.items()
        }
    return VisitScores(sheets, submitted, average, grade, item_averages)


@dataclass
class StatRow:
    key: int
    label: str
    visits: int = 0
    total: Decimal = Decimal(0)
    minimum: Decimal | None = None
    grades: Counter = field(default_factory=Counter)
    below: int = 0  # visits under the threshold

    @property
    def average(self) -> Decimal | None:
        return (
            (self.total / self.visits).quantize(ONE_PLACE, ROUND_HALF_UP) if self.visits else None
        )

    @property
    def grade_list(self) -> list[tuple[str, int]]:
        return list(self.grades.items())


@dataclass
class ScoreStats:
    threshold: Decimal
    visits: int
    average: Decimal | None
    grades: Counter
    by_group: list[StatRow]
    by_team: list[StatRow]
    grade_labels: list[str]

    @property
    def grade_list(self) -> list[tuple[str, int]]:
        return [(label, self.grades[label]) for label in self.grade_labels]


def score_stats(
    user, *, start: dt.date | None = None, end: dt.date | None = None, threshold: int = 85
) -> ScoreStats:
    """Per visit the average of its submitted sheets; then per group and per team the
    number of scored visits, average, minimum, grade distribution and whether every visit
    reached `threshold`. Two queries (visits with sheets) whatever the number of visits."""
    p = access.principal_of(user)
    visits = ObservationVisit.objects.filter(access.subtree_q(p.supervised, "group__unit__"))
    if start:
        visits = visits.filter(planned_on__gte=start)
    if end:
        visits = visits.filter(planned_on__lte=end)
    sheets = (
        ScoreSheet.objects.filter(visit__in=visits, submitted_at__isnull=False)
        .select_related("visit__group", "visit__team", "template")
        .order_by("visit_id")
    )
    per_visit: dict[int, list[ScoreSheet]] = defaultdict(list)
    for s in sheets:
        per_visit[s.visit_id].append(s)
    limit = Decimal(threshold)
    groups: dict[int, StatRow] = {}
    teams: dict[int, StatRow] = {}
    overall = Counter()
    total = Decimal(0)
    labels: list[str] = []
    for rows in per_visit.values():
        visit = rows[0].visit
        avg = (sum(s.total for s in rows) / len(rows)).quantize(ONE_PLACE, ROUND_HALF_UP)
        grade = grade_for(avg, rows[0].template.grades)
        for label, _ in rows[0].template.grades or DEFAULT_GRADES:
            if label not in labels:
                labels.append(label)
        overall[grade] += 1
        total += avg
        targets = [groups.setdefault(visit.group_id, StatRow(visit.group_id, visit.group.name))]
        if visit.team_id:
            targets.append(teams.setdefault(visit.team_id, StatRow(visit.team_id, visit.team.name)))
        for row in targets:
            row.visits += 1
            row.total += avg
            row.minimum = avg if row.minimum is None else min(row.minimum, avg)
            row.grades[grade] += 1
            row.below += avg < limit
    count = len(per_visit)
    return ScoreStats(
        threshold=limit,
        visits=count,
        average=(total / count).quantize(ONE_PLACE, ROUND_HALF_UP) if count else None,
        grades=overall,
        by_group=sorted(groups.values(), key=lambda r: (-(r.average or 0), r.label)),
        by_team=sorted(teams.values(), key=lambda r: (-(r.average or 0), r.label)),
        grade_labels=labels or [g[0] for g in DEFAULT_GRADES],
    )


# --- services: templates --------------------------------------------------------------------


def parse_items(text: str) -> list[tuple[str, int, str]]:
    """One item a line: 评分项目｜分值｜评分要点 (the guidance is optional)."""
    items = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = [x.strip() for x in line.replace("｜", "|").split("|")]
        if len(parts) < 2 or not parts[0]:
            raise ValidationError({"items": f"第{n}行格式不正确，应为“评分项目｜分值｜评分要点”"})
        if not parts[1].isdigit() or not 1 <= int(parts[1]) <= 100:
            raise ValidationError({"items": f"第{n}行的分值应为1至100的整数"})
        if len(parts[0]) > 100 or len("|".join(parts[2:])) > 300:
            raise ValidationError({"items": f"第{n}行内容过长"})
        items.append((parts[0], int(parts[1]), "|".join(parts[2:])))
    if not items:
        raise ValidationError({"items": "请至少填写一个评分项目"})
    if sum(i[1] for i in items) != 100:
        raise ValidationError(
            {"items": f"各项分值合计应为100分，当前为{sum(i[1] for i in items)}分"}
        )
    return items


def items_text(template: ScoreTemplate) -> str:
    return "\n".join(
        f"{i.title}｜{i.points}｜{i.guidance}".rstrip("｜") for i in template.items.all()
    )


def parse_grades(text: str) -> list[list]:
    """e.g. 好90，较好80，一般60，差0 → [["好", 90], …], highest first."""
    grades = []
    for part in text.replace("，", ",").replace("；", ",").split(","):
        part = part.strip()
        label = part.rstrip("0123456789").strip()
        number = part[len(label) :].strip() if label else ""
        if not label or not number.isdigit() or int(number) > 100:
            raise ValidationError({"grades": "等次格式应为“好90，较好80，一般60，差0”"})
        grades.append([label, int(number)])
    grades.sort(key=lambda g: -g[1])
    if not grades or grades[-1][1] != 0:
        raise ValidationError({"grades": "最低等次的分数线应为0"})
    return grades


def grades_text(template: ScoreTemplate) -> str:
    return "，".join(f"{label}{minimum}" for label, minimum in template.grades or DEFAULT_GRADES)


@transaction.atomic
def score_template_create(
    *, actor, owner_unit: Unit, name: str, grades: str, items: str, is_active: bool = True
) -> ScoreTemplate:
    """A supervising unit's own score sheet template."""
    if not access.in_subtree(owner_unit, access.principal_of(actor).supervised):
        raise PermissionDenied("无权为该单位设置评分表")
    parsed_grades = parse_grades(grades)
    parsed_items = parse_items(items)
    template = ScoreTemplate.objects.create(
        owner_unit=owner_unit, name=name.strip(), grades=parsed_grades, is_active=is_active
    )
    ScoreItem.objects.bulk_create(
        ScoreItem(template=template, order=n, title=t, points=pts, guidance=g)
        for n, (t, pts, g) in enumerate(parsed_items, start=1)
    )
    audit_record(actor=actor, action="score_template_create", obj=template)
    return template


@transaction.atomic
def score_template_update(
    *, actor, template: ScoreTemplate, name: str, grades: str, items: str, is_active: bool
) -> ScoreTemplate:
    """Change a template; its items only while no score sheet uses it."""
    if not can_edit_template(actor, template):
        raise PermissionDenied("无权修改该评分表模板")
    parsed_grades = parse_grades(grades)
    parsed_items = parse_items(items)
    current = [(i.title, i.points, i.guidance) for i in template.items.all()]
    if parsed_items != current:
        if ScoreSheet.objects.filter(template=template).exists():
            raise ValidationError(
                {"items": "已有旁听评分表使用该模板，不能再修改评分项目；请另建新模板"}
            )
        template.items.all().delete()
        ScoreItem.objects.bulk_create(
            ScoreItem(template=template, order=n, title=t, points=pts, guidance=g)
            for n, (t, pts, g) in enumerate(parsed_items, start=1)
        )
    template.name = name.strip()
    template.grades = parsed_grades
    template.is_active = is_active
    template.save()
    audit_record(actor=actor, action="score_template_update", obj=template)
    return template


# --- services: sheets -----------------------------------------------------------------------


def _score_value(raw, item: ScoreItem) -> Decimal:
    if raw in (None, ""):
        raise ValidationError(f"请填写“{item.title}”的得分")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValidationError(f"“{item.title}”的得分应为数字") from None
    if not value.is_finite() or value < 0:
        raise ValidationError(f"“{item.title}”的得分不能为负数")
    if value > item.points:
        raise ValidationError(f"“{item.title}”的得分不能超过该项分值{item.points}分")
    if value != value.quantize(ONE_PLACE):
        raise ValidationError(f"“{item.title}”的得分最多保留一位小数")
    return value


@transaction.atomic
def score_sheet_save(
    *,
    actor,
    visit: ObservationVisit,
    scores: dict[int, object],
    remarks: dict[int, str] | None = None,
    overall: str = "",
    submit: bool = False,
    expected_version: int | None = None,
) -> ScoreSheet:
    """Save (and with `submit`, lock) the observer's sheet for a visit; the total and the
    grade are computed here. Every item must be scored to submit."""
    expert = observer_expert(actor, visit)
    if expert is None:
        raise PermissionDenied("只有旁听组成员可以填写评分表")
    sheet = (
        ScoreSheet.objects.select_for_update()
        .filter(visit=visit, observer=expert)
        .select_related("template")
        .first()
    )
    if sheet is None:
        sheet = ScoreSheet.objects.create(
            visit=visit, observer=expert, template=template_for_group(visit.group)
        )
    elif expected_version is not None and sheet.version != expected_version:
        raise ConflictError("评分表已被修改，请刷新后重试")
    if sheet.submitted_at:
        raise ValidationError("评分表已提交，不能再修改")
    remarks = remarks or {}
    errors = []
    values: dict[int, Decimal] = {}
    for item in sheet.template.items.all():
        raw = scores.get(item.pk)
        if raw in (None, "") and not submit:
            continue
        try:
            values[item.pk] = _score_value(raw, item)
        except ValidationError as e:
            errors.extend(e.messages)
        if len(remarks.get(item.pk, "")) > 300:
            errors.append(f"“{item.title}”的说明不能超过300字")
    if errors:
        raise ValidationError(errors)
    sheet.entries.all().delete()
    ScoreEntry.objects.bulk_create(
        ScoreEntry(sheet=sheet, item_id=k, score=v, remark=(remarks.get(k) or "").strip())
        for k, v in values.items()
    )
    sheet.remarks = overall.strip()
    sheet.total = sum(values.values(), Decimal(0)) if values else None
    sheet.grade = grade_for(sheet.total, sheet.template.grades) if submit else ""
    if submit:
        sheet.submitted_at = timezone.now()
    sheet.version += 1
    sheet.save()
    figures_changed(visit.group_id)
    audit_record(
        actor=actor,
        action="score_sheet_submit" if submit else "score_sheet_save",
        obj=sheet,
        detail={"total": str(sheet.total) if sheet.total is not None else ""},
    )
    return sheet
