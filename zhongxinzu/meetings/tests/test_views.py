"""The pages: what each role sees and can do, with the forms as a browser posts them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.meetings.models import (
    AgendaItem,
    Attendance,
    LeaveRequest,
    MakeUp,
    SessionAttachment,
    StudySession,
)
from zhongxinzu.meetings.tests.conftest import at
from zhongxinzu.plans.models import FirstItem

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%test\n"


def html(response) -> str:
    return response.content.decode()


def roll_data(people, **statuses) -> dict:
    data = {}
    for key, person in people.items():
        status = statuses.get(key, "present")
        data[f"status_{person.pk}"] = status
        data[f"reason_{person.pk}"] = "外出开会" if status in ("leave", "absent") else ""
    return data


# --- list and calendar -----------------------------------------------------------------------


def test_member_lists_only_own_group_sessions(make_session, as_role):
    make_session(title="本组学习")
    make_session("sibling", title="兄弟单位学习")
    page = html(as_role("member").get(reverse("meetings:session_list")))
    assert "本组学习" in page and "兄弟单位学习" not in page


def test_supervisor_lists_the_subtree_and_filters_by_group(world, make_session, as_role):
    make_session(title="本级学习")
    make_session("child", title="下级学习", kind="discussion")
    make_session("parent", title="上级学习")
    client = as_role("supervisor")
    page = html(client.get(reverse("meetings:session_list")))
    assert "本级学习" in page and "下级学习" in page and "上级学习" not in page
    child = world.groups["child"].pk
    page = html(client.get(reverse("meetings:session_list"), {"group": child}))
    assert "下级学习" in page and "本级学习" not in page
    page = html(client.get(reverse("meetings:session_list"), {"kind": "study"}))
    assert "本级学习" in page and "下级学习" not in page


def test_list_filters_by_year_and_status(make_session, as_role):
    make_session(title="去年学习", starts_at=at(timezone.now().year - 1, 6, 1, 9))
    make_session(title="今年学习", status="recorded")
    client = as_role("secretary")
    page = html(client.get(reverse("meetings:session_list")))
    assert "今年学习" in page and "去年学习" not in page
    page = html(client.get(reverse("meetings:session_list"), {"year": "all", "status": "planned"}))
    assert "去年学习" in page and "今年学习" not in page


def test_calendar_shows_the_month_grid(make_session, as_role):
    make_session(title="三月学习", starts_at=at(2026, 3, 10, 9))
    make_session(title="四月学习", starts_at=at(2026, 4, 10, 9))
    page = html(as_role("member").get(reverse("meetings:session_calendar"), {"month": "2026-03"}))
    assert "2026年3月" in page and "三月学习" in page and "四月学习" not in page
    assert page.count("<tr>") >= 5  # weeks of the grid


# --- planning --------------------------------------------------------------------------------


def test_secretary_plans_a_session_through_the_form(world, people, as_role):
    item = FirstItem.objects.create(
        owner_unit=world.units["parent"],
        title="重要讲话精神",
        kind="speech",
        released_on=dt.date(2026, 1, 5),
        created_by=world.users["supervisor"],
    )
    client = as_role("secretary")
    form = client.get(reverse("meetings:session_create"))
    assert "重要讲话精神" in html(form) and "leader人" in html(form)
    response = client.post(
        reverse("meetings:session_create"),
        {
            "kind": "study",
            "title": "学习贯彻四中全会精神",
            "starts_at": "2026-03-10T09:00",
            "ends_at": "2026-03-10T10:30",
            "place": "三楼会议室",
            "chair": people["leader"].pk,
            "lead_reader": people["leader"].pk,
            "first_item": item.pk,
            "agenda": "传达文件\n\n交流研讨",
            "sp-TOTAL_FORMS": "2",
            "sp-INITIAL_FORMS": "0",
            "sp-0-person": people["member"].pk,
            "sp-0-subtopic": "以学促干",
            "sp-1-person": "",
            "sp-1-subtopic": "",
        },
    )
    session = StudySession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:session_detail", args=[session.pk])
    assert session.starts_at == at(2026, 3, 10, 9, 0) and session.lead_reader == people["leader"]
    assert [a.title for a in session.agenda.all()] == ["重要讲话精神", "传达文件", "交流研讨"]
    assert session.speakers.get().subtopic == "以学促干"
    shown = html(client.get(response["Location"]))
    assert "90分钟，少于规定的180分钟" in shown  # the warning, not a block


def test_bad_plan_shows_chinese_errors_and_saves_nothing(as_role):
    response = as_role("secretary").post(
        reverse("meetings:session_create"),
        {
            "kind": "study",
            "title": "x",
            "starts_at": "2026-03-10T09:00",
            "ends_at": "2026-03-10T08:00",
            "place": "会议室",
            "sp-TOTAL_FORMS": "0",
            "sp-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200 and "结束时间应晚于开始时间" in html(response)
    assert not StudySession.objects.exists()


def test_edit_keeps_agenda_and_refuses_recorded_sessions(make_session, people, as_role):
    session = make_session(starts_at=at(2026, 3, 10, 9))
    AgendaItem.objects.create(session=session, title="旧议程")
    client = as_role("secretary")
    form = html(client.get(reverse("meetings:session_edit", args=[session.pk])))
    assert "旧议程" in form and "2026-03-10T09:00" in form
    StudySession.objects.filter(pk=session.pk).update(status="recorded")
    response = client.get(reverse("meetings:session_edit", args=[session.pk]))
    assert response.status_code == 302


# --- detail and print ------------------------------------------------------------------------


@pytest.fixture
def held(make_session, people, world):
    session = make_session(
        starts_at=at(2026, 3, 10, 9),
        chair=people["leader"],
        lead_reader=people["leader"],
        content="学习了重要讲话",
        effect="统一了思想",
        minutes="会议指出，要深入学习。\n会议要求，抓好落实。",
    )
    for key, status, reason in (
        ("leader", "present", ""),
        ("member", "leave", "赴京出差"),
        ("plain", "absent", "因病住院"),
        ("secretary", "present", ""),
    ):
        Attendance.objects.create(
            session=session,
            person=people[key],
            status=status,
            reason=reason,
            is_attendee=key == "secretary",
        )
    return session


def test_detail_shows_the_five_in_place(held, as_role):
    page = html(as_role("secretary").get(reverse("meetings:session_detail", args=[held.pk])))
    for fact in ("2026年3月10日 09:00", "局机关三楼会议室", "应到3人，实到1人", "学习了重要讲话"):
        assert fact in page
    assert "统一了思想" in page and "赴京出差" in page and "因病住院" in page


def test_member_sees_counts_and_own_status_but_not_others_reasons(held, as_role):
    page = html(as_role("member").get(reverse("meetings:session_detail", args=[held.pk])))
    assert "应到3人" in page and "请假" in page
    assert "因病住院" not in page  # another member's reason
    assert "打印学习记录" not in page


def test_printable_record_has_the_five_in_place(held, as_role):
    page = html(as_role("leader").get(reverse("meetings:session_print_record", args=[held.pk])))
    for fact in (
        "学习记录",
        "2026年3月10日 09:00",
        "局机关三楼会议室",
        "应到3人，实到1人，请假1人，缺席1人",
        "member人（赴京出差）",
        "成员own（因病住院）",
        "secretary人",  # 列席
        "学习了重要讲话",
        "统一了思想",
    ):
        assert fact in page, fact
    assert 'class="print-doc"' in page


def test_printable_minutes_have_the_labels(held, as_role):
    page = html(
        as_role("supervisor").get(reverse("meetings:session_print_minutes", args=[held.pk]))
    )
    assert "学习纪要" in page and "red-mark" in page
    assert '<span class="label">出席：</span>leader人' in page
    assert '<span class="label">请假：</span>member人（赴京出差）' in page
    assert '<span class="label">列席：</span>secretary人' in page
    assert "会议要求，抓好落实。" in page and "2026年3月10日" in page


def test_print_is_not_for_ordinary_members(held, as_role):
    url = reverse("meetings:session_print_minutes", args=[held.pk])
    assert as_role("member").get(url).status_code == 403


# --- roll-call and record --------------------------------------------------------------------


def test_roll_call_saves_every_row_and_creates_makeups(make_session, people, as_role):
    session = make_session()
    client = as_role("secretary")
    page = html(client.get(reverse("meetings:attendance_roll_call", args=[session.pk])))
    assert "成员own" in page and "meetings-roll-call.js" in page
    url = reverse("meetings:attendance_roll_call", args=[session.pk])
    response = client.post(url, roll_data(people, plain="absent"))
    assert response.status_code == 302
    assert Attendance.objects.filter(session=session).count() == 4
    assert MakeUp.objects.get().attendance.person == people["plain"]
    assert StudySession.objects.get(pk=session.pk).status == "held"


def test_roll_call_errors_change_nothing(make_session, people, as_role):
    session = make_session()
    data = roll_data(people, plain="absent")
    data[f"reason_{people['plain'].pk}"] = ""
    response = as_role("secretary").post(
        reverse("meetings:attendance_roll_call", args=[session.pk]), data
    )
    assert response.status_code == 200 and "请假或缺席须填写原因" in html(response)
    assert not Attendance.objects.exists()


def test_record_completes_the_session(make_session, people, as_role):
    session = make_session()
    client = as_role("secretary")
    client.post(reverse("meetings:attendance_roll_call", args=[session.pk]), roll_data(people))
    response = client.post(
        reverse("meetings:session_record", args=[session.pk]),
        {"content": "学习内容", "effect": "学习效果", "minutes": "", "version": session.version},
    )
    assert response.status_code == 302
    assert StudySession.objects.get(pk=session.pk).status == "recorded"


def test_record_without_roll_call_is_refused(make_session, as_role):
    session = make_session()
    response = as_role("secretary").post(
        reverse("meetings:session_record", args=[session.pk]), {"content": "a", "effect": "b"}
    )
    assert response.status_code == 200 and "尚未点名" in html(response)


# --- attachments -----------------------------------------------------------------------------


def test_attachment_upload_and_download_as_attachment(
    make_session, as_role, django_capture_on_commit_callbacks
):
    session = make_session()
    client = as_role("secretary")
    with django_capture_on_commit_callbacks(execute=True):  # the file is written on commit
        client.post(
            reverse("meetings:attachment_upload", args=[session.pk]),
            {"file": SimpleUploadedFile("学习材料.pdf", PDF)},
        )
    att = SessionAttachment.objects.get()
    response = as_role("member").get(reverse("meetings:attachment_download", args=[att.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        as_role("supervisor")
        .get(reverse("meetings:attachment_download", args=[att.pk]))
        .status_code
        == 200
    )


def test_wrong_attachment_type_is_refused_in_chinese(make_session, as_role):
    session = make_session()
    response = as_role("secretary").post(
        reverse("meetings:attachment_upload", args=[session.pk]),
        {"file": SimpleUploadedFile("宏.docm", b"PK\x03\x04")},
        follow=True,
    )
    assert "不接受含宏的文件" in html(response) and not SessionAttachment.objects.exists()


# --- leave -----------------------------------------------------------------------------------


def test_member_asks_leave_and_the_leader_approves(make_session, people, as_role):
    session = make_session(starts_at=timezone.now() + dt.timedelta(days=2))
    member = as_role("member")
    response = member.post(reverse("meetings:leave_create", args=[session.pk]), {"reason": "出差"})
    assert response.status_code == 302
    leave = LeaveRequest.objects.get()
    assert leave.person == people["member"] and not leave.is_late
    url = reverse("meetings:leave_decide", args=[leave.pk])
    for role in ("secretary", "member"):
        assert as_role(role).post(url, {"decision": "approve"}).status_code == 403
    leader = as_role("leader")
    assert "出差" in html(leader.get(reverse("meetings:leave_list")))
    assert leader.post(url, {"decision": "approve", "note": "同意"}).status_code == 302
    leave.refresh_from_db()
    assert leave.status == "approved"
    assert Attendance.objects.get(session=session, person=people["member"]).status == "leave"


def test_late_leave_is_flagged(make_session, as_role):
    session = make_session()  # started an hour ago
    as_role("member").post(reverse("meetings:leave_create", args=[session.pk]), {"reason": "急事"})
    assert LeaveRequest.objects.get().is_late
    page = html(as_role("leader").get(reverse("meetings:leave_list")))
    assert "事后请假" in page


def test_refusal_needs_a_note(make_session, people, as_role):
    session = make_session()
    leave = LeaveRequest.objects.create(session=session, person=people["member"], reason="私事")
    url = reverse("meetings:leave_decide", args=[leave.pk])
    response = as_role("leader").post(url, {"decision": "refuse", "note": ""})
    assert response.status_code == 200 and "请填写审批意见" in html(response)
    assert LeaveRequest.objects.get().status == "pending"


def test_supervisor_cannot_ask_leave(make_session, as_role):
    session = make_session()
    url = reverse("meetings:leave_create", args=[session.pk])
    assert as_role("supervisor").get(url).status_code == 403


# --- make-up ---------------------------------------------------------------------------------


@pytest.fixture
def owed(make_session, people):
    session = make_session(starts_at=at(2026, 3, 10, 9))
    a = Attendance.objects.create(
        session=session, person=people["member"], status="absent", reason="病"
    )
    return MakeUp.objects.create(attendance=a, due_date=dt.date(2026, 4, 9))


def test_member_submits_evidence_and_secretary_confirms(
    owed, as_role, django_capture_on_commit_callbacks
):
    member = as_role("member")
    url = reverse("meetings:makeup_detail", args=[owed.pk])
    with django_capture_on_commit_callbacks(execute=True):  # the file is written on commit
        response = member.post(
            url, {"text": "学习了讲话原文", "file": SimpleUploadedFile("笔记.pdf", PDF)}
        )
    assert response.status_code == 302
    owed.refresh_from_db()
    assert owed.status == "submitted" and owed.evidence_text == "学习了讲话原文"
    secretary = as_role("secretary")
    download = secretary.get(reverse("meetings:makeup_file", args=[owed.pk]))
    assert download["Content-Disposition"].startswith("attachment;")
    assert (
        as_role("leader")
        .post(reverse("meetings:makeup_review", args=[owed.pk]), {"action": "confirm"})
        .status_code
        == 403
    )
    secretary.post(reverse("meetings:makeup_review", args=[owed.pk]), {"action": "confirm"})
    owed.refresh_from_db()
    assert owed.status == "confirmed"


def test_secretary_returns_evidence_with_a_note(owed, as_role):
    owed.status, owed.evidence_text = "submitted", "太短"
    owed.save()
    response = as_role("secretary").post(
        reverse("meetings:makeup_review", args=[owed.pk]),
        {"action": "return", "note": "请补充学习体会"},
        follow=True,
    )
    assert "已退回" in html(response)
    page = html(as_role("member").get(reverse("meetings:makeup_detail", args=[owed.pk])))
    assert "请补充学习体会" in page and "提交补学材料" in page


def test_makeup_list_for_the_secretary_flags_overdue(owed, as_role):
    page = html(as_role("secretary").get(reverse("meetings:makeup_list"), {"status": "overdue"}))
    assert "member人" in page and "已逾期" in page


def test_others_cannot_submit_someone_elses_makeup(owed, as_role):
    url = reverse("meetings:makeup_detail", args=[owed.pk])
    assert as_role("secretary").post(url, {"text": "代写"}).status_code == 403
    assert MakeUp.objects.get().status == "open"


# --- my study --------------------------------------------------------------------------------


def test_my_study_lists_sessions_rate_and_makeups(owed, make_session, as_role):
    StudySession.objects.filter(pk=owed.attendance.session_id).update(status="recorded")
    make_session(title="下周学习", starts_at=timezone.now() + dt.timedelta(days=7))
    page = html(as_role("member").get(reverse("meetings:my_study"), {"year": 2026}))
    assert "待完成的补学" in page and "已逾期" in page
    assert "本年度参学率" in page and "0%" in page


@pytest.mark.parametrize(
    "name, method, obj",
    [
        ("meetings:session_list", "post", None),
        ("meetings:session_detail", "post", "session"),
        ("meetings:session_mark_held", "get", "session"),
        ("meetings:attachment_upload", "get", "session"),
        ("meetings:makeup_review", "get", "makeup"),
    ],
)
def test_wrong_method_is_405(make_session, owed, as_role, name, method, obj):
    args = {"session": [owed.attendance.session_id], "makeup": [owed.pk], None: []}[obj]
    response = getattr(as_role("secretary"), method)(reverse(name, args=args))
    assert response.status_code == 405
