"""Permission matrix of the study sessions, attendance, leave and make-up pages.

Object kinds, one per relation, built from the `world` fixture: a session of that relation's
group that started an hour ago; an attachment of it; a leave request and a make-up of the
group's ordinary member (in the own group: of the `member` user, so that "own records"
rules show)."""

from __future__ import annotations

import datetime as dt

from zhongxinzu.lib.matrix import (
    DENIED,
    OK,
    OWN,
    OWN_READ_ONLY,
    SUBTREE,
    SUBTREE_READ_ONLY,
    Page,
    everyone_else,
)

MATRIX_TITLE = "矩阵测试学习"
ATTACHMENT_PATH = "meetings/matrix/material.pdf"
EVIDENCE_PATH = "meetings/matrix/evidence.pdf"


def _stored(path: str) -> str:
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage, default_storage

    if not default_storage.exists(path):
        # Written now: the test transaction never commits, so default_storage would defer it.
        FileSystemStorage().save(path, ContentFile(b"%PDF-1.4\n%matrix\n"))
    return path


def _session(world, rel):
    from django.utils import timezone

    from zhongxinzu.meetings.models import StudySession

    group = world.groups[rel]
    found = StudySession.objects.filter(group=group, title=MATRIX_TITLE).first()
    if found:
        return found
    now = timezone.now()
    return StudySession.objects.create(
        group=group,
        kind="study",
        title=MATRIX_TITLE,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=2),
        place="会议室",
    )


def _person(world, rel):
    return world.users["member"].person if rel == "own" else world.people[rel]


def _attachment(world, rel):
    from zhongxinzu.meetings.models import SessionAttachment

    session = _session(world, rel)
    return SessionAttachment.objects.get_or_create(
        session=session,
        defaults={
            "file": _stored(ATTACHMENT_PATH),
            "name": "学习材料.pdf",
            "uploaded_by": world.users["secretary"],
        },
    )[0]


def _leave(world, rel):
    from zhongxinzu.meetings.models import LeaveRequest

    return LeaveRequest.objects.get_or_create(
        session=_session(world, rel), person=_person(world, rel), defaults={"reason": "出差"}
    )[0]


def _makeup(world, rel):
    from zhongxinzu.meetings.models import Attendance, MakeUp

    session = _session(world, rel)
    attendance = Attendance.objects.get_or_create(
        session=session, person=_person(world, rel), defaults={"status": "absent", "reason": "病"}
    )[0]
    return MakeUp.objects.get_or_create(
        attendance=attendance,
        defaults={"due_date": dt.date.today() + dt.timedelta(days=30), "evidence_file": ""},
    )[0]


def _makeup_with_file(world, rel):
    makeup = _makeup(world, rel)
    if not makeup.evidence_file:
        makeup.evidence_file = _stored(EVIDENCE_PATH)
        makeup.save(update_fields=["evidence_file"])
    return makeup


OBJECTS = {
    "session": _session,
    "session_attachment": _attachment,
    "leave_request": _leave,
    "makeup": _makeup,
    "makeup_with_file": _makeup_with_file,
}

BUSINESS = everyone_else({"supervisor": OK, "secretary": OK, "leader": OK, "member": OK}, DENIED)
GROUP_MEMBERS = everyone_else({"secretary": OK, "leader": OK, "member": OK}, DENIED)
SESSION_READ = everyone_else(
    {"supervisor": SUBTREE, "secretary": OWN, "leader": OWN, "member": OWN}, DENIED
)
SESSION_WRITE = everyone_else(
    {
        "supervisor": SUBTREE_READ_ONLY,
        "secretary": OWN,
        "leader": OWN_READ_ONLY,
        "member": OWN_READ_ONLY,
    },
    DENIED,
)
RECORDS_READ = everyone_else(
    {"supervisor": SUBTREE, "secretary": OWN, "leader": OWN, "member": OWN_READ_ONLY}, DENIED
)
ON_ROSTER = everyone_else({"secretary": OWN, "leader": OWN, "member": OWN}, DENIED)
BAD_TOKEN = everyone_else({"secretary": 400, "leader": 400, "member": 400}, DENIED)
LEAVE_DECIDE = everyone_else(
    {
        "supervisor": SUBTREE_READ_ONLY,
        "secretary": OWN_READ_ONLY,
        "leader": OWN,
        "member": OWN_READ_ONLY,
    },
    DENIED,
)
MAKEUP_READ = SESSION_READ
MAKEUP_SUBMIT = everyone_else(
    {
        "supervisor": SUBTREE_READ_ONLY,
        "secretary": OWN_READ_ONLY,
        "leader": OWN_READ_ONLY,
        "member": OWN,
    },
    DENIED,
)
MAKEUP_REVIEW = SESSION_WRITE

