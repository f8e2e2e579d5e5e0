"""Writes of the study cycle: sessions, attendance (roll-call and QR sign-in), leave and
make-up study. Each validates, runs atomically and audits. Access (who may call what) is
checked by the caller through org.access; these functions enforce the domain's rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from zhongxinzu.audit.services import audit_record
from zhongxinzu.lib.changes import figures_changed
from zhongxinzu.lib.text import NAME_MAX, date_problem, name_problem
from zhongxinzu.lib.uploads import validate_office_upload
from zhongxinzu.lib.versioning import save_versioned
from zhongxinzu.meetings.models import (
    AgendaItem,
    Attendance,
    LeaveRequest,
    MakeUp,
    SessionAttachment,
    Speaker,
    StudySession,
)
from zhongxinzu.meetings.selectors import CORE_ROLES, local_date, session_roster
from zhongxinzu.org.access import active_memberships
from zhongxinzu.org.models import Person, StudyGroup
from zhongxinzu.plans.models import FirstItem, PlanTopic
from zhongxinzu.rules.services import rulebook_for

ATTACHMENT_TYPES = frozenset({"docx", "xlsx", "pdf", "jpg", "jpeg", "png"})

# QR sign-in. The code shown in the room changes every slot; a scan is accepted with the
# current or the previous slot's token (so a code that changed while the phone was
# loading still works), only from SIGN_IN_OPENS_BEFORE the start until the end.
SIGN_IN_SLOT_SECONDS = 30
SIGN_IN_OPENS_BEFORE = dt.timedelta(minutes=30)
LATE_AFTER = dt.timedelta(minutes=10)
_TOKEN_SALT = "zhongxinzu.meetings.sign-in"

SESSION_FIELDS = [
    "kind",
    "title",
    "topic",
    "starts_at",
    "ends_at",
    "place",
    "chair",
    "lead_reader",
    "content",
    "materials",
]
LOCKED = "该次学习已完成记录，记录已锁定，不能再修改"


def _opens_minutes() -> int:
    return int(SIGN_IN_OPENS_BEFORE.total_seconds() // 60)


def _changes(obj, data: dict) -> dict:
    return {k: str(v) for k, v in data.items() if getattr(obj, k) != v}


def _roster_ids(group: StudyGroup, day: dt.date) -> set[int]:
    return set(active_memberships(on=day).filter(group=group).values_list("person_id", flat=True))


# --- sessions ----------------------------------------------------------------------------


def _too_long(value: str, limit: int) -> str | None:
    return f"不能超过{limit}个字（当前{len(value)}个字）" if len(value) > limit else None


def session_validate(
    *,
    group: StudyGroup,
    kind: str,
    title: str,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    place: str,
    topic: PlanTopic | None = None,
    chair: Person | None = None,
    lead_reader: Person | None = None,
    first_item: FirstItem | None = None,
    speakers: Sequence[tuple[Person, str]] = (),
    allowed_first_items=None,
) -> None:
    errors: dict[str, str] = {}
    if kind not in StudySession.Kind.values:
        errors["kind"] = "请选择学习形式"
    if not (title or "").strip():
        errors["title"] = "请填写学习主题"
    elif problem := name_problem(title) or _too_long(title, NAME_MAX):
        errors["title"] = problem
    if not (place or "").strip():
        errors["place"] = "请填写学习地点"
    elif problem := name_problem(place) or _too_long(place, NAME_MAX):
        errors["place"] = problem
    if starts_at is None:
        errors["starts_at"] = "请填写开始时间"
    elif problem := date_problem(starts_at):
        errors["starts_at"] = problem
    if ends_at is None:
        errors["ends_at"] = "请填写结束时间"
    elif starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = "结束时间应晚于开始时间"
    if topic is not None and topic.plan.group_id != group.pk:
        errors["topic"] = "只能选择本中心组学习计划中的专题"
    if starts_at is not None and (chair or lead_reader or speakers):
        on_roster = _roster_ids(group, timezone.localtime(starts_at).date())
        if chair is not None and chair.pk not in on_roster:
            errors["chair"] = f"{chair.name}在学习当日不在本中心组名册中"
        if lead_reader is not None and lead_reader.pk not in on_roster:
            errors["lead_reader"] = f"{lead_reader.name}在学习当日不在本中心组名册中"
        strangers = [p.name for p, _ in speakers if p.pk not in on_roster]
        if strangers:
            errors["speakers"] = f"发言人{'、'.join(strangers)}在学习当日不在本中心组名册中"
    if any(not (sub or "").strip() for _, sub in speakers):
        errors["speakers"] = "请为每位发言人填写发言题目"
    if (
        first_item is not None
        and allowed_first_items is not None
        and not allowed_first_items.filter(pk=first_item.pk).exists()
    ):
        errors["first_item"] = "只能从本单位可见的第一议题库中选择"
    if errors:
        raise ValidationError(errors)


def _set_agenda(
    session: StudySession,
    *,
    first_item: FirstItem | None,
    agenda: Sequence[str],
    speakers: Sequence[tuple[Person, str]],
) -> None:
    """Replace the agenda (the 第一议题 first, then the other items) and the speakers."""
    session.agenda.all().delete()
    items = []
    if first_item is not None:
        items.append(AgendaItem(session=session, title=first_item.title, first_item=first_item))
    items += [AgendaItem(session=session, title=t.strip()) for t in agenda if t.strip()]
    for order, item in enumerate(items, start=1):
        item.order = order
    AgendaItem.objects.bulk_create(items)
    session.speakers.all().delete()
    Speaker.objects.bulk_create(
        Speaker(session=session, person=p, subtopic=sub.strip(), order=i)
        for i, (p, sub) in enumerate(speakers, start=1)
    )


@transaction.atomic
def session_create(
    *,
    actor,
    group: StudyGroup,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str,
    topic: PlanTopic | None = None,
    chair: Person | None = None,
    lead_reader: Person | None = None,
    content: str = "",
    materials: str = "",
    first_item: FirstItem | None = None,
    agenda: Sequence[str] = (),
    speakers: Sequence[tuple[Person, str]] = (),
    allowed_first_items=None,
) -> StudySession:
    """Plan a session of `group` (status 已安排), with its agenda and speakers (分题到人).
    `allowed_first_items`, if given, is the pool the 第一议题 must come from."""
    session_validate(
        group=group,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        topic=topic,
        chair=chair,
        lead_reader=lead_reader,
        first_item=first_item,
        speakers=speakers,
        allowed_first_items=allowed_first_items,
    )
    session = StudySession.objects.create(
        group=group,
        kind=kind,
        title=title.strip(),
        topic=topic,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        chair=chair,
        lead_reader=lead_reader,
        content=content,
        materials=materials,
    )
    _set_agenda(session, first_item=first_item, agenda=agenda, speakers=speakers)
    figures_changed(session.group_id)
    audit_record(
        actor=actor,
        action="create",
        obj=session,
        detail={"group": group.pk, "first_item": getattr(first_item, "pk", None)},
    )
    return session


@transaction.atomic
def session_update(
    *,
    actor,
    session: StudySession,
    expected_version: int | None = None,
    first_item: FirstItem | None = None,
    agenda: Sequence[str] = (),
    speakers: Sequence[tuple[Person, str]] = (),
    allowed_first_items=None,
    **data,
) -> StudySession:
    """Change a planned or held session; a recorded one is locked."""
    if session.status == StudySession.Status.RECORDED:
        raise ValidationError(LOCKED)
    data = {k: v for k, v in data.items() if k in SESSION_FIELDS}
    merged = {f: data.get(f, getattr(session, f)) for f in SESSION_FIELDS}
    session_validate(
        group=session.group,
        kind=merged["kind"],
        title=merged["title"],
        starts_at=merged["starts_at"],
        ends_at=merged["ends_at"],
        place=merged["place"],
        topic=merged["topic"],
        chair=merged["chair"],
        lead_reader=merged["lead_reader"],
        first_item=first_item,
        speakers=speakers,
        allowed_first_items=allowed_first_items,
    )
    changes = _changes(session, data)
    for key, value in data.items():
        setattr(session, key, value.strip() if key in ("title", "place") else value)
    save_versioned(session, expected_version=expected_version, fields=SESSION_FIELDS)
    _set_agenda(session, first_item=first_item, agenda=agenda, speakers=speakers)
    figures_changed(session.group_id)
    audit_record(actor=actor, action="update", obj=session, detail=changes)
    return session


@transaction.atomic
def session_mark_held(*, actor, session: StudySession, now: dt.datetime | None = None):
    """已安排 → 已举行, once the session has started."""
    now = now or timezone.now()
    if session.status != StudySession.Status.PLANNED:
        raise ValidationError("只有“已安排”的学习可以标记为已举行")
    if now < session.starts_at:
        raise ValidationError("学习尚未开始，不能标记为已举行")
    _mark_held(session, now)
    figures_changed(session.group_id)
    audit_record(actor=actor, action="session_held", obj=session)
    return session


def _mark_held(session: StudySession, now: dt.datetime) -> None:
    StudySession.objects.filter(pk=session.pk).update(status=StudySession.Status.HELD, held_at=now)
    session.status, session.held_at = StudySession.Status.HELD, now


@transaction.atomic
def session_record(
    *,
    actor,
    session: StudySession,
    content: str,
    effect: str,
    minutes: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> StudySession:
    """Complete the record (已记录): content and effect filled in, attendance taken for
    everyone on the roster; creates the make-ups still owed. The record is then locked."""
    now = now or timezone.now()
    if session.status == StudySession.Status.RECORDED:
        raise ValidationError(LOCKED)
    if now < session.starts_at:
        raise ValidationError("学习尚未开始，不能完成记录")
    errors = {}
    if not (content or "").strip():
        errors["content"] = "请填写学习内容"
    if not (effect or "").strip():
        errors["effect"] = "请填写学习效果"
    missing = attendance_missing(session)
    if missing:
        errors["__all__"] = (
            f"尚未点名：{'、'.join(p.name for p in missing[:10])}"
            f"{'等' if len(missing) > 10 else ''}{len(missing)}人，请先完成考勤"
        )
    if errors:
        raise ValidationError(errors)
    session.content, session.effect, session.minutes = content.strip(), effect.strip(), minutes
    save_versioned(
        session, expected_version=expected_version, fields=["content", "effect", "minutes"]
    )
    if session.status == StudySession.Status.PLANNED:
        _mark_held(session, now)
    StudySession.objects.filter(pk=session.pk).update(
        status=StudySession.Status.RECORDED, recorded_at=now
    )
    session.status, session.recorded_at = StudySession.Status.RECORDED, now
    created = _sync_makeups(session)
    figures_changed(session.group_id)
    audit_record(actor=actor, action="session_record", obj=session, detail={"makeups": created})
    return session


def attendance_missing(session: StudySession) -> list[Person]:
    """People on the roster that day with no attendance row."""
    taken = set(session.attendance.values_list("person_id", flat=True))
    return [
        e.person
        for e in session_roster(session.group, on=local_date(session))
        if e.person.pk not in taken
    ]


# --- attachments -------------------------------------------------------------------------


@transaction.atomic
def attachment_add(*, actor, session: StudySession, upload) -> SessionAttachment:
    """Store an uploaded material (docx, xlsx, pdf, jpg, png) after the upload checks."""
    if session.status == StudySession.Status.RECORDED:
        raise ValidationError(LOCKED)
    data = validate_office_upload(upload, allowed=ATTACHMENT_TYPES)
    name = (upload.name or "附件").replace("\\", "/").rsplit("/", 1)[-1][:200]
    attachment = SessionAttachment(session=session, name=name, uploaded_by=actor)
    attachment.file.save(name, ContentFile(data), save=False)
    attachment.save()
    figures_changed(session.group_id)
    audit_record(actor=actor, action="create", obj=attachment, detail={"session": session.pk})
    return attachment


@transaction.atomic
def attachment_delete(*, actor, attachment: SessionAttachment) -> None:
    if attachment.session.status == StudySession.Status.RECORDED:
        raise ValidationError(LOCKED)
    figures_changed(attachment.session.group_id)
    audit_record(
        actor=actor, action="delete", obj=attachment, detail={"session": attachment.session_id}
    )
    stored = attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: SessionAttachment.file.field.storage.delete(stored))


# --- attendance --------------------------------------------------------------------------


@transaction.atomic
def attendance_save(
    *,
    actor,
    session: StudySession,
    rows: Mapping[int, tuple[str, str]],
    now: dt.datetime | None = None,
) -> list[Attendance]:
    """Roll-call: `rows` maps person id -> (status, reason) for people on the roster that day.
    All rows are saved or none; a person whose status is unchanged keeps their sign-in time.
    Marks the session held once it has started and creates the make-ups owed."""
    now = now or timezone.now()
    if session.status == StudySession.Status.RECORDED:
        raise ValidationError(LOCKED)
    if now < session.starts_at - SIGN_IN_OPENS_BEFORE:
        raise ValidationError(f"学习开始前{_opens_minutes()}分钟起方可点名")
    entries = {e.person.pk: e for e in session_roster(session.group, on=local_date(session))}
    errors = []
    for person_id, (status, reason) in rows.items():
        entry = entries.get(person_id)
        if entry is None:
            errors.append("名单中有不在本次学习名册中的人员")
        elif status not in Attendance.Status.values:
            errors.append(f"{entry.person.name}：请选择出勤情况")
        elif (
            status in (Attendance.Status.LEAVE, Attendance.Status.ABSENT)
            and not (reason or "").strip()
        ):
            errors.append(f"{entry.person.name}：请假或缺席须填写原因")
    if errors:
        raise ValidationError(list(dict.fromkeys(errors)))
    existing = {a.person_id: a for a in session.attendance.all()}
    saved, changed = [], {}
    for person_id, (status, reason) in rows.items():
        reason = (reason or "").strip()[:200]
        entry = entries[person_id]
        a = existing.get(person_id)
        if a is None:
            # A QR sign-in may have come in meanwhile: the roll-call has the last word.
            a, _ = Attendance.objects.update_or_create(
                session=session,
                person_id=person_id,
                defaults={
                    "status": status,
                    "reason": reason,
                    "is_attendee": entry.is_attendee,
                    "method": Attendance.Method.ROLL_CALL,
                    "signed_in_at": None,
                },
            )
            changed[person_id] = status
        elif (a.status, a.reason, a.is_attendee) != (status, reason, entry.is_attendee):
            if a.status != status:
                a.method, a.signed_in_at = Attendance.Method.ROLL_CALL, None
                changed[person_id] = status
            a.status, a.reason, a.is_attendee = status, reason, entry.is_attendee
            a.save(update_fields=["status", "reason", "is_attendee", "method", "signed_in_at"])
        saved.append(a)
    if session.status == StudySession.Status.PLANNED and now >= session.starts_at:
        _mark_held(session, now)
    created = _sync_makeups(session)
    figures_changed(session.group_id)
    audit_record(
        actor=actor,
        action="attendance",
        obj=session,
        detail={"changed": {str(k): v for k, v in changed.items()}, "makeups": created},
    )
    return saved


def makeup_due_date(session: StudySession) -> dt.date:
    """Session date + the rules' make-up period (makeup_days) for the group's unit."""
    day = local_date(session)
    days = rulebook_for(session.group.unit, day.year)["makeup_days"]
    return day + dt.timedelta(days=days)


def _sync_makeups(session: StudySession) -> int:
    """Every absence or leave of a member owes a make-up; one no longer owed (the status was
    corrected) goes away unless evidence was already handed in. Returns how many were made."""
    owed = Attendance.objects.filter(
        session=session,
        is_attendee=False,
        status__in=[Attendance.Status.LEAVE, Attendance.Status.ABSENT],
        makeup__isnull=True,
    )
    due = None
    new = []
    for a in owed:
        due = due or makeup_due_date(session)
        new.append(MakeUp(attendance=a, due_date=due))
    MakeUp.objects.bulk_create(new)
    MakeUp.objects.filter(
        attendance__session=session, status=MakeUp.Status.OPEN, evidence_text="", evidence_file=""
    ).exclude(
        attendance__status__in=[Attendance.Status.LEAVE, Attendance.Status.ABSENT],
        attendance__is_attendee=False,
    ).delete()
    return len(new)


# --- QR sign-in --------------------------------------------------------------------------


def _slot(at: dt.datetime) -> int:
    return int(at.timestamp()) // SIGN_IN_SLOT_SECONDS


def _mac(session_id: int, slot: int) -> str:
    return salted_hmac(_TOKEN_SALT, f"{session_id}:{slot}", algorithm="sha256").hexdigest()[:24]


def sign_in_token(*, session_id: int, at: dt.datetime | None = None) -> str:
    """The token in the QR code for `session_id` during the 30-second slot of `at`."""
    return f"{session_id}-{_mac(session_id, _slot(at or timezone.now()))}"


def sign_in_token_expires_in(at: dt.datetime | None = None) -> int:
    """Seconds until the current slot ends (when the page should fetch a new code)."""
    stamp = int((at or timezone.now()).timestamp())
    return SIGN_IN_SLOT_SECONDS - stamp % SIGN_IN_SLOT_SECONDS


def sign_in_token_session(token: str) -> int | None:
    """The session id a token names (unverified), or None for a malformed token."""
    head, sep, _ = (token or "").partition("-")
    return int(head) if sep and head.isdigit() and len(head) < 19 else None


def sign_in_token_check(token: str, *, now: dt.datetime | None = None) -> int:
    """The session id of a token made in the current or the previous slot; otherwise a
    ValidationError (a screenshot from earlier, a forged or another session's code)."""
    session_id = sign_in_token_session(token)
    mac = (token or "").partition("-")[2]
    if session_id is not None:
        slot = _slot(now or timezone.now())
        for s in (slot, slot - 1):
            if constant_time_compare(mac, _mac(session_id, s)):
                return session_id
    raise ValidationError("二维码已失效，请扫描现场屏幕上正在显示的最新二维码", code="token")


@transaction.atomic
def attendance_sign_in(
    *, actor, session: StudySession, now: dt.datetime | None = None
) -> Attendance:
    """Self sign-in from the QR code (the caller has checked the token): only within the
    session window and only for someone on that day's roster. Late after start + 10 min."""
    now = now or timezone.now()
    if session.status == StudySession.Status.RECORDED or not (
        session.starts_at - SIGN_IN_OPENS_BEFORE <= now <= session.ends_at
    ):
        raise ValidationError(
            f"不在签到时间内：签到仅在学习开始前{_opens_minutes()}分钟至学习结束期间有效",
            code="window",
        )
    roles = set(
        active_memberships(on=local_date(session))
        .filter(group_id=session.group_id, person_id=actor.person_id)
        .values_list("role", flat=True)
    )
    if not actor.person_id or not roles:
        raise ValidationError("您不在本次学习的参学名单中，无法签到", code="roster")
    status = (
        Attendance.Status.LATE
        if now > session.starts_at + LATE_AFTER
        else Attendance.Status.PRESENT
    )
    # get_or_create: a double tap (two requests at once) finds the row the other one made.
    a, created = Attendance.objects.get_or_create(
        session=session,
        person_id=actor.person_id,
        defaults={
            "status": status,
            "method": Attendance.Method.QR,
            "signed_in_at": now,
            "is_attendee": not (roles & CORE_ROLES),
        },
    )
    if not created and a.status in (Attendance.Status.PRESENT, Attendance.Status.LATE):
        return a  # already signed in: keep the first time
    if not created:
        a.status, a.reason, a.method, a.signed_in_at = status, "", Attendance.Method.QR, now
        a.save(update_fields=["status", "reason", "method", "signed_in_at"])
        _sync_makeups(session)
    # Audited on the session: naming the attendance row would load its person, a query the
    # sign-in (which should stay cheap) does not otherwise need.
    audit_record(
        actor=actor, action="sign_in", obj=session, detail={"attendance": a.pk, "status": status}
    )
    return a


# --- leave -------------------------------------------------------------------------------


@transaction.atomic
def leave_create(
    *,
    actor,
    session: StudySession,
    person: Person,
    reason: str,
    now: dt.datetime | None = None,
) -> LeaveRequest:
    """A member asks the leader for leave; asked after the start (where the rules want it
    beforehand) it is flagged 事后请假."""
    now = now or timezone.now()
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写请假事由"})
    if session.status == StudySession.Status.RECORDED:
        raise ValidationError("该次学习已完成记录，不能再请假")
    if now > session.ends_at:
        raise ValidationError("该次学习已经结束，不能再请假")
    if person.pk not in _roster_ids(session.group, local_date(session)):
        raise ValidationError("您不在本次学习的参学名单中")
    if session.leave_requests.filter(
        person=person, status__in=[LeaveRequest.Status.PENDING, LeaveRequest.Status.APPROVED]
    ).exists():
        raise ValidationError("您已提交过本次学习的请假申请")
    rules = rulebook_for(session.group.unit, local_date(session).year)
    leave = LeaveRequest.objects.create(
        session=session,
        person=person,
        reason=reason.strip()[:300],
        is_late=bool(rules["leave_before_session"]) and now >= session.starts_at,
    )
    figures_changed(session.group_id)
    audit_record(
        actor=actor,
        action="create",
        obj=leave,
        detail={"session": session.pk, "late": leave.is_late},
    )
    return leave


def _decide(*, actor, leave: LeaveRequest, status: str, note: str) -> None:
    if leave.status != LeaveRequest.Status.PENDING:
        raise ValidationError("该请假申请已审批")
    if actor.person_id and actor.person_id == leave.person_id:
        raise ValidationError("不能审批本人的请假申请")
    if leave.session.status == StudySession.Status.RECORDED:
        raise ValidationError("该次学习已完成记录，不能再审批请假")
    leave.status, leave.decided_by, leave.decided_at = status, actor, timezone.now()
    leave.decision_note = (note or "").strip()[:300]
    leave.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])


