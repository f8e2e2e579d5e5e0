"""/api/outputs: study outputs (学习成果) members hand in to their group; speech drafts
(研讨发言材料) tied to a session are reviewed by the group's leader before it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from ninja import Query, Router, Status

from zhongxinzu.api import scope
from zhongxinzu.api.common import (
    ERRORS,
    body_ref,
    changed_fields,
    members_in_year,
    page,
    person_name,
)
from zhongxinzu.api.errors import FieldDenied
from zhongxinzu.api.schemas import (
    CountParams,
    Id,
    OutputCountsOut,
    OutputCreateIn,
    OutputDetailOut,
    OutputFilters,
    OutputPage,
    OutputReviewIn,
    OutputUpdateIn,
)
from zhongxinzu.org import access
from zhongxinzu.org.models import StudyGroup
from zhongxinzu.outputs import selectors, services
from zhongxinzu.outputs.models import Output
from zhongxinzu.rules.services import rulebook_for

router = Router(tags=["学习成果"])


def _row(o: Output) -> dict:
    return {
        "id": o.pk,
        "group_id": o.group_id,
        "group_name": o.group.name,
        "author_id": o.author_id,
        "author_name": o.author.name,
        "session_id": o.session_id,
        "kind": o.kind,
        "kind_label": o.get_kind_display(),
        "title": o.title,
        "body": o.body,
        "has_file": bool(o.file),
        "year": o.year,
        "status": o.status,
        "status_label": o.status_label,
        "submitted_at": o.submitted_at,
        "reviewed_by": person_name(o.reviewed_by),
        "reviewed_at": o.reviewed_at,
        "review_comment": o.review_comment,
        "version": o.version,
    }


def _one(pk: int) -> dict:
    o = Output.objects.select_related("group__unit", "author", "session", "reviewed_by").get(pk=pk)
    required = bool(rulebook_for(o.group.unit, o.year)["speech_review_before_session"])
    state = selectors.speech_review_state(o, required=required, now=timezone.now())
    return {**_row(o), "review_state": state}


def _get(user, pk: int, *, write=None, message: str = "") -> Output:
    return scope.get(
        scope.outputs(user).select_related("group__unit", "session"),
        pk,
        writable=write,
        message=message,
    )


def _is_author(user):
    person_id = access.principal_of(user).person_id
    return lambda o: person_id is not None and o.author_id == person_id


def _session(user, pk: int | None):
    if pk is None:
        return None
    return body_ref(scope.sessions(user), pk, "session", "集体学习不存在或不在您的查看范围内")


@router.get("", response={200: OutputPage, **ERRORS}, summary="学习成果列表")
def output_list(request, filters: Query[OutputFilters]):
    """Members see their own outputs; the group's secretary and leaders the group's;
    supervisors every group of their subtrees."""
    user = request.auth
    p = access.principal_of(user)
    qs = scope.outputs(user).select_related("group", "author", "reviewed_by")
    for field in ("year", "kind", "status"):
        if value := getattr(filters, field):
            qs = qs.filter(**{field: value})
    if filters.group:
        qs = qs.filter(group_id=filters.group)
    if filters.author:
        qs = qs.filter(author_id=filters.author)
    if filters.session:
        qs = qs.filter(session_id=filters.session)
    if filters.mine:
        qs = qs.filter(author_id=p.person_id) if p.person_id else qs.none()
    if filters.review:
        leading = [g for g, roles in p.group_roles.items() if "leader" in roles]
        qs = qs.filter(
            group_id__in=leading, kind=Output.Kind.SPEECH_DRAFT, status=Output.Status.SUBMITTED
        )
    if filters.q:
        qs = qs.filter(Q(title__contains=filters.q))
    return page(qs.order_by("-submitted_at", "-id"), filters, lambda rows: map(_row, rows))


# Before "/{output_id}": a path parameter matches any segment (its type is checked after
# routing).
@router.get(
    "/counts",
    response={200: OutputCountsOut, **ERRORS},
    summary="年度成果统计：某中心组按成员，或督导范围按中心组（学习秘书、组长、督导）",
)
def output_counts(request, params: Query[CountParams]):
    user = request.auth
    p = access.principal_of(user)
    year = params.year or timezone.localdate().year
    if params.group:
        group = scope.get_group(user, params.group)
        if not scope.is_group_staff(user, group):
            raise PermissionDenied("只有学习秘书、组长和督导可以查看成果统计")
    elif p.is_supervisor:
        return _group_counts(p, year, params)
    elif p.staff_group_ids():
        group = StudyGroup.objects.select_related("unit").get(pk=p.staff_group_ids()[0])
    else:
        raise PermissionDenied("只有学习秘书、组长和督导可以查看成果统计")
    members = members_in_year(group, year)
    counts = selectors.member_output_counts(group, year)
    rows = [
        {
            "group_id": group.pk,
            "group_name": group.name,
            "person_id": m.person_id,
            "person_name": m.person.name,
            "role_label": m.get_role_display(),
            "counts": counts[m.person_id],
        }
        for m in members[params.offset : params.offset + params.limit]
    ]
    required = int(rulebook_for(group.unit, year)["outputs_per_member"])
    return {
        "year": year,
        "group_id": group.pk,
        "required": required,
        "items": rows,
        "count": len(members),
    }


def _group_counts(p, year: int, params) -> dict:
    groups = (
        StudyGroup.objects.filter(access.subtree_q(p.supervised, "unit__"), is_active=True)
        .select_related("unit")
        .order_by("unit__path")
    )

    def rows(page_groups):
        counts = selectors.output_counts(page_groups, year)
        conversions = selectors.conversion_counts(page_groups, year)
        for g in page_groups:
            yield {
                "group_id": g.pk,
                "group_name": g.name,
                "counts": counts[g.pk],
                "conversions": conversions[g.pk],
            }

    return {"year": year, "group_id": None, "required": None, **page(groups, params, rows)}


@router.get("/{output_id}", response={200: OutputDetailOut, **ERRORS}, summary="学习成果详情")
def output_detail(request, output_id: Id):
    return _one(_get(request.auth, output_id).pk)


@router.post("", response={201: OutputDetailOut, **ERRORS}, summary="提交学习成果（成员）")
def output_create(request, payload: OutputCreateIn):
    """A speech draft (kind "speech") tied to an upcoming session waits for the leader's
    review; the other kinds are simply handed in. Files are uploaded on the page."""
    user = request.auth
    p = access.principal_of(user)
    if not (p.group_roles and p.person_id):
        raise PermissionDenied("只有中心组成员可以提交学习成果")
    group = body_ref(scope.groups(user), payload.group, "group", "中心组不存在或不在您的查看范围内")
    if group.pk not in p.group_roles:
        raise FieldDenied("group", "只有本中心组成员可以提交学习成果")
    output = services.output_create(
        actor=user,
        group=group,
        kind=payload.kind,
        title=payload.title,
        body=payload.body,
        session=_session(user, payload.session),
    )
    return Status(201, _one(output.pk))


@router.patch(
    "/{output_id}",
    response={200: OutputDetailOut, **ERRORS},
    summary="修改本人的学习成果（退回的发言材料修改后重新送审）",
)
def output_update(request, output_id: Id, payload: OutputUpdateIn):
    user = request.auth
    output = _get(user, output_id, write=_is_author(user), message="只能修改本人的学习成果")
    data = changed_fields(payload)
    session = _session(user, data["session"]) if "session" in data else output.session
    services.output_update(
        actor=user,
        output=output,
        kind=data.get("kind", output.kind),
        title=data.get("title", output.title),
        body=data.get("body", output.body),
        session=session,
        expected_version=data["version"],
    )
    return _one(output.pk)


@router.delete("/{output_id}", response={204: None, **ERRORS}, summary="撤回本人的学习成果")
def output_delete(request, output_id: Id):
    user = request.auth
    output = _get(user, output_id, write=_is_author(user), message="只能删除本人的学习成果")
    services.output_delete(actor=user, output=output)
    return Status(204, None)


@router.post(
    "/{output_id}/review",
    response={200: OutputDetailOut, **ERRORS},
    summary="审阅发言材料：通过或退回修改（组长）",
)
def output_review(request, output_id: Id, payload: OutputReviewIn):
    user = request.auth
    output = _get(
        user,
        output_id,
        write=lambda o: access.can_lead_group(user, o.group_id),
        message="只有本中心组的组长（副组长）可以审阅",
    )
    services.output_review(
        actor=user,
        output=output,
        approve=payload.decision == "approve",
        comment=payload.comment,
        expected_version=payload.version,
    )
    return _one(output.pk)