ENTRIES = [
    Page("meetings:session_list", "GET", BUSINESS),
    Page("meetings:session_list_xlsx", "GET", BUSINESS),
    Page("meetings:session_calendar", "GET", BUSINESS),
    Page("meetings:my_study", "GET", GROUP_MEMBERS),
    Page("meetings:session_create", "GET", everyone_else({"secretary": OK}, DENIED)),
    Page("meetings:session_create", "GET", SESSION_WRITE, obj="group", param="group"),
    Page(
        "meetings:session_create",
        "POST",
        SESSION_WRITE,
        obj="group",
        param="group",
        data={"title": ""},
    ),
    Page("meetings:session_detail", "GET", SESSION_READ, obj="session"),
    Page("meetings:session_edit", "GET", SESSION_WRITE, obj="session"),
    Page("meetings:session_edit", "POST", SESSION_WRITE, obj="session", data={"title": ""}),
    Page("meetings:session_mark_held", "POST", SESSION_WRITE, obj="session"),
    Page("meetings:session_record", "GET", SESSION_WRITE, obj="session"),
    Page("meetings:session_record", "POST", SESSION_WRITE, obj="session", data={"effect": ""}),
    Page("meetings:session_print_record", "GET", RECORDS_READ, obj="session"),
    Page("meetings:session_print_minutes", "GET", RECORDS_READ, obj="session"),
    Page("meetings:attendance_roll_call", "GET", SESSION_WRITE, obj="session"),
    Page("meetings:attendance_roll_call", "POST", SESSION_WRITE, obj="session"),
    Page("meetings:sign_in_qr", "GET", SESSION_WRITE, obj="session"),
    Page("meetings:sign_in_qr_image", "GET", SESSION_WRITE, obj="session"),
    Page("meetings:sign_in", "GET", BAD_TOKEN, kwargs={"token": "1-0000"}),
    Page("meetings:sign_in", "POST", BAD_TOKEN, kwargs={"token": "1-0000"}),
    Page("meetings:attachment_upload", "POST", SESSION_WRITE, obj="session"),
    Page("meetings:attachment_download", "GET", SESSION_READ, obj="session_attachment"),
    Page("meetings:attachment_delete", "POST", SESSION_WRITE, obj="session_attachment"),
    Page("meetings:leave_create", "GET", ON_ROSTER, obj="session"),
    Page("meetings:leave_create", "POST", ON_ROSTER, obj="session", data={"reason": ""}),
    Page("meetings:leave_list", "GET", BUSINESS),
    Page("meetings:leave_list_xlsx", "GET", BUSINESS),
    Page("meetings:leave_decide", "GET", LEAVE_DECIDE, obj="leave_request"),
    Page(
        "meetings:leave_decide",
        "POST",
        LEAVE_DECIDE,
        obj="leave_request",
        data={"decision": "approve"},
    ),
    Page("meetings:makeup_list", "GET", BUSINESS),
    Page("meetings:makeup_list_xlsx", "GET", BUSINESS),
    Page("meetings:makeup_detail", "GET", MAKEUP_READ, obj="makeup"),
    Page("meetings:makeup_detail", "POST", MAKEUP_SUBMIT, obj="makeup", data={"text": "补学心得"}),
    Page("meetings:makeup_review", "POST", MAKEUP_REVIEW, obj="makeup"),
    Page("meetings:makeup_file", "GET", MAKEUP_READ, obj="makeup_with_file"),
]
