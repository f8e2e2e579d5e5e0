"""/api/sessions: the groups' study sessions (集体学习) with the "five in place", the
agenda (the 第一议题 from the pool first), speakers with their subtopics, the states
planned → held → recorded, and the QR sign-in code shown in the room."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Status

from zhongxinzu.api import scope
from zhongxinzu.api.common import ERRORS, body_ref, changed_fields, page
from zhongxinzu.api.errors import FieldDenied, FieldError
from zhongxinzu.api.schemas import (
    Id,
    SessionCreateIn,
    SessionDetailOut,
    SessionFilters,
    SessionPage,
    SessionRecordIn,
    SessionUpdateIn,
    SignInTokenOut,
)
from zhongxinzu.meetings import selectors, services
from zhongxinzu.meetings.models import AgendaItem, StudySession
from zhongxinzu.org import access
from zhongxinzu.plans.models import PlanTopic
from zhongxinzu.rules.services import rulebook_for

router = Router(tags=["集体学习"])

SECRETARY_ONLY = "只有本中心组的学习秘书可以安排和记录集体学习"
PEOPLE_FIELDS = ("chair", "lead_reader")


def _with_first_item(qs):
    has_first = AgendaItem.objects.filter(session=OuterRef("pk"), first_item__isnull=False)
    return qs.annotate(has_first_item=Exists(has_first))


def _row(s: StudySession, rate) -> dict:
    return {
        "id": s.pk,
        "group_id": s.group_id,
        "group_name": s.group.name,
        "kind": s.kind,
        "kind_label": s.get_kind_display(),
        "title": s.title,
        "topic_id": s.topic_id,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "place": s.place,
        "chair_id": s.chair_id,
        "lead_reader_id": s.lead_reader_id,
        "status": s.status,
        "status_label": s.get_status_display(),
        "held_at": s.held_at,
        "recorded_at": s.recorded_at,
        "has_first_item": s.has_first_item,
        "expected": rate.expected if rate else 0,
        "attended": rate.attended if rate else 0,
        "version": s.version,
    }


def _rows(sessions: list[StudySession]):
    rates = selectors.session_rates(session_ids=[s.pk for s in sessions])
    return [_row(s, rates.get(s.pk)) for s in sessions]


def _one(user, pk: int) -> dict:
    s = _with_first_item(StudySession.objects.select_related("group__unit", "chair", "lead_reader"))
    s = s.get(pk=pk)
    summary = selectors.attendance_summary(s)
    person_id = access.principal_of(user).person_id
    mine = s.attendance.filter(person_id=person_id).first() if person_id else None
    rules = rulebook_for(s.group.unit, selectors.local_date(s).year)
    return {
        **_row(s, selectors.session_rates(session_ids=[s.pk]).get(s.pk)),
        "chair_name": s.chair.name if s.chair_id else "",
        "lead_reader_name": s.lead_reader.name if s.lead_reader_id else "",
        "content": s.content,
        "effect": s.effect,
        "materials": s.materials,
        "minutes": s.minutes,
        "agenda": [
            {"order": a.order, "title": a.title, "first_item_id": a.first_item_id}
            for a in s.agenda.all()
        ],
        "speakers": [
            {"person_id": sp.person_id, "person_name": sp.person.name, "subtopic": sp.subtopic}
            for sp in s.speakers.select_related("person")
        ],
        "attachments": [
            {"id": a.pk, "name": a.name, "uploaded_at": a.uploaded_at}
            for a in s.attachments.order_by("id")
        ],
        "attendance": {
            "expected": summary.expected,
            "present": len(summary.present),
            "late": len(summary.late),
            "leave": len(summary.leave),
            "absent": len(summary.absent),
            "attendees": len(summary.attendees),
            "rate": summary.rate.percent,
        },
        "my_attendance": mine.status if mine else None,
        "warnings": selectors.session_warnings(s, rules),
    }


def _get(user, pk: int, *, write: bool = False) -> StudySession:
    return scope.get(
        scope.sessions(user).select_related("group__unit"),
        pk,
        writable=(lambda s: access.can_record_for_group(user, s.group_id)) if write else None,
        message=SECRETARY_ONLY,
    )


def _people(user, data: dict) -> dict:
    """Resolve chair, lead_reader and speakers[].person to people in the caller's scope
    (the service then checks they are on the group's roster that day)."""
    wanted = {data[f] for f in PEOPLE_FIELDS if data.get(f)}
    wanted |= {sp["person"] for sp in data.get("speakers") or []}
    found = {p.pk: p for p in scope.people(user).filter(pk__in=wanted)} if wanted else {}
    out = {}
    for f in PEOPLE_FIELDS:
        if f in data:
            pk = data[f]
            if pk is not None and pk not in found:
                raise FieldError(f, "人员不存在或不在您的查看范围内")
            out[f] = found.get(pk)
    if data.get("speakers") is not None:
        missing = [sp["person"] for sp in data["speakers"] if sp["person"] not in found]
        if missing:
            raise FieldError("speakers", "发言人不存在或不在您的查看范围内")
        out["speakers"] = [(found[sp["person"]], sp["subtopic"]) for sp in data["speakers"]]
    return out


def _topic(group, pk: int | None):
    if pk is None:
        return None
    topics = PlanTopic.objects.filter(plan__group=group).select_related("plan")
    return body_ref(topics, pk, "topic", "只能选择本中心组学习计划中的专题")


def _first_item(pool, pk: int | None):
    if pk is None:
        return None
    return body_ref(pool, pk, "first_item", "只能从本单位可见的第一议题库中选择")


@router.get("", response={200: SessionPage, **ERRORS}, summary="集体学习列表")
def session_list(request, filters: Query[SessionFilters]):
    qs = _with_first_item(scope.sessions(request.auth).select_related("group"))
    tz = timezone.get_default_timezone()
    if filters.year:
        start, end = selectors.year_bounds(filters.year)
        qs = qs.filter(starts_at__gte=start, starts_at__lt=end)
    if filters.on:
        start = dt.datetime.combine(filters.on, dt.time.min, tzinfo=tz)
        qs = qs.filter(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1))
    if filters.group:
        qs = qs.filter(group_id=filters.group)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.q:
        qs = qs.filter(title__contains=filters.q)
    return page(qs.order_by("-starts_at", "-id"), filters, _rows)


