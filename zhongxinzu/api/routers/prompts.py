"""/api/prompts: study prompts (学习提示) a supervisor issues to every group below a unit;
the groups' secretaries and leaders acknowledge them, the supervisor tracks who has."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch
from ninja import Query, Router, Status

from zhongxinzu.api import scope
from zhongxinzu.api.common import ERRORS, changed_fields, page, person_name
from zhongxinzu.api.errors import FieldDenied, FieldError
from zhongxinzu.api.schemas import (
    AckFilters,
    AckPage,
    Id,
    PromptAckIn,
    PromptAckOut,
    PromptCreateIn,
    PromptFilters,
    PromptOut,
    PromptPage,
    PromptUpdateIn,
    VersionIn,
)
from zhongxinzu.org import access
from zhongxinzu.org.models import StudyGroup
from zhongxinzu.plans import perms, selectors, services
from zhongxinzu.plans.models import Prompt, PromptAck, PromptAttachment
from zhongxinzu.rules.services import rulebooks_for

router = Router(tags=["学习提示"])


def _visible(user):
    groups = list(access.principal_of(user).group_roles)
    mine = PromptAck.objects.filter(prompt=OuterRef("pk"), group_id__in=groups)
    return (
        scope.prompts(user)
        .select_related("issuer_unit")
        .prefetch_related(Prefetch("attachments", queryset=PromptAttachment.objects.order_by("id")))
        .annotate(acknowledged=Exists(mine))
    )


def _row(p: Prompt) -> dict:
    return {
        "id": p.pk,
        "issuer_unit_id": p.issuer_unit_id,
        "issuer_unit_name": p.issuer_unit.name,
        "year": p.year,
        "quarter": p.quarter,
        "title": p.title,
        "themes": p.themes,
        "discussion_focus": p.discussion_focus,
        "readings": p.readings,
        "expected_outputs": p.expected_outputs,
        "status": p.status,
        "status_label": p.get_status_display(),
        "issued_at": p.issued_at,
        "acknowledged": p.acknowledged,
        "attachments": [
            {"id": a.pk, "name": a.name, "uploaded_at": a.uploaded_at} for a in p.attachments.all()
        ],
        "version": p.version,
    }


def _one(user, pk: int) -> dict:
    return _row(_visible(user).get(pk=pk))


def _get(user, pk: int, *, write: bool = False) -> Prompt:
    return scope.get(
        scope.prompts(user).select_related("issuer_unit"),
        pk,
        writable=(lambda p: perms.can_edit_prompt(user, p)) if write else None,
        message="无权修改该学习提示",
    )


def _issuer(user, unit_id: int):
    unit = next((u for u in perms.issuer_units(user) if u.pk == unit_id), None)
    if unit is None:
        raise FieldError("issuer_unit", "只能以本人督导的单位名义下发学习提示")
    return unit


@router.get("", response={200: PromptPage, **ERRORS}, summary="学习提示列表")
def prompt_list(request, filters: Query[PromptFilters]):
    """Issued prompts of the units above the caller's groups, and every prompt (drafts too)
    within the subtrees the caller supervises."""
    qs = _visible(request.auth)
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.quarter:
        qs = qs.filter(quarter=filters.quarter)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.issuer_unit:
        qs = qs.filter(issuer_unit_id=filters.issuer_unit)
    if filters.q:
        qs = qs.filter(title__contains=filters.q)
    return page(qs.order_by("-year", "-quarter", "-id"), filters, lambda rows: map(_row, rows))


@router.get("/{prompt_id}", response={200: PromptOut, **ERRORS}, summary="学习提示详情")
def prompt_detail(request, prompt_id: Id):
    return _one(request.auth, _get(request.auth, prompt_id).pk)


@router.post("", response={201: PromptOut, **ERRORS}, summary="起草学习提示（草稿）")
def prompt_create(request, payload: PromptCreateIn):
    user = request.auth
    if not perms.issuer_units(user):
        raise PermissionDenied("只有督导可以下发学习提示")
    data = payload.model_dump(exclude={"issuer_unit"})
    prompt = services.prompt_create(
        actor=user, issuer_unit=_issuer(user, payload.issuer_unit), **data
    )
    return Status(201, _one(user, prompt.pk))


@router.patch("/{prompt_id}", response={200: PromptOut, **ERRORS}, summary="修改草稿")
def prompt_update(request, prompt_id: Id, payload: PromptUpdateIn):
    """Only drafts change; an issued prompt is read-only."""
    user = request.auth
    prompt = _get(user, prompt_id, write=True)
    data = changed_fields(payload)
    version = data.pop("version")
    if "issuer_unit" in data:
        data["issuer_unit"] = _issuer(user, data["issuer_unit"])
    services.prompt_update(actor=user, prompt=prompt, expected_version=version, **data)
    return _one(user, prompt.pk)


@router.post(
    "/{prompt_id}/issue",
    response={200: PromptOut, **ERRORS},
    summary="下发学习提示（下发后不能再修改）",
)
def prompt_issue(request, prompt_id: Id, payload: VersionIn):
    user = request.auth
    prompt = _get(user, prompt_id, write=True)
    services.prompt_issue(actor=user, prompt=prompt, expected_version=payload.version)
    return _one(user, prompt.pk)


@router.delete("/{prompt_id}", response={204: None, **ERRORS}, summary="删除草稿")
def prompt_delete(request, prompt_id: Id):
    user = request.auth
    services.prompt_delete(actor=user, prompt=_get(user, prompt_id, write=True))
    return Status(204, None)


@router.post(
    "/{prompt_id}/acknowledge",
    response={201: PromptAckOut, **ERRORS},
    summary="签收学习提示（学习秘书或组长）",
)
def prompt_acknowledge(request, prompt_id: Id, payload: PromptAckIn):
    user = request.auth
    prompt = _get(user, prompt_id)
    choices = perms.ack_group_ids(user, prompt)
    if not choices:
        raise PermissionDenied("只有本中心组的学习秘书或组长可以签收")
    group_id = payload.group or choices[0]
    if group_id not in choices:
        if not scope.groups(user).filter(pk=group_id).exists():
            raise FieldError("group", "中心组不存在或不在您的查看范围内")
        raise FieldDenied("group", "只能为本人担任学习秘书或组长、且在下发范围内的中心组签收")
    group = StudyGroup.objects.get(pk=group_id)
    ack = services.prompt_acknowledge(actor=user, prompt=prompt, group=group)
    return Status(
        201,
        {
            "prompt_id": prompt.pk,
            "group_id": group.pk,
            "group_name": group.name,
            "acknowledged_at": ack.acknowledged_at,
            "acknowledged_by": person_name(user),
        },
    )


@router.get(
    "/{prompt_id}/acks",
    response={200: AckPage, **ERRORS},
    summary="签收情况：下发范围内每个中心组是否按期签收（督导）",
)
def prompt_acks(request, prompt_id: Id, filters: Query[AckFilters]):
    user = request.auth
    prompt = _get(user, prompt_id)
    if not perms.follows_up(user, prompt.issuer_unit):
        raise PermissionDenied("只有下发单位及其下级单位的督导可以查看签收情况")
    groups = selectors.groups_below(prompt.issuer_unit, user)
    total = groups.count()
    acked = groups.filter(selectors.acked_q(prompt)).count()
    if filters.state == "acked":
        groups = groups.filter(selectors.acked_q(prompt))
    elif filters.state == "pending":
        groups = groups.exclude(selectors.acked_q(prompt))

    def rows(page_groups):
        books = rulebooks_for([g.unit for g in page_groups], prompt.year)
        for r in selectors.prompt_ack_rows(prompt, page_groups, books):
            yield {
                "group_id": r.group.pk,
                "group_name": r.group.name,
                "unit_name": r.group.unit.name,
                "acknowledged_at": r.acknowledged_at,
                "acknowledged_by": r.acknowledged_by,
                "deadline": r.deadline,
                "state": r.state,
            }

    result = page(groups, filters, rows)
    return {**result, "total": total, "acknowledged": acked, "pending": total - acked}
