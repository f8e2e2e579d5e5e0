"""Problems and rectification (问题清单、整改清单): services and selectors.

A problem from any source gets one rectification entry; the group's secretary reports
progress with evidence; only a supervisor of the group's subtree closes it (销号) or sends
it back. Overdue = deadline passed and not closed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.db.models.fields import BooleanField
from django.utils import timezone

from zhongxinzu.audit.services import audit_record
from zhongxinzu.lib.changes import figures_changed
from zhongxinzu.lib.uploads import validate_upload_bytes
from zhongxinzu.lib.versioning import ConflictError
from zhongxinzu.org import access
from zhongxinzu.org.models import Person, StudyGroup
from zhongxinzu.supervision.models import (
    ObservationVisit,
    Problem,
    Rectification,
    RectificationReport,
)

EVIDENCE_TYPES = frozenset({"docx", "xlsx", "pdf", "jpg", "jpeg", "png"})
OPEN_STATUSES = [
    Rectification.Status.OPEN,
    Rectification.Status.REPORTED,
    Rectification.Status.RETURNED,
]


# --- selectors ------------------------------------------------------------------------------


def problems_visible(user) -> QuerySet[Problem]:
    """Supervisors see the problems of their subtree; a group's secretary and leaders see
    their group's."""
    p = access.principal_of(user)
    return Problem.objects.filter(
        access.subtree_q(p.supervised, "group__unit__") | Q(group_id__in=p.staff_group_ids())
    )