@router.get("/{session_id}", response={200: SessionDetailOut, **ERRORS}, summary="集体学习详情")
def session_detail(request, session_id: Id):
    return _one(request.auth, _get(request.auth, session_id).pk)


@router.post("", response={201: SessionDetailOut, **ERRORS}, summary="安排集体学习（学习秘书）")
def session_create(request, payload: SessionCreateIn):
    user = request.auth
    if not access.principal_of(user).secretary_group_ids():
        raise PermissionDenied("只有学习秘书可以安排集体学习")
    group = body_ref(
        scope.groups(user).select_related("unit"),
        payload.group,
        "group",
        "中心组不存在或不在您的查看范围内",
    )
    if not access.can_record_for_group(user, group.pk):
        raise FieldDenied("group", "只有本中心组的学习秘书可以安排集体学习")
    data = payload.model_dump()
    pool = selectors.first_item_pool(user, group)
    session = services.session_create(
        actor=user,
        group=group,
        kind=data["kind"],
        title=data["title"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        place=data["place"],
        topic=_topic(group, data["topic"]),
        content=data["content"],
        materials=data["materials"],
        first_item=_first_item(pool, data["first_item"]),
        agenda=data["agenda"],
        allowed_first_items=pool,
        **_people(user, data),
    )
    return Status(201, _one(user, session.pk))


@router.patch(
    "/{session_id}",
    response={200: SessionDetailOut, **ERRORS},
    summary="修改学习安排（已记录的学习已锁定）",
)
def session_update(request, session_id: Id, payload: SessionUpdateIn):
    """Only the fields sent change; the agenda, the first item and the speakers are kept
    unless sent (each as a whole)."""
    user = request.auth
    session = _get(user, session_id, write=True)
    data = changed_fields(payload)
    version = data.pop("version")
    pool = selectors.first_item_pool(user, session.group)
    agenda = list(session.agenda.select_related("first_item"))
    first_item = next((a.first_item for a in agenda if a.first_item_id), None)
    if "first_item" in data:
        first_item = _first_item(pool, data.pop("first_item"))
    titles = data.pop("agenda", None)
    if titles is None:
        titles = [a.title for a in agenda if not a.first_item_id]
    people = _people(user, data)
    speakers = people.pop("speakers", None)
    if speakers is None:
        speakers = [(sp.person, sp.subtopic) for sp in session.speakers.select_related("person")]
    data.pop("speakers", None)
    data.update(people)
    if "topic" in data:
        data["topic"] = _topic(session.group, data["topic"])
    services.session_update(
        actor=user,
        session=session,
        expected_version=version,
        first_item=first_item,
        agenda=titles,
        speakers=speakers,
        allowed_first_items=pool,
        **data,
    )
    return _one(user, session.pk)


@router.post(
    "/{session_id}/held",
    response={200: SessionDetailOut, **ERRORS},
    summary="标记为已举行（学习开始后）",
)
def session_mark_held(request, session_id: Id):
    user = request.auth
    session = _get(user, session_id, write=True)
    services.session_mark_held(actor=user, session=session)
    return _one(user, session.pk)


@router.post(
    "/{session_id}/record",
    response={200: SessionDetailOut, **ERRORS},
    summary="完成学习记录（内容、效果、纪要；须已点名，完成后锁定并生成补学任务）",
)
def session_record(request, session_id: Id, payload: SessionRecordIn):
    user = request.auth
    session = _get(user, session_id, write=True)
    services.session_record(
        actor=user,
        session=session,
        content=payload.content,
        effect=payload.effect,
        minutes=payload.minutes,
        expected_version=payload.version,
    )
    return _one(user, session.pk)


@router.get(
    "/{session_id}/sign-in-token",
    response={200: SignInTokenOut, **ERRORS},
    summary="现场签到二维码的当前令牌（学习秘书；约每30秒更换）",
)
def sign_in_token(request, session_id: Id):
    session = _get(request.auth, session_id, write=True)
    token = services.sign_in_token(session_id=session.pk)
    opens_at = session.starts_at - services.SIGN_IN_OPENS_BEFORE
    return {
        "token": token,
        "url": request.build_absolute_uri(reverse("meetings:sign_in", kwargs={"token": token})),
        "expires_in": services.sign_in_token_expires_in(),
        "open": opens_at <= timezone.now() <= session.ends_at,
        "opens_at": opens_at,
        "closes_at": session.ends_at,
    }
