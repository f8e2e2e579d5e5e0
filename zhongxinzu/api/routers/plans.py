"""/api/plans: each group's year plan (年度学习计划) with its topics (专题), the workflow
draft → submitted to the leader → approved → filed upward, the supervisors' filing overview
and the plan as .docx."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils import timezone
from ninja import Query, Router, Status

from zhongxinzu.api import scope
from zhongxinzu.api.common import (
    ERRORS,
    body_ref,
    changed_fields,
    file_operation,
    page,
    person_name,
)
from zhongxinzu.api.errors import FieldDenied
from zhongxinzu.api.schemas import (
    FilingFilters,
    FilingPage,
    Id,
    PlanCreateIn,
    PlanDetailOut,
    PlanFilters,
    PlanPage,
    PlanReopenIn,
    PlanReturnIn,
    PlanUpdateIn,
    TopicCreateIn,
    TopicOut,
    TopicUpdateIn,
    VersionIn,
)
from zhongxinzu.documents.responses import DOCX_CONTENT_TYPE, docx_response
from zhongxinzu.org import access
from zhongxinzu.org.models import StudyGroup
from zhongxinzu.plans import perms, selectors, services
from zhongxinzu.plans.models import PlanTopic, YearPlan
from zhongxinzu.rules.services import rulebook_for, rulebooks_for

router = Router(tags=["年度学习计划"])

SECRETARY_ONLY = "只有本中心组的学习秘书可以编制和报备计划"
LEADER_ONLY = "只有本中心组的组长（副组长）可以审批计划"


def _visible(user):
    topics = PlanTopic.objects.select_related("lead").order_by("order", "id")
    return (
        scope.plans(user)
        .select_related("group__unit", "approved_by")
        .prefetch_related(Prefetch("topics", queryset=topics))
    )


def _topic_row(t: PlanTopic) -> dict:
    return {
        "id": t.pk,
        "order": t.order,
        "title": t.title,
        "month": t.month,
        "quarter": t.quarter,
        "form": t.form,
        "lead_id": t.lead_id,
        "lead_name": t.lead.name if t.lead_id else "",
        "prompt_id": t.prompt_id,
        "content": t.content,
    }


def _row(plan: YearPlan) -> dict:
    return {
        "id": plan.pk,
        "group_id": plan.group_id,
        "group_name": plan.group.name,
        "year": plan.year,
        "title": plan.title,
        "guidance": plan.guidance,
        "status": plan.status,
        "status_label": plan.get_status_display(),
        "submitted_at": plan.submitted_at,
        "approved_at": plan.approved_at,
        "approved_by": person_name(plan.approved_by),
        "filed_at": plan.filed_at,
        "return_comment": plan.return_comment,
        "topics": [_topic_row(t) for t in plan.topics.all()],
        "version": plan.version,
    }


def _one(user, pk: int) -> dict:
    plan = _visible(user).get(pk=pk)
    book = rulebook_for(plan.group.unit, plan.year)
    filing = selectors.plan_filing([plan.group], plan.year, {plan.group.unit_id: book})[0]
    return {**_row(plan), "due_date": filing.due, "filing_state": filing.state}


def _get(user, pk: int, *, record: bool = False, lead: bool = False) -> YearPlan:
    qs = scope.plans(user).select_related("group__unit")
    if record:
        return scope.get(
            qs, pk, writable=lambda p: perms.can_record_plan(user, p), message=SECRETARY_ONLY
        )
    if lead:
        return scope.get(
            qs, pk, writable=lambda p: perms.can_lead_plan(user, p), message=LEADER_ONLY
        )
    return scope.get(qs, pk)


def _get_topic(user, pk: int) -> PlanTopic:
    return scope.get(
        PlanTopic.objects.filter(plan__in=scope.plans(user)).select_related(
            "plan__group__unit", "lead"
        ),
        pk,
        writable=lambda t: perms.can_record_plan(user, t.plan),
        message=SECRETARY_ONLY,
    )


def _lead(user, pk: int | None):
    if pk is None:
        return None
    return body_ref(scope.people(user), pk, "lead", "人员不存在或不在您的查看范围内")


@router.get("", response={200: PlanPage, **ERRORS}, summary="学习计划列表")
def plan_list(request, filters: Query[PlanFilters]):
    qs = _visible(request.auth)
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.group:
        qs = qs.filter(group_id=filters.group)
    if filters.status:
        qs = qs.filter(status=filters.status)
    qs = qs.order_by("-year", "group__unit__path", "id")
    return page(qs, filters, lambda rows: map(_row, rows))


# Before "/{plan_id}": a path parameter matches any segment (its type is checked after
# routing).
@router.get(
    "/filing",
    response={200: FilingPage, **ERRORS},
    summary="报备情况：督导范围内每个中心组的年度计划是否按期报备（督导）",
)
def filing_overview(request, filters: Query[FilingFilters]):
    p = access.principal_of(request.auth)
    if not p.is_supervisor:
        raise PermissionDenied("只有督导可以查看计划报备情况")
    year = filters.year or timezone.localdate().year
    groups = (
        StudyGroup.objects.filter(access.subtree_q(p.supervised, "unit__"), is_active=True)
        .select_related("unit")
        .order_by("unit__path")
    )
    total = groups.count()
    filed = groups.filter(selectors.filed_q(year)).count()
    if filters.state == "filed":
        groups = groups.filter(selectors.filed_q(year))
    elif filters.state == "unfiled":
        groups = groups.exclude(selectors.filed_q(year))

    def rows(page_groups):
        books = rulebooks_for([g.unit for g in page_groups], year)
        for f in selectors.plan_filing(page_groups, year, books):
            yield {
                "group_id": f.group.pk,
                "group_name": f.group.name,
                "unit_name": f.group.unit.name,
                "plan_id": f.plan.pk if f.plan else None,
                "plan_status": f.plan.status if f.plan else None,
                "due_date": f.due,
                "filed_on": f.filed_on,
                "state": f.state,
                "reopened": f.reopened,
            }

    result = page(groups, filters, rows)
    return {**result, "total": total, "filed": filed, "unfiled": total - filed}


@router.get("/{plan_id}", response={200: PlanDetailOut, **ERRORS}, summary="学习计划详情")
def plan_detail(request, plan_id: Id):
    return _one(request.auth, _get(request.auth, plan_id).pk)


@router.post("", response={201: PlanDetailOut, **ERRORS}, summary="编制年度学习计划（草稿）")
def plan_create(request, payload: PlanCreateIn):
    user = request.auth
    if not access.principal_of(user).secretary_group_ids():
        raise PermissionDenied("只有学习秘书可以编制学习计划")
    group = body_ref(scope.groups(user), payload.group, "group", "中心组不存在或不在您的查看范围内")
    if not access.can_record_for_group(user, group.pk):
        raise FieldDenied("group", "只有本中心组的学习秘书可以编制计划")
    plan = services.plan_create(actor=user, group=group, **payload.model_dump(exclude={"group"}))
    return Status(201, _one(user, plan.pk))


@router.patch("/{plan_id}", response={200: PlanDetailOut, **ERRORS}, summary="修改草稿计划")
def plan_update(request, plan_id: Id, payload: PlanUpdateIn):
    user = request.auth
    plan = _get(user, plan_id, record=True)
    data = changed_fields(payload)
    services.plan_update(
        actor=user,
        plan=plan,
        title=data.get("title", plan.title),
        guidance=data.get("guidance", plan.guidance),
        expected_version=data["version"],
    )
    return _one(user, plan.pk)


@router.post("/{plan_id}/topics", response={201: TopicOut, **ERRORS}, summary="为草稿计划添加专题")
def topic_create(request, plan_id: Id, payload: TopicCreateIn):
    user = request.auth
    plan = _get(user, plan_id, record=True)
    data = payload.model_dump(exclude={"lead"})
    topic = services.topic_add(actor=user, plan=plan, lead=_lead(user, payload.lead), **data)
    return Status(201, _topic_row(PlanTopic.objects.select_related("lead").get(pk=topic.pk)))


@router.patch(
    "/topics/{topic_id}",
    response={200: TopicOut, **ERRORS},
    summary="修改专题（只改提交的字段；改月份则季度随之确定）",
)
def topic_update(request, topic_id: Id, payload: TopicUpdateIn):
    user = request.auth
    topic = _get_topic(user, topic_id)
    data = changed_fields(payload)
    fields = {f: getattr(topic, f) for f in ("title", "month", "quarter", "form", "content")}
    fields["order"] = topic.order
    fields["lead"] = topic.lead
    # One of month and quarter sent alone says when the topic falls: the other follows.
    if "month" in data and "quarter" not in data:
        fields["quarter"] = None
    elif "quarter" in data and "month" not in data:
        fields["month"] = None
    if "lead" in data:
        data["lead"] = _lead(user, data["lead"])
    fields.update(data)
    services.topic_update(actor=user, topic=topic, **fields)
    return _topic_row(PlanTopic.objects.select_related("lead").get(pk=topic.pk))


@router.delete("/topics/{topic_id}", response={204: None, **ERRORS}, summary="删除专题")
def topic_delete(request, topic_id: Id):
    user = request.auth
    services.topic_delete(actor=user, topic=_get_topic(user, topic_id))
    return Status(204, None)


@router.post("/{plan_id}/submit", response={200: PlanDetailOut, **ERRORS}, summary="提交组长审批")
def plan_submit(request, plan_id: Id, payload: VersionIn):
    user = request.auth
    plan = _get(user, plan_id, record=True)
    services.plan_submit(actor=user, plan=plan, expected_version=payload.version)
    return _one(user, plan.pk)


@router.post(
    "/{plan_id}/approve", response={200: PlanDetailOut, **ERRORS}, summary="审批通过（组长）"
)
def plan_approve(request, plan_id: Id, payload: VersionIn):
    user = request.auth
    plan = _get(user, plan_id, lead=True)
    services.plan_approve(actor=user, plan=plan, expected_version=payload.version)
    return _one(user, plan.pk)


@router.post(
    "/{plan_id}/return",
    response={200: PlanDetailOut, **ERRORS},
    summary="退回学习秘书修改（组长，须填写意见）",
)
def plan_return(request, plan_id: Id, payload: PlanReturnIn):
    user = request.auth
    plan = _get(user, plan_id, lead=True)
    services.plan_return(
        actor=user, plan=plan, comment=payload.comment, expected_version=payload.version
    )
    return _one(user, plan.pk)


@router.post(
    "/{plan_id}/file", response={200: PlanDetailOut, **ERRORS}, summary="向上级报备已审批的计划"
)
def plan_file(request, plan_id: Id, payload: VersionIn):
    user = request.auth
    plan = _get(user, plan_id, record=True)
    services.plan_file(actor=user, plan=plan, expected_version=payload.version)
    return _one(user, plan.pk)


@router.post(
    "/{plan_id}/reopen",
    response={200: PlanDetailOut, **ERRORS},
    summary="重新打开已审批或已报备的计划（回到草稿，须填写原因）",
)
def plan_reopen(request, plan_id: Id, payload: PlanReopenIn):
    user = request.auth
    plan = _get(user, plan_id, record=True)
    services.plan_reopen(
        actor=user, plan=plan, reason=payload.reason, expected_version=payload.version
    )
    return _one(user, plan.pk)


@router.get(
    "/{plan_id}/plan.docx",
    response=ERRORS,
    summary="下载计划（Word，GB/T 9704 公文格式）",
    openapi_extra=file_operation(DOCX_CONTENT_TYPE, "学习计划 .docx"),
)
def plan_docx(request, plan_id: Id):
    user = request.auth
    plan = _get(user, plan_id)
    data = services.plan_document(actor=user, plan=plan)
    return docx_response(request, f"{plan.title}.docx", data, obj=plan)