def with_overdue(qs: QuerySet[Problem], today: dt.date | None = None) -> QuerySet[Problem]:
    today = today or timezone.localdate()
    return qs.annotate(
        overdue=Case(
            When(
                Q(rectification__deadline__lt=today) & ~Q(rectification__status="closed"),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def overdue_q(today: dt.date | None = None, prefix: str = "rectification__") -> Q:
    today = today or timezone.localdate()
    return Q(**{f"{prefix}deadline__lt": today}) & ~Q(**{f"{prefix}status": "closed"})


def can_supervise(user, group: StudyGroup) -> bool:
    return access.supervises(user, group.unit)


def groups_for_problems(user) -> QuerySet[StudyGroup]:
    """Groups the user may raise problems for: the supervised subtree, and the groups the
    user is secretary of (self-check only)."""
    p = access.principal_of(user)
    return StudyGroup.objects.filter(
        access.subtree_q(p.supervised, "unit__") | Q(pk__in=p.secretary_group_ids())
    ).select_related("unit")


@dataclass(frozen=True)
class RectificationStats:
    closed_on_time: int = 0
    closed_late: int = 0
    open: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.closed_on_time + self.closed_late + self.open


def rectification_stats(groups, year: int) -> dict[int, RectificationStats]:
    """Per group id, the rectifications of problems found in `year`: closed on time (by the
    deadline), closed late, still open, and of the open ones overdue today. One aggregate
    query; groups without problems are left out (use `.get(gid, RectificationStats())`)."""
    today = timezone.localdate()
    closed = Q(status=Rectification.Status.CLOSED)
    rows = (
        Rectification.objects.filter(problem__group__in=groups, problem__found_on__year=year)
        .order_by()
        .values("problem__group_id")
        .annotate(
            on_time=Count("pk", filter=closed & Q(closed_at__date__lte=F("deadline"))),
            late=Count("pk", filter=closed & Q(closed_at__date__gt=F("deadline"))),
            still_open=Count("pk", filter=~closed),
            overdue=Count("pk", filter=~closed & Q(deadline__lt=today)),
        )
    )
    return {
        r["problem__group_id"]: RectificationStats(
            closed_on_time=r["on_time"],
            closed_late=r["late"],
            open=r["still_open"],
            overdue=r["overdue"],
        )
        for r in rows
    }


# --- services -------------------------------------------------------------------------------


def _check_owner(group: StudyGroup, owner: Person | None) -> None:
    if owner is not None and owner.unit_id != group.unit_id:
        raise ValidationError({"owner": "责任人应为本单位人员"})


@transaction.atomic
def problem_create(
    *,
    actor,
    group: StudyGroup,
    source: str,
    category: str,
    description: str,
    found_on: dt.date,
    measures: str,
    deadline: dt.date,
    evidence: str = "",
    visit: ObservationVisit | None = None,
    owner: Person | None = None,
    department: str = "",
) -> Problem:
    """Put a problem on the group's list with its rectification entry. Supervisors of the
    group's subtree raise problems of any source; the group's secretary raises self-check
    problems only."""
    supervisor = can_supervise(actor, group)
    if not supervisor:
        if not access.can_record_for_group(actor, group.pk):
            raise PermissionDenied("无权为该中心组登记问题")
        if source != Problem.Source.SELF_CHECK:
            raise ValidationError({"source": "中心组只能登记自查发现的问题"})
    if source not in Problem.Source.values:
        raise ValidationError({"source": "请选择问题来源"})
    if visit is not None and visit.group_id != group.pk:
        raise ValidationError({"visit": "所选旁听不是该中心组的"})
    if not description.strip():
        raise ValidationError({"description": "请填写问题描述"})
    if not measures.strip():
        raise ValidationError({"measures": "请填写整改措施"})
    if deadline < found_on:
        raise ValidationError({"deadline": "整改时限不能早于发现日期"})
    _check_owner(group, owner)
    problem = Problem.objects.create(
        group=group,
        source=source,
        visit=visit,
        category=category.strip(),
        description=description.strip(),
        evidence=evidence.strip(),
        found_on=found_on,
        raised_by=actor,
    )
    Rectification.objects.create(
        problem=problem,
        measures=measures.strip(),
        owner=owner,
        department=department.strip(),
        deadline=deadline,
    )
    figures_changed(group.pk)
    audit_record(actor=actor, action="problem_create", obj=problem, detail={"source": source})
    return problem


def _locked(rectification: Rectification, expected_version: int | None) -> Rectification:
    current = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConflictError("该整改记录已被他人修改，请刷新后重试")
    return current


@transaction.atomic
def rectification_report_add(
    *,
    actor,
    rectification: Rectification,
    text: str,
    file_name: str = "",
    file_data: bytes | None = None,
    expected_version: int | None = None,
) -> RectificationReport:
    """The group's secretary reports progress (text, optional evidence file); the entry
    then waits for the supervisor's close-out."""
    group_id = rectification.problem.group_id
    if not access.can_record_for_group(actor, group_id):
        raise PermissionDenied("只有本中心组学习秘书可以报送整改进展")
    current = _locked(rectification, expected_version)
    if current.status == Rectification.Status.CLOSED:
        raise ValidationError("该问题已销号，不能再报送整改进展")
    if not text.strip():
        raise ValidationError({"text": "请填写整改进展"})
    report = RectificationReport(rectification=current, text=text.strip(), reported_by=actor)
    if file_data is not None:
        validate_upload_bytes(file_data, filename=file_name, allowed=EVIDENCE_TYPES)
        report.evidence_file.save(file_name, ContentFile(file_data), save=False)
    report.save()
    current.status = Rectification.Status.REPORTED
    current.version += 1
    current.save(update_fields=["status", "version"])
    figures_changed(rectification.problem.group_id)
    audit_record(
        actor=actor, action="rectification_report", obj=current, detail={"file": bool(file_data)}
    )
    return report


@transaction.atomic
def rectification_close(
    *, actor, rectification: Rectification, expected_version: int | None = None
) -> Rectification:
    """销号: only a supervisor of the group's subtree, after the group has reported."""
    if not can_supervise(actor, rectification.problem.group):
        raise PermissionDenied("只有督导单位可以销号")
    current = _locked(rectification, expected_version)
    if current.status != Rectification.Status.REPORTED:
        raise ValidationError("中心组报送整改进展后方可销号")
    current.status = Rectification.Status.CLOSED
    current.closed_by = actor
    current.closed_at = timezone.now()
    current.return_note = ""
    current.version += 1
    current.save()
    figures_changed(rectification.problem.group_id)
    audit_record(actor=actor, action="rectification_close", obj=current)
    return current


@transaction.atomic
def rectification_return(
    *, actor, rectification: Rectification, note: str, expected_version: int | None = None
) -> Rectification:
    """Send a reported rectification back to the group with a note."""
    if not can_supervise(actor, rectification.problem.group):
        raise PermissionDenied("只有督导单位可以退回整改")
    current = _locked(rectification, expected_version)
    if current.status != Rectification.Status.REPORTED:
        raise ValidationError("只能退回待销号的整改")
    note = note.strip()
    if not note:
        raise ValidationError({"note": "请填写退回意见"})
    if len(note) > 300:
        raise ValidationError({"note": "退回意见不能超过300字"})
    current.status = Rectification.Status.RETURNED
    current.return_note = note
    current.version += 1
    current.save()
    figures_changed(rectification.problem.group_id)
    audit_record(actor=actor, action="rectification_return", obj=current, detail={"note": note})
    return current


# --- the three lists (三清单) and their documents ---------------------------------------------


@dataclass
class GroupLists:
    group: StudyGroup
    year: int
    plan: object | None  # plans.YearPlan
    topics: list
    problems: list[Problem]
    today: dt.date


def group_lists(*, group: StudyGroup, year: int) -> GroupLists:
    """学习清单 (the year plan's topics), 问题清单 and 整改清单 of one group for one year
    (problems found that year, plus earlier ones still open)."""
    from zhongxinzu.plans.models import YearPlan

    plan = YearPlan.objects.filter(group=group, year=year).first()
    topics = list(plan.topics.select_related("lead").order_by("order", "id")) if plan else []
    found = (
        Problem.objects.filter(group=group)
        .filter(
            Q(found_on__year=year)
            | (Q(found_on__year__lt=year) & ~Q(rectification__status="closed"))
        )
        .select_related("rectification__owner")
        .prefetch_related("rectification__reports")
        .order_by("found_on", "id")
    )
    return GroupLists(group, year, plan, topics, list(found), timezone.localdate())


def _topic_row(n: int, t) -> list:
    when = f"{t.month}月" if t.month else (f"第{t.quarter}季度" if t.quarter else "")
    return [n, t.title, when, t.form, t.lead.name if t.lead_id else ""]


def _problem_row(n: int, p: Problem) -> list:
    return [n, p.get_source_display(), p.category, p.description, p.evidence, p.found_on]


def _rect_row(n: int, p: Problem, today: dt.date) -> list:
    r = p.rectification
    overdue = r.status != Rectification.Status.CLOSED and r.deadline < today
    status = r.get_status_display() + ("（逾期）" if overdue else "")
    closed = timezone.localtime(r.closed_at).date() if r.closed_at else ""
    return [
        n,
        p.description,
        r.measures,
        r.owner.name if r.owner_id else "",
        r.department,
        r.deadline,
        status,
        closed,
    ]


TOPIC_HEADERS = ["序号", "学习专题", "时间安排", "学习形式", "领学人"]
PROBLEM_HEADERS = ["序号", "来源", "类别", "问题描述", "依据", "发现日期"]
RECT_HEADERS = ["序号", "问题", "整改措施", "责任人", "责任部门", "整改时限", "状态", "销号日期"]


def lists_rows(lists: GroupLists) -> tuple[list[list], list[list], list[list]]:
    """The rows of 学习清单, 问题清单 and 整改清单 as the exports print them (under
    TOPIC_HEADERS, PROBLEM_HEADERS and RECT_HEADERS)."""
    return (
        [_topic_row(n, t) for n, t in enumerate(lists.topics, start=1)],
        [_problem_row(n, p) for n, p in enumerate(lists.problems, start=1)],
        [_rect_row(n, p, lists.today) for n, p in enumerate(lists.problems, start=1)],
    )


def lists_xlsx(lists: GroupLists) -> bytes:
    """The three lists as three sheets, each under its title row; long text wraps so that
    a printed page shows all of it."""
    from zhongxinzu.lib.xlsx import Sheet, workbook_bytes

    topics, found, rects = lists_rows(lists)
    heading = f"{lists.group.name}{lists.year}年"
    return workbook_bytes(
        *(
            Sheet(title=name, caption=heading + name, headers=headers, rows=rows, wrap=True)
            for name, headers, rows in (
                ("学习清单", TOPIC_HEADERS, topics),
                ("问题清单", PROBLEM_HEADERS, found),
                ("整改清单", RECT_HEADERS, rects),
            )
        )
    )


def _text(value) -> str:
    if isinstance(value, dt.date):
        return f"{value.year}.{value.month}.{value.day}"
    return "" if value is None else str(value)


def lists_docx(lists: GroupLists) -> bytes:
    """The three lists as one document in the GB/T 9704 layout."""
    from zhongxinzu.documents.gbt9704 import OfficialDocument, chinese_date

    def cell(value) -> str:  # dates the Chinese way: 2026年1月19日
        return chinese_date(value) if isinstance(value, dt.date) else _text(value)

    doc = OfficialDocument(title=f"{lists.group.name}\n{lists.year}年学习清单、问题清单、整改清单")
    doc.heading(1, "学习清单", numbered=True)
    if lists.topics:
        doc.table(
            TOPIC_HEADERS,
            [[cell(v) for v in _topic_row(n, t)] for n, t in enumerate(lists.topics, start=1)],
            widths_mm=[14, 70, 26, 22, 24],
        )
    else:
        doc.paragraph("本年度尚未制定学习计划。")
    doc.heading(1, "问题清单", numbered=True)
    if lists.problems:
        doc.table(
            PROBLEM_HEADERS,
            [[cell(v) for v in _problem_row(n, p)] for n, p in enumerate(lists.problems, start=1)],
            widths_mm=[12, 22, 20, 46, 22, 34],  # 4号: a date needs 34 mm
        )
    else:
        doc.paragraph("本年度暂无问题。")
    doc.heading(1, "整改清单", numbered=True)
    if lists.problems:
        doc.table(
            RECT_HEADERS,
            [
                [cell(v) for v in _rect_row(n, p, lists.today)]
                for n, p in enumerate(lists.problems, start=1)
            ],
            # eight columns: set at 五号 by the builder; a date (6.5 characters) needs 27 mm
            widths_mm=[10, 24, 23, 14, 17, 27, 14, 27],
        )
    else:
        doc.paragraph("本年度暂无整改事项。")
    return doc.to_bytes()
