"""/api/visits: one visit to one group's session and its stages 会前对接审核 → 会中现场点评 →
会后访谈调研 → 反馈整改, with each stage's deadline.

Seen by the supervisors of the host group's subtree (draft plans included), the host
group's secretary and leaders and the visiting team's observers (published plans only).
The team's notes stay with the team and the supervisors; the host reads the summary once
the feedback is sent, as on the page."""

from __future__ import annotations

from dataclasses import asdict

from django.utils import timezone
from ninja import Query, Router, Status

from zhongxinzu.api import scope
from zhongxinzu.api.common import ERRORS, body_ref, changed_fields, file_operation, page
from zhongxinzu.api.schemas import Id
from zhongxinzu.api.visit_schemas import (
    VisitChecklistIn,
    VisitDetailOut,
    VisitFilters,
    VisitInterviewIn,
    VisitMaterialsIn,
    VisitOnsiteIn,
    VisitPage,
    VisitSummaryIn,
    VisitUpdateIn,
)
from zhongxinzu.documents.responses import DOCX_CONTENT_TYPE, docx_response
from zhongxinzu.org import access
from zhongxinzu.supervision import selectors, services
from zhongxinzu.supervision.models import ObservationVisit, VisitPlan

router = Router(tags=["列席旁听"])

TEAM_ONLY = "只有旁听组成员和督导可以填写"
PLAN_OWNER_ONLY = "只能调整本人督导单位的旁听计划"

ROW_RELATED = ("plan", "group", "team", "observer_group")


def visit_rows(visits: list[ObservationVisit]) -> list[dict]:
    """Visits as list rows, with their deadlines (read from the visits' own columns)."""
    deadlines = selectors.visit_deadlines(visits, timezone.localdate())
    return [_row(v, deadlines[v.pk]) for v in visits]


def _row(v: ObservationVisit, deadlines) -> dict:
    return {
        "id": v.pk,
        "plan_id": v.plan_id,
        "plan_title": v.plan.title if v.plan_id else "",
        "plan_status": v.plan.status if v.plan_id else None,
        "group_id": v.group_id,
        "group_name": v.group.name,
        "team_id": v.team_id,
        "team_name": v.team.name if v.team_id else "",
        "observer_group_id": v.observer_group_id,
        "observer_group_name": v.observer_group.name if v.observer_group_id else "",
        "session_id": v.session_id,
        "planned_on": v.planned_on,
        "stage": v.stage,
        "stage_label": v.get_stage_display(),
        "materials_due": v.materials_due,
        "materials_sent_at": v.materials_sent_at,
        "summary_due": v.summary_due,
        "summary_submitted_at": v.summary_submitted_at,
        "feedback_sent_at": v.feedback_sent_at,
        "overdue": any(d.overdue for d in deadlines),
        "deadlines": [{**asdict(d), "status": d.status} for d in deadlines],
        "version": v.version,
    }


def _visible(user):
    return scope.visits(user).select_related(*ROW_RELATED, "plan__owner_unit", "group__unit")


