"""Sessions, roll-call, leave and make-up study through the services."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.meetings import selectors, services
from zhongxinzu.meetings.models import Attendance, LeaveRequest, MakeUp, StudySession
from zhongxinzu.meetings.tests.conftest import at
from zhongxinzu.plans.models import FirstItem
from zhongxinzu.rules.models import Rule
from zhongxinzu.rules.services import rule_value_set

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%test\n"


def first_item(world, rel="parent", title="习近平总书记重要讲话"):
    return FirstItem.objects.create(
        owner_unit=world.units[rel],
        title=title,
        kind=FirstItem.Kind.SPEECH,
        released_on=dt.date(2026, 2, 20),
        created_by=world.users["supervisor"],
    )


def plan_args(world, **over):
    args = dict(
        actor=world.users["secretary"],
        group=world.groups["own"],
        kind="study",
        title="学习贯彻全国两会精神",
        starts_at=at(2026, 3, 10, 9, 0),
        ends_at=at(2026, 3, 10, 12, 0),
        place="三楼会议室",
    )
    args.update(over)
    return args


# --- planning ------------------------------------------------------------------------------


def test_secretary_plans_a_session_with_first_item_agenda_and_speakers(world, people):
    item = first_item(world)
    session = services.session_create(
        **plan_args(
            world,
            chair=people["leader"],
            lead_reader=people["leader"],
            first_item=item,
            agenda=["传达上级文件", "交流研讨"],
            speakers=[(people["member"], "以学促干"), (people["plain"], "深化改革")],
            allowed_first_items=FirstItem.objects.all(),
        )
    )
    agenda = list(session.agenda.all())
    assert [a.title for a in agenda] == [item.title, "传达上级文件", "交流研讨"]
    assert agenda[0].first_item == item and agenda[0].order == 1
    assert [(s.person, s.subtopic) for s in session.speakers.all()] == [
        (people["member"], "以学促干"),
        (people["plain"], "深化改革"),
    ]
    assert session.status == StudySession.Status.PLANNED
    assert AuditEntry.objects.filter(action="create", object_id=str(session.pk)).exists()


def test_invalid_plan_is_refused_in_chinese_and_nothing_is_saved(world, people):
    outsider = world.people["sibling"]
    with pytest.raises(ValidationError) as e:
        services.session_create(
            **plan_args(
                world,
                title=" ",
                ends_at=at(2026, 3, 10, 8, 0),
                lead_reader=outsider,
                speakers=[(people["member"], "")],
            )
        )
    errors = e.value.message_dict
    assert errors["title"] == ["请填写学习主题"]
    assert errors["ends_at"] == ["结束时间应晚于开始时间"]
    assert "不在本中心组名册中" in errors["lead_reader"][0]
    assert errors["speakers"] == ["请为每位发言人填写发言题目"]
    assert not StudySession.objects.exists()


def test_first_item_must_come_from_the_pool_given(world):
    elsewhere = first_item(world, "sibling", "兄弟单位议题")
    pool = selectors.first_item_pool(world.users["secretary"], world.groups["own"])
    assert elsewhere not in pool
    with pytest.raises(ValidationError) as e:
        services.session_create(**plan_args(world, first_item=elsewhere, allowed_first_items=pool))
    assert "第一议题库" in e.value.message_dict["first_item"][0]


def test_pool_holds_items_of_the_unit_and_above_only(world):
    above, own = first_item(world, "parent", "上级"), first_item(world, "own", "本级")
    below, other = first_item(world, "child", "下级"), first_item(world, "unrelated", "外省")
    pool = set(selectors.first_item_pool(world.users["secretary"], world.groups["own"]))
    assert pool == {above, own}
    assert below not in pool and other not in pool


def test_topic_must_belong_to_the_groups_plan(world):
    from zhongxinzu.plans.models import PlanTopic, YearPlan

    plan = YearPlan.objects.create(group=world.groups["sibling"], year=2026, title="计划")
    topic = PlanTopic.objects.create(plan=plan, title="别组专题")
    with pytest.raises(ValidationError) as e:
        services.session_create(**plan_args(world, topic=topic))
    assert "topic" in e.value.message_dict


def test_warnings_for_short_session_and_missing_first_item(world):
    session = services.session_create(**plan_args(world, ends_at=at(2026, 3, 10, 10, 0)))
    rules = services.rulebook_for(world.units["own"], 2026)
    warnings = selectors.session_warnings(session, rules)
    assert any("60分钟" in w and "180分钟" in w for w in warnings)
    assert any("第一议题" in w for w in warnings)


def test_warnings_follow_the_rules_not_constants(world):
    supervisor = world.users["supervisor"]
    for key, value in (("session_min_minutes", 60), ("first_item_every_session", False)):
        rule_value_set(
            actor=supervisor,
            rule=Rule.objects.get(key=key),
            scope=world.units["own"],
            year=None,
            value=value,
        )
    session = services.session_create(**plan_args(world, ends_at=at(2026, 3, 10, 10, 0)))
    assert (
        selectors.session_warnings(session, services.rulebook_for(world.units["own"], 2026)) == []
    )


def test_update_with_stale_version_is_a_conflict(world):
    session = services.session_create(**plan_args(world))
    services.session_update(actor=world.users["secretary"], session=session, title="新主题")
    stale = StudySession.objects.get(pk=session.pk)
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.session_update(
            actor=world.users["secretary"], session=stale, expected_version=1, title="再改"
        )
    assert StudySession.objects.get(pk=session.pk).title == "新主题"


# --- states ---------------------------------------------------------------------------------


def test_held_only_after_the_start(world, make_session):
    session = make_session(starts_at=at(2026, 3, 10, 9, 0))
    with pytest.raises(ValidationError, match="尚未开始"):
        services.session_mark_held(
            actor=world.users["secretary"], session=session, now=at(2026, 3, 10, 8, 0)
        )
    services.session_mark_held(
        actor=world.users["secretary"], session=session, now=at(2026, 3, 10, 9, 5)
    )
    assert StudySession.objects.get(pk=session.pk).status == "held"


def roll(people, **statuses):
    rows = {}
    for key, person in people.items():
        status = statuses.get(key, "present")
        rows[person.pk] = (status, "出差" if status in ("leave", "absent") else "")
    return rows


def test_record_needs_content_effect_and_full_attendance(world, make_session, people):
    session = make_session(starts_at=at(2026, 3, 10, 9, 0))
    actor, now = world.users["secretary"], at(2026, 3, 10, 13, 0)
    with pytest.raises(ValidationError) as e:
        services.session_record(actor=actor, session=session, content="", effect="", now=now)
    errors = e.value.message_dict
    assert errors["content"] == ["请填写学习内容"] and errors["effect"] == ["请填写学习效果"]
    assert "尚未点名" in errors["__all__"][0] and "4人" in errors["__all__"][0]

    services.attendance_save(
        actor=actor, session=session, rows=roll(people, plain="absent"), now=now
    )
    services.session_record(
        actor=actor, session=session, content="学习了讲话", effect="形成共识", now=now
    )
    session.refresh_from_db()
    assert session.status == "recorded" and session.recorded_at == now and session.held_at
    with pytest.raises(ValidationError, match="锁定"):
        services.session_update(actor=actor, session=session, title="改")
    with pytest.raises(ValidationError, match="锁定"):
        services.attendance_save(actor=actor, session=session, rows={}, now=now)


# --- roll-call and make-up -------------------------------------------------------------------


def test_roll_call_saves_all_rows_marks_held_and_creates_makeups(world, make_session, people):
    session = make_session(starts_at=at(2026, 3, 10, 9, 0))
    saved = services.attendance_save(
        actor=world.users["secretary"],
        session=session,
        rows=roll(people, plain="absent", member="leave"),
        now=at(2026, 3, 10, 9, 30),
    )
    assert len(saved) == 4
    session.refresh_from_db()
    assert session.status == "held"
    secretary_row = Attendance.objects.get(session=session, person=people["secretary"])
    assert secretary_row.is_attendee  # 列席: only the secretary role
    owed = MakeUp.objects.filter(attendance__session=session)
    assert {m.attendance.person for m in owed} == {people["plain"], people["member"]}
    assert {m.due_date for m in owed} == {dt.date(2026, 4, 9)}  # 30 days by default


def test_roll_call_is_all_or_nothing(world, make_session, people):
    session = make_session(starts_at=at(2026, 3, 10, 9, 0))
    rows = roll(people)
    rows[people["plain"].pk] = ("absent", "")  # no reason
    rows[world.people["sibling"].pk] = ("present", "")  # not on the roster
    with pytest.raises(ValidationError) as e:
        services.attendance_save(
            actor=world.users["secretary"], session=session, rows=rows, now=at(2026, 3, 10, 10)
        )
    assert "请假或缺席须填写原因" in str(e.value) and "不在本次学习名册" in str(e.value)
    assert not Attendance.objects.exists()


def test_roll_call_not_before_the_window(world, make_session, people):
    session = make_session(starts_at=at(2026, 3, 10, 9, 0))
    with pytest.raises(ValidationError, match="30分钟"):
        services.attendance_save(
            actor=world.users["secretary"],
            session=session,
            rows=roll(people),
            now=at(2026, 3, 10, 8, 0),
        )


def test_correcting_an_absence_removes_the_untouched_makeup(world, make_session, people):
    session = make_session(starts_at=at(2026, 3, 10, 9, 0))
    actor, now = world.users["secretary"], at(2026, 3, 10, 10)
    services.attendance_save(
        actor=actor, session=session, rows=roll(people, plain="absent"), now=now
    )
    assert MakeUp.objects.count() == 1
    services.attendance_save(actor=actor, session=session, rows=roll(people), now=now)
    assert MakeUp.objects.count() == 0


def test_makeup_due_date_follows_a_subtree_override(world, make_session, people):
    rule_value_set(
        actor=world.users["supervisor"],
        rule=Rule.objects.get(key="makeup_days"),
        scope=world.units["own"],
        year=2026,
        value=15,
    )
    own = make_session(starts_at=at(2026, 3, 10, 9, 0))
    sibling = make_session("sibling", starts_at=at(2026, 3, 10, 9, 0))
    assert services.makeup_due_date(own) == dt.date(2026, 3, 25)
    assert services.makeup_due_date(sibling) == dt.date(2026, 4, 9)  # the default elsewhere
    services.attendance_save(
        actor=world.users["secretary"],
        session=own,
        rows=roll(people, plain="absent"),
        now=at(2026, 3, 10, 10),
    )
    assert MakeUp.objects.get().due_date == dt.date(2026, 3, 25)


def test_makeup_submit_confirm_and_return(
    world, make_session, people, django_capture_on_commit_callbacks
):
    session = make_session(starts_at=at(2026, 3, 10, 9, 0))
    secretary, member = world.users["secretary"], world.users["member"]
    services.attendance_save(
        actor=secretary,
        session=session,
        rows=roll(people, member="absent"),
        now=at(2026, 3, 10) + dt.timedelta(hours=10),
    )
    makeup = MakeUp.objects.get()
    with pytest.raises(ValidationError, match="只有已提交"):
        services.makeup_confirm(actor=secretary, makeup=makeup)
    with pytest.raises(ValidationError):
        services.makeup_submit(actor=member, makeup=makeup, text="  ")
    upload = SimpleUploadedFile("笔记.pdf", PDF, content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):  # the file is written on commit
        services.makeup_submit(actor=member, makeup=makeup, text="补学笔记", upload=upload)
    assert makeup.status == "submitted" and makeup.evidence_file.read() == PDF
    with pytest.raises(ValidationError):
        services.makeup_return(actor=secretary, makeup=makeup, note="")
    services.makeup_return(actor=secretary, makeup=makeup, note="请补充心得")
    assert makeup.status == "open" and makeup.return_note == "请补充心得"
    services.makeup_submit(actor=member, makeup=makeup, text="补学笔记（修改）")
    services.makeup_confirm(actor=secretary, makeup=makeup)
    makeup.refresh_from_db()
    assert makeup.status == "confirmed" and makeup.confirmed_by == secretary
    # A correction after the evidence came in keeps the make-up.
    services.attendance_save(
        actor=secretary, session=session, rows=roll(people), now=at(2026, 3, 10, 12)
    )
    assert MakeUp.objects.filter(pk=makeup.pk).exists()


def test_makeup_evidence_file_type_is_checked(world, make_session, people):
    session = make_session(starts_at=at(2026, 3, 10, 9, 0))
    services.attendance_save(
        actor=world.users["secretary"],
        session=session,
        rows=roll(people, member="absent"),
        now=at(2026, 3, 10, 10),
    )
    fake = SimpleUploadedFile("笔记.pdf", b"MZ\x90\x00", content_type="application/pdf")
    with pytest.raises(ValidationError, match="扩展名不符"):
        services.makeup_submit(
            actor=world.users["member"], makeup=MakeUp.objects.get(), text="x", upload=fake
        )
    assert MakeUp.objects.get().status == "open"


# --- leave ----------------------------------------------------------------------------------


def test_leave_before_and_after_the_start(world, make_session, people):
    session = make_session(starts_at=at(2026, 3, 10, 9, 0))
    member = world.users["member"]
    early = services.leave_create(
        actor=member,
        session=session,
        person=people["member"],
        reason="出差",
        now=at(2026, 3, 9, 9),
    )
    assert not early.is_late
    with pytest.raises(ValidationError, match="已提交过"):
        services.leave_create(
            actor=member,
            session=session,
            person=people["member"],
            reason="再请",
            now=at(2026, 3, 9, 10),
        )
    late = services.leave_create(
        actor=world.users["leader"],
        session=session,
        person=people["leader"],
        reason="临时公务",
        now=at(2026, 3, 10, 9, 30),
    )
    assert late.is_late
    with pytest.raises(ValidationError, match="不在本次学习的参学名单"):
        services.leave_create(
            actor=member,
            session=session,
            person=world.people["sibling"],
            reason="x",
            now=at(2026, 3, 9),
        )


def test_leave_approval_sets_attendance_and_makeup(world, make_session, people):
    session = make_session(starts_at=at(2026, 3, 10, 9, 0))
    leave = services.leave_create(
        actor=world.users["member"],
        session=session,
        person=people["member"],
        reason="出差",
        now=at(2026, 3, 9),
    )
    with pytest.raises(ValidationError, match="本人"):
        services.leave_approve(actor=world.users["member"], leave=leave)
    services.leave_approve(actor=world.users["leader"], leave=leave, note="同意")
    leave.refresh_from_db()
    assert leave.status == "approved" and leave.decided_by == world.users["leader"]
    row = Attendance.objects.get(session=session, person=people["member"])
    assert (row.status, row.reason) == ("leave", "出差")
    assert row.makeup.due_date == dt.date(2026, 4, 9)
    with pytest.raises(ValidationError, match="已审批"):
        services.leave_refuse(actor=world.users["leader"], leave=leave, note="不")


def test_leave_refusal_needs_a_note(world, make_session, people):
    session = make_session(starts_at=at(2026, 3, 10, 9, 0))
    leave = services.leave_create(
        actor=world.users["member"],
        session=session,
        person=people["member"],
        reason="私事",
        now=at(2026, 3, 9),
    )
    with pytest.raises(ValidationError):
        services.leave_refuse(actor=world.users["leader"], leave=leave, note=" ")
    services.leave_refuse(actor=world.users["leader"], leave=leave, note="工作需要，请参加")
    assert LeaveRequest.objects.get().status == "refused"
    assert not Attendance.objects.exists()


# --- attachments ----------------------------------------------------------------------------


def test_attachment_upload_checks_type_and_is_stored_under_a_random_name(world, make_session):
    session = make_session()
    att = services.attachment_add(
        actor=world.users["secretary"],
        session=session,
        upload=SimpleUploadedFile("学习材料.pdf", PDF),
    )
    assert att.name == "学习材料.pdf" and "学习材料" not in att.file.name
    with pytest.raises(ValidationError, match="文件类型不正确"):
        services.attachment_add(
            actor=world.users["secretary"],
            session=session,
            upload=SimpleUploadedFile("run.exe", b"MZ"),
        )
    with time_machine.travel(session.starts_at):
        services.attachment_delete(actor=world.users["secretary"], attachment=att)
    assert not session.attachments.exists()