@transaction.atomic
def leave_approve(*, actor, leave: LeaveRequest, note: str = "") -> LeaveRequest:
    """The leader approves: the person's attendance becomes 请假 (and a make-up is owed)."""
    _decide(actor=actor, leave=leave, status=LeaveRequest.Status.APPROVED, note=note)
    session = leave.session
    entry = next(
        (
            e
            for e in session_roster(session.group, on=local_date(session))
            if e.person.pk == leave.person_id
        ),
        None,
    )
    Attendance.objects.update_or_create(
        session=session,
        person_id=leave.person_id,
        defaults={
            "status": Attendance.Status.LEAVE,
            "reason": leave.reason[:200],
            "method": Attendance.Method.ROLL_CALL,
            "signed_in_at": None,
        },
        create_defaults={
            "status": Attendance.Status.LEAVE,
            "reason": leave.reason[:200],
            "is_attendee": entry.is_attendee if entry else False,
        },
    )
    _sync_makeups(session)
    figures_changed(leave.session.group_id)
    audit_record(actor=actor, action="approve", obj=leave, detail={"note": leave.decision_note})
    return leave


@transaction.atomic
def leave_refuse(*, actor, leave: LeaveRequest, note: str) -> LeaveRequest:
    if not (note or "").strip():
        raise ValidationError({"note": "不批准时请填写审批意见"})
    _decide(actor=actor, leave=leave, status=LeaveRequest.Status.REFUSED, note=note)
    figures_changed(leave.session.group_id)
    audit_record(actor=actor, action="refuse", obj=leave, detail={"note": leave.decision_note})
    return leave