def _one(user, pk: int) -> dict:
    visit = _visible(user).select_related("session").get(pk=pk)
    team_notes = selectors.can_see_team_notes(user, visit)
    is_open = visit.stage != ObservationVisit.Stage.CLOSED and (
        visit.plan_id is None or visit.plan.status == VisitPlan.Status.PUBLISHED
    )
    checklist = visit.checklist or {}
    checked = checklist.get("items", {})
    members = (
        visit.team.memberships.select_related("expert").order_by("-is_leader", "pk")
        if visit.team_id
        else []
    )
    session = visit.session
    can_feedback = selectors.supervises_group(user, visit.group)
    show_summary = selectors.can_see_summary(user, visit) and visit.summary_submitted_at
    return {
        **visit_rows([visit])[0],
        "session_title": session.title if session else "",
        "session_starts_at": session.starts_at if session else None,
        "session_place": session.place if session else "",
        "team_members": [{"name": m.expert.name, "is_leader": m.is_leader} for m in members],
        "checklist": {
            "items": [
                {"key": key, "label": label, "ok": checked.get(key)}
                for key, label in selectors.CHECKLIST_ITEMS
            ],
            "note": checklist.get("note", ""),
            "checked_by": checklist.get("checked_by", ""),
            "checked_at": checklist.get("checked_at", ""),
        }
        if team_notes
        else None,
        "onsite_comments": visit.onsite_comments if team_notes else None,
        "interview_notes": visit.interview_notes if team_notes else None,
        "summary": {
            "overall": visit.summary_overall,
            "highlights": visit.summary_highlights,
            "problems": visit.summary_problems,
        }
        if show_summary
        else None,
        "summary_limit": services.summary_limit(visit) if team_notes and is_open else None,
        "can_send_materials": selectors.can_send_materials(user, visit)
        and visit.materials_sent_at is None
        and is_open,
        "can_write_team_notes": team_notes and is_open,
        "can_feedback": can_feedback and bool(visit.summary_submitted_at) and is_open,
        "is_team_member": selectors.is_team_member(user, visit),
    }


def _get(user, pk: int, *, writable=None, message: str = "") -> ObservationVisit:
    check = (lambda v: writable(user, v)) if writable else None
    return scope.get(_visible(user), pk, writable=check, message=message)


def _plan_owner(user, visit: ObservationVisit) -> bool:
    return visit.plan_id is not None and access.supervises(user, visit.plan.owner_unit)


@router.get("", response={200: VisitPage, **ERRORS}, summary="列席旁听列表（含各阶段期限）")
def visit_list(request, filters: Query[VisitFilters]):
    qs = scope.visits(request.auth).select_related(*ROW_RELATED)
    for field in ("plan", "group", "team"):
        if value := getattr(filters, field):
            qs = qs.filter(**{f"{field}_id": value})
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.year:
        qs = qs.filter(planned_on__year=filters.year)
    if filters.overdue is not None:
        late = selectors.overdue_visits(ObservationVisit.objects.all(), timezone.localdate())
        late_ids = late.values("pk")
        qs = qs.filter(pk__in=late_ids) if filters.overdue else qs.exclude(pk__in=late_ids)
    return page(qs.order_by("planned_on", "pk"), filters, visit_rows)


@router.get("/{visit_id}", response={200: VisitDetailOut, **ERRORS}, summary="列席旁听详情")
def visit_detail(request, visit_id: Id):
    return _one(request.auth, _get(request.auth, visit_id).pk)


@router.patch(
    "/{visit_id}",
    response={200: VisitDetailOut, **ERRORS},
    summary="调整草稿计划中的旁听：旁听组、日期（督导）",
)
def visit_update(request, visit_id: Id, payload: VisitUpdateIn):
    user = request.auth
    visit = _get(user, visit_id, writable=_plan_owner, message=PLAN_OWNER_ONLY)
    data = changed_fields(payload)
    team = visit.team
    if "team" in data:
        team = (
            body_ref(scope.teams(user), data["team"], "team", "旁听组不存在或不在您的查看范围内")
            if data["team"] is not None
            else None
        )
    services.visit_update(
        actor=user,
        visit=visit,
        team=team,
        planned_on=data.get("planned_on") or visit.planned_on,
        expected_version=data["version"],
    )
    return _one(user, visit.pk)


@router.delete(
    "/{visit_id}", response={204: None, **ERRORS}, summary="从草稿计划中移除该旁听（督导）"
)
def visit_remove(request, visit_id: Id):
    user = request.auth
    visit = _get(user, visit_id, writable=_plan_owner, message=PLAN_OWNER_ONLY)
    services.visit_remove(actor=user, visit=visit)
    return Status(204, None)


