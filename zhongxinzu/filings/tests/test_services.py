"""Filing services: tasks, the rows groups owe, submit / return / resubmit, reminders —
validated all or nothing, scoped, audited."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.compliance.models import Notification
from zhongxinzu.filings import services
from zhongxinzu.filings.models import FilingTask, Submission, SubmissionVersion
from zhongxinzu.filings.tests.conftest import this_year
from zhongxinzu.lib.changes import figures_changed
from zhongxinzu.meetings.models import Attendance

pytestmark = pytest.mark.django_db


def row(task, world, rel="own") -> Submission:
    return Submission.objects.get(task=task, group=world.groups[rel])


def audited(action: str, obj) -> bool:
    return AuditEntry.objects.filter(
        action=action, object_type=obj._meta.label, object_id=str(obj.pk)
    ).exists()


def test_task_rows_for_every_group_strictly_below_the_owner(world, annual_task):
    groups = set(Submission.objects.filter(task=annual_task).values_list("group_id", flat=True))
    assert groups == {world.groups[r].pk for r in ("own", "child", "sibling")}
    assert audited("create", annual_task)


def test_task_errors_come_together_and_nothing_is_created(world):
    with pytest.raises(ValidationError) as e:
        services.task_create(
            actor=world.users["supervisor"],
            owner_unit=world.units["parent"],  # above the supervisor's unit A
            year=this_year(),
            kind=FilingTask.Kind.ANNUAL,
            title=" ",
            due_on=None,
        )
    assert set(e.value.message_dict) == {"owner_unit", "title", "due_on"}
    assert "只能为本人督导的单位" in e.value.message_dict["owner_unit"][0]
    assert not FilingTask.objects.exists()


def test_session_task_needs_working_days(world):
    with pytest.raises(ValidationError) as e:
        services.task_create(
            actor=world.users["supervisor"],
            owner_unit=world.units["own"],
            year=this_year(),
            kind=FilingTask.Kind.SESSION,
            title="一学一报",
            working_days=0,
        )
    assert "工作日" in e.value.message_dict["working_days"][0]


def test_one_active_task_of_a_kind_per_unit_and_year(world, top, annual_task):
    with pytest.raises(ValidationError) as e:
        services.task_create(
            actor=top,
            owner_unit=world.units["parent"],
            year=this_year(),
            kind=FilingTask.Kind.ANNUAL,
            title="再布置一次",
            due_on=annual_task.due_on,
        )
    assert "已有同类报送任务" in e.value.message_dict["kind"][0]


def test_session_rows_are_due_after_working_days_of_the_official_calendar(world, top, held_session):
    # 30 Sep 2025 + 3 working days: 1–8 October is the National Day holiday, 9 and 10 are
    # working days and Saturday 11 October is a make-up working day (调休).
    held_session(on=dt.date(2025, 9, 30))
    held_session("sibling", on=dt.date(2025, 3, 3), status="planned")  # not held: owes nothing
    task = services.task_create(
        actor=top,
        owner_unit=world.units["parent"],
        year=2025,
        kind=FilingTask.Kind.SESSION,
        title="2025年一学一报",
        working_days=3,
    )
    rows = list(Submission.objects.filter(task=task).values_list("group_id", "due_on"))
    assert rows == [(world.groups["own"].pk, dt.date(2025, 10, 11))]


def test_a_session_recorded_later_gets_its_row_through_the_figures_hook(
    world, top, held_session, django_capture_on_commit_callbacks
):
    task = services.task_create(
        actor=top,
        owner_unit=world.units["parent"],
        year=this_year(),
        kind=FilingTask.Kind.SESSION,
        title="一学一报",
        working_days=5,
    )
    session = held_session(on=timezone.localdate() - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        figures_changed(session.group_id)
    assert Submission.objects.filter(task=task, session=session).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        figures_changed(session.group_id)  # idempotent
    assert Submission.objects.filter(task=task).count() == 1


def test_submit_generates_plan_report_and_roster_and_is_audited(world, annual_task, plan, submit):
    sub = row(annual_task, world)
    submit(actor=world.users["secretary"], submission=sub)
    sub.refresh_from_db()
    assert (sub.status, sub.revision, sub.submitted_by) == (
        Submission.Status.SUBMITTED,
        1,
        world.users["secretary"],
    )
    docs = {d.kind: d for d in SubmissionVersion.objects.get(submission=sub).documents.all()}
    assert set(docs) == {"plan", "report", "roster"}
    assert docs["report"].year == this_year() - 1
    plan_text = "\n".join(p.text for p in Document(docs["plan"].file.open("rb")).paragraphs)
    assert plan.title in plan_text.replace("\n", "")
    report_text = "".join(p.text for p in Document(docs["report"].file.open("rb")).paragraphs)
    assert "学习情况" in report_text
    sheet = load_workbook(io.BytesIO(docs["roster"].file.open("rb").read())).active
    names = {c.value for r in sheet.iter_rows() for c in r}
    assert "secretary人" in names
    assert audited("submit", sub)


def test_submit_without_an_approved_plan_changes_nothing(world, annual_task):
    sub = row(annual_task, world)
    with pytest.raises(ValidationError) as e:
        services.submission_submit(actor=world.users["secretary"], submission=sub)
    assert "学习计划尚未制定" in e.value.message_dict["plan"][0]
    sub.refresh_from_db()
    assert (sub.status, sub.revision) == (Submission.Status.NOT_SUBMITTED, 0)
    assert not SubmissionVersion.objects.exists()


def test_only_the_groups_secretary_submits(world, annual_task, plan):
    with pytest.raises(ValidationError):
        services.submission_submit(actor=world.users["leader"], submission=row(annual_task, world))
    with pytest.raises(ValidationError):
        services.submission_submit(
            actor=world.users["secretary"], submission=row(annual_task, world, "sibling")
        )


def test_return_needs_a_reason_and_the_tasks_supervisor(world, top, annual_task, plan):
    sub = services.submission_submit(
        actor=world.users["secretary"], submission=row(annual_task, world)
    )
    with pytest.raises(ValidationError) as e:
        # A's supervisor sees A's row but did not set R's task
        services.submission_return(actor=world.users["supervisor"], submission=sub, reason="")
    assert set(e.value.message_dict) == {"submission", "reason"}
    sub.refresh_from_db()
    assert sub.status == Submission.Status.SUBMITTED


def test_returned_then_resubmitted_is_version_two(world, top, annual_task, plan, submit):
    sub = services.submission_submit(
        actor=world.users["secretary"], submission=row(annual_task, world)
    )
    services.submission_return(actor=top, submission=sub, reason="学习计划缺少第四季度专题")
    sub.refresh_from_db()
    assert (sub.status, sub.return_reason) == (
        Submission.Status.RETURNED,
        "学习计划缺少第四季度专题",
    )
    assert audited("return", sub)
    with pytest.raises(ValidationError):  # a returned filing is not returned again
        services.submission_return(actor=top, submission=sub, reason="再退回")
    submit(actor=world.users["secretary"], submission=sub)
    sub.refresh_from_db()
    versions = list(sub.versions.order_by("revision"))
    assert [v.revision for v in versions] == [1, 2]
    assert versions[0].return_reason == "学习计划缺少第四季度专题"
    assert versions[1].returned_at is None and versions[1].documents.count() == 3
    assert (sub.status, sub.return_reason) == (Submission.Status.SUBMITTED, "")


def test_a_stale_version_is_refused(world, annual_task, plan):
    sub = row(annual_task, world)
    with pytest.raises(ValidationError):
        services.submission_submit(
            actor=world.users["secretary"], submission=sub, expected_version=sub.version + 1
        )
    assert not SubmissionVersion.objects.exists()


def test_session_report_is_generated_from_the_record(world, top, held_session, submit):
    session = held_session(on=timezone.localdate() - dt.timedelta(days=2), content="学习原文")
    person = world.people["own"]
    Attendance.objects.create(session=session, person=person, status="present")
    task = services.task_create(
        actor=top,
        owner_unit=world.units["parent"],
        year=this_year(),
        kind=FilingTask.Kind.SESSION,
        title="一学一报",
        working_days=5,
    )
    sub = Submission.objects.get(task=task, session=session)
    submit(actor=world.users["secretary"], submission=sub)
    doc = SubmissionVersion.objects.get(submission=sub).documents.get()
    text = "".join(p.text for p in Document(doc.file.open("rb")).paragraphs)
    assert session.title in text
    assert "实到1人" in text and "学习原文" in text
    assert doc.name.endswith("情况的报告.docx")


def test_reminders_reach_the_secretary_once_a_day(world, top, annual_task):
    n = services.task_remind(actor=top, task=annual_task)
    assert n == 1  # only A has a secretary with an account
    note = Notification.objects.get(user=world.users["secretary"])
    assert annual_task.title in note.message and note.link
    assert services.task_remind(actor=top, task=annual_task) == 0
    with pytest.raises(ValidationError):
        services.task_remind(actor=world.users["supervisor"], task=annual_task)


def test_the_daily_check_fills_in_rows_the_hook_missed(world, top, held_session):
    from io import StringIO

    from django.core.management import call_command

    task = services.task_create(
        actor=top,
        owner_unit=world.units["parent"],
        year=this_year(),
        kind=FilingTask.Kind.SESSION,
        title="一学一报",
        working_days=5,
    )
    session = held_session("sibling", on=timezone.localdate() - dt.timedelta(days=3))
    out = StringIO()
    call_command("sync_filings", stdout=out)
    assert "补齐报送事项 1 项" in out.getvalue()
    assert Submission.objects.filter(task=task, session=session).exists()