# --- make-up study -----------------------------------------------------------------------


@transaction.atomic
def makeup_submit(*, actor, makeup: MakeUp, text: str, upload=None) -> MakeUp:
    """The member hands in evidence of the make-up study: notes and/or a file."""
    if makeup.status == MakeUp.Status.CONFIRMED:
        raise ValidationError("该补学已确认完成")
    text = (text or "").strip()
    data = validate_office_upload(upload, allowed=ATTACHMENT_TYPES) if upload else None
    if not text and data is None and not makeup.evidence_file:
        raise ValidationError({"text": "请填写补学心得或笔记，或上传补学材料"})
    makeup.evidence_text = text
    if data is not None:
        old = makeup.evidence_file.name
        makeup.evidence_file.save(upload.name, ContentFile(data), save=False)
        if old:
            transaction.on_commit(lambda: MakeUp.evidence_file.field.storage.delete(old))
    makeup.status, makeup.submitted_at, makeup.return_note = (
        MakeUp.Status.SUBMITTED,
        timezone.now(),
        "",
    )
    makeup.save()
    figures_changed(makeup.attendance.session.group_id)
    audit_record(actor=actor, action="submit", obj=makeup, detail={"file": data is not None})
    return makeup


@transaction.atomic
def makeup_confirm(*, actor, makeup: MakeUp) -> MakeUp:
    """The secretary accepts the evidence: the make-up is closed."""
    if makeup.status != MakeUp.Status.SUBMITTED:
        raise ValidationError("只有已提交补学材料的记录可以确认")
    makeup.status, makeup.confirmed_by, makeup.confirmed_at = (
        MakeUp.Status.CONFIRMED,
        actor,
        timezone.now(),
    )
    makeup.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    figures_changed(makeup.attendance.session.group_id)
    audit_record(actor=actor, action="confirm", obj=makeup)
    return makeup


@transaction.atomic
def makeup_return(*, actor, makeup: MakeUp, note: str) -> MakeUp:
    """The secretary sends the evidence back with a note; the make-up is open again."""
    if makeup.status != MakeUp.Status.SUBMITTED:
        raise ValidationError("只有已提交补学材料的记录可以退回")
    if not (note or "").strip():
        raise ValidationError({"note": "退回时请填写退回意见"})
    makeup.status, makeup.return_note = MakeUp.Status.OPEN, note.strip()[:300]
    makeup.save(update_fields=["status", "return_note"])
    figures_changed(makeup.attendance.session.group_id)
    audit_record(actor=actor, action="return", obj=makeup, detail={"note": makeup.return_note})
    return makeup