@router.post(
    "/{visit_id}/materials",
    response={200: VisitDetailOut, **ERRORS},
    summary="确认已报送学习方案、材料和发言稿（被旁听中心组的学习秘书）",
)
def visit_materials(request, visit_id: Id, payload: VisitMaterialsIn):
    user = request.auth
    visit = _get(
        user,
        visit_id,
        writable=selectors.can_send_materials,
        message="只有被旁听中心组的学习秘书可以报送",
    )
    services.visit_materials_send(actor=user, visit=visit, note=payload.note)
    return _one(user, visit.pk)


@router.post(
    "/{visit_id}/checklist",
    response={200: VisitDetailOut, **ERRORS},
    summary="保存会前审核清单（旁听组成员、督导）",
)
def visit_checklist(request, visit_id: Id, payload: VisitChecklistIn):
    user = request.auth
    visit = _get(user, visit_id, writable=selectors.can_write_team_notes, message=TEAM_ONLY)
    services.visit_checklist_save(
        actor=user, visit=visit, checked=list(payload.checked), note=payload.note
    )
    return _one(user, visit.pk)


@router.post(
    "/{visit_id}/onsite",
    response={200: VisitDetailOut, **ERRORS},
    summary="保存现场点评（旁听组成员、督导）",
)
def visit_onsite(request, visit_id: Id, payload: VisitOnsiteIn):
    user = request.auth
    visit = _get(user, visit_id, writable=selectors.can_write_team_notes, message=TEAM_ONLY)
    services.visit_onsite_save(actor=user, visit=visit, comments=payload.comments)
    return _one(user, visit.pk)


@router.post(
    "/{visit_id}/interview",
    response={200: VisitDetailOut, **ERRORS},
    summary="保存会后访谈记录（旁听组成员、督导）",
)
def visit_interview(request, visit_id: Id, payload: VisitInterviewIn):
    user = request.auth
    visit = _get(user, visit_id, writable=selectors.can_write_team_notes, message=TEAM_ONLY)
    services.visit_interview_save(actor=user, visit=visit, notes=payload.notes)
    return _one(user, visit.pk)


@router.post(
    "/{visit_id}/summary",
    response={200: VisitDetailOut, **ERRORS},
    summary="提交旁听总结：总体评价、特色亮点、存在问题（合计字数受规则限制）",
)
def visit_summary(request, visit_id: Id, payload: VisitSummaryIn):
    user = request.auth
    visit = _get(user, visit_id, writable=selectors.can_write_team_notes, message=TEAM_ONLY)
    services.visit_summary_submit(
        actor=user,
        visit=visit,
        overall=payload.overall,
        highlights=payload.highlights,
        problems=payload.problems,
    )
    return _one(user, visit.pk)


@router.post(
    "/{visit_id}/feedback",
    response={200: VisitDetailOut, **ERRORS},
    summary="向被旁听中心组反馈，旁听完成（督导）",
)
def visit_feedback(request, visit_id: Id):
    user = request.auth
    visit = _get(
        user,
        visit_id,
        writable=lambda u, v: selectors.supervises_group(u, v.group),
        message="只有督导可以发送反馈",
    )
    services.visit_feedback_send(actor=user, visit=visit)
    return _one(user, visit.pk)


@router.get(
    "/{visit_id}/feedback.docx",
    response=ERRORS,
    summary="下载反馈意见（Word，GB/T 9704 公文格式）",
    openapi_extra=file_operation(DOCX_CONTENT_TYPE, "列席旁听反馈意见 .docx"),
)
def visit_feedback_docx(request, visit_id: Id):
    user = request.auth
    visit = _get(
        user,
        visit_id,
        writable=selectors.can_see_summary,
        message="反馈意见发出前，只有旁听组成员和督导可以下载",
    )
    data = services.visit_feedback_document(actor=user, visit=visit)
    return docx_response(request, f"{visit.group.name}列席旁听反馈意见.docx", data, obj=visit)
