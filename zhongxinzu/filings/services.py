"""Writes of the filings app: tasks, the rows each group owes, submitting (with the documents
generated at that moment), returning and accepting, and reminders to the groups that have
not filed. Every write is atomic, validated with Chinese messages and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.accounts.models import User
from zhongxinzu.audit.services import audit_record
from zhongxinzu.compliance.models import Notification
from zhongxinzu.filings.models import FilingTask, Submission, SubmissionDocument, SubmissionVersion
from zhongxinzu.lib.changes import figures_changed
from zhongxinzu.lib.versioning import save_versioned
from zhongxinzu.lib.workdays import add_working_days
from zhongxinzu.meetings.models import AgendaItem, Attendance, StudySession
from zhongxinzu.org import access
from zhongxinzu.org.models import Membership, StudyGroup, Unit

DONE = (StudySession.Status.HELD, StudySession.Status.RECORDED)
MAX_WORKING_DAYS = 30
REASON_MAX = 500


def _local_day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


# --- tasks ------------------------------------------------------------------------------------


def _task_errors(*, actor, owner_unit, year, kind, title, due_on, working_days) -> dict:
    errors: dict[str, str] = {}
    if owner_unit is None or not access.supervises(actor, owner_unit):
        errors["owner_unit"] = "只能为本人督导的单位布置报送任务"
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = "年度应在2000至2100之间"
    if not (title or "").strip():
        errors["title"] = "请填写任务名称"
    elif len(title.strip()) > 200:
        errors["title"] = "任务名称不能超过200个字"
    if kind == FilingTask.Kind.ANNUAL:
        if due_on is None:
            errors["due_on"] = "年度学习材料须规定截止日期"
        elif isinstance(year, int) and not year - 1 <= due_on.year <= year + 1:
            errors["due_on"] = "截止日期应在任务年度前后一年内"
        if working_days is not None:
            errors["working_days"] = "年度学习材料按截止日期报送，不填工作日数"
    elif kind == FilingTask.Kind.SESSION:
        if working_days is None or not 1 <= working_days <= MAX_WORKING_DAYS:
            errors["working_days"] = f"一学一报须在学习后1至{MAX_WORKING_DAYS}个工作日内报送"
        if due_on is not None:
            errors["due_on"] = "一学一报按每次学习计算期限，不填截止日期"
    else:
        errors["kind"] = "请选择任务类别（年度学习材料或一学一报）"
    return errors


@transaction.atomic
def task_create(
    *,
    actor,
    owner_unit: Unit | None,
    year: int,
    kind: str,
    title: str,
    due_on: dt.date | None = None,
    working_days: int | None = None,
    notes: str = "",
) -> FilingTask:
    """A filing task for every group below `owner_unit`; the rows the groups owe are created
    at once (and later for new sessions and groups, see submissions_sync)."""
    errors = _task_errors(
        actor=actor,
        owner_unit=owner_unit,
        year=year,
        kind=kind,
        title=title,
        due_on=due_on,
        working_days=working_days,
    )
    if (
        not errors
        and FilingTask.objects.filter(
            owner_unit=owner_unit, year=year, kind=kind, is_active=True
        ).exists()
    ):
        errors["kind"] = f"本单位{year}年度已有同类报送任务"
    if errors:
        raise ValidationError(errors)
    task = FilingTask.objects.create(
        owner_unit=owner_unit,
        year=year,
        kind=kind,
        title=title.strip(),
        due_on=due_on,
        working_days=working_days,
        notes=(notes or "").strip(),
        created_by=actor,
    )
    rows = submissions_sync(tasks=[task])
    figures_changed(below=owner_unit.pk)  # the groups below now owe a filing (compliance)
    audit_record(
        actor=actor,
        action="create",
        obj=task,
        detail={"kind": kind, "year": year, "rows": rows},
    )
    return task


def task_groups(task: FilingTask):
    """The active groups a task applies to: strictly below its owner unit."""
    return (
        StudyGroup.objects.filter(
            access.subtree_q([task.owner_unit], "unit__"), is_active=True, unit__is_active=True
        )
        .exclude(unit_id=task.owner_unit_id)
        .order_by("unit__path")
    )


@transaction.atomic
def submissions_sync(
    *,
    tasks: Iterable[FilingTask] | None = None,
    group_ids: Iterable[int] | None = None,
    today: dt.date | None = None,
) -> int:
    """Create the rows groups owe and do not have yet: one per group for annual materials,
    one per session held for 一学一报 (deadline: N working days after the session day). With
    `group_ids`, only those groups (under every active task that applies to them). Idempotent;
    returns the number of rows created. A few queries per task, none per group."""
    today = today or timezone.localdate()
    ids = set(group_ids) if group_ids is not None else None
    if tasks is None:
        groups = StudyGroup.objects.filter(pk__in=ids or []).select_related("unit")
        paths: set[str] = set()
        for g in groups:
            paths.update(access.ancestor_paths(g.unit)[:-1])
        tasks = FilingTask.objects.filter(is_active=True, owner_unit__path__in=paths)
    created = 0
    for task in FilingTask.objects.filter(pk__in=[t.pk for t in tasks]).select_related(
        "owner_unit"
    ):
        groups = task_groups(task)
        if ids is not None:
            groups = groups.filter(pk__in=ids)
        if task.kind == FilingTask.Kind.ANNUAL:
            have = Submission.objects.filter(task=task, session__isnull=True).values("group_id")
            rows = [
                Submission(task=task, group_id=gid, due_on=task.due_on)
                for gid in groups.exclude(pk__in=have).values_list("pk", flat=True)
            ]
        else:
            tz = timezone.get_default_timezone()
            start = dt.datetime(task.year, 1, 1, tzinfo=tz)
            end = dt.datetime(task.year + 1, 1, 1, tzinfo=tz)
            have = Submission.objects.filter(task=task, session__isnull=False).values("session_id")
            sessions = (
                StudySession.objects.filter(
                    group__in=groups.values("pk"),
                    status__in=DONE,
                    starts_at__gte=start,
                    starts_at__lt=end,
                )
                .exclude(pk__in=have)
                .values_list("pk", "group_id", "starts_at")
            )
            rows = [
                Submission(
                    task=task,
                    group_id=gid,
                    session_id=sid,
                    due_on=add_working_days(_local_day(starts), task.working_days),
                )
                for sid, gid, starts in sessions
                if _local_day(starts) <= today
            ]
        Submission.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        created += len(rows)
    return created


def sync_follow_change(group_ids: frozenset[int], below: frozenset[int]) -> None:
    """The lib.changes handler: a session recorded (or any change to a group's figures)
    creates the 一学一报 rows it owes; the compliance snapshot is told again if any were."""
    if group_ids and submissions_sync(group_ids=group_ids):
        figures_changed(groups=group_ids)


# --- submitting -------------------------------------------------------------------------------


def _annual_documents(
    *, actor, sub: Submission, today: dt.date
) -> list[tuple[str, int, str, bytes]]:
    from zhongxinzu.compliance.selectors import annual_report_document
    from zhongxinzu.org.exports import roster_export
    from zhongxinzu.plans.models import YearPlan
    from zhongxinzu.plans.services import plan_document

    group, year = sub.group, sub.task.year
    plan = YearPlan.objects.filter(group=group, year=year).select_related("group").first()
    if plan is None:
        raise ValidationError({"plan": f"{year}年度学习计划尚未制定，制定并经组长审批后再报送"})
    if plan.status not in (YearPlan.Status.APPROVED, YearPlan.Status.FILED):
        raise ValidationError({"plan": f"{year}年度学习计划尚未经组长审批，审批后再报送"})
    report_name, report = annual_report_document(group, year - 1, signed_on=today)
    return [
        (
            SubmissionDocument.Kind.PLAN,
            year,
            f"{plan.title}.docx",
            plan_document(actor=actor, plan=plan),
        ),
        (SubmissionDocument.Kind.REPORT, year - 1, report_name, report),
        (
            SubmissionDocument.Kind.ROSTER,
            year,
            f"{group.name}成员名单（{today:%Y%m%d}）.xlsx",
            roster_export(actor=actor, group=group, on=today),
        ),
    ]


def session_facts(session: StudySession):
    """The facts of one session record that its 一学一报 report states."""
    from zhongxinzu.filings.documents import SessionFacts

    group = session.group
    parent = Unit.objects.get_parent(group.unit)
    counts = dict(
        Attendance.objects.filter(session=session, is_attendee=False)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    agenda = list(
        AgendaItem.objects.filter(session=session)
        .order_by("order", "pk")
        .values_list("title", "first_item_id")
    )
    return SessionFacts(
        group_name=group.name,
        unit_name=group.unit.name,
        addressee=parent.name if parent else None,
        title=session.title,
        kind=session.get_kind_display(),
        day=_local_day(session.starts_at),
        place=session.place,
        chair=session.chair.name if session.chair_id else "",
        lead_reader=session.lead_reader.name if session.lead_reader_id else "",
        due=sum(counts.values()),
        attended=counts.get(Attendance.Status.PRESENT, 0) + counts.get(Attendance.Status.LATE, 0),
        leave=counts.get(Attendance.Status.LEAVE, 0),
        absent=counts.get(Attendance.Status.ABSENT, 0),
        agenda=[t for t, first in agenda if not first],
        first_items=[t for t, first in agenda if first],
        content=session.content,
        effect=session.effect,
    )


def _session_documents(sub: Submission, today: dt.date) -> list[tuple[str, int, str, bytes]]:
    from zhongxinzu.filings.documents import report_title, session_report_docx

    session = StudySession.objects.select_related("group__unit", "chair", "lead_reader").get(
        pk=sub.session_id
    )
    facts = session_facts(session)
    data = session_report_docx(facts, signed_on=today)
    return [(SubmissionDocument.Kind.SESSION, facts.day.year, f"{report_title(facts)}.docx", data)]


@transaction.atomic
def submission_submit(
    *,
    actor,
    submission: Submission,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Submission:
    """Send the filing: its documents are generated from the records now (the year plan, last
    year's annual report and the roster; or the session's report) and kept as a new version.
    Allowed while not yet submitted or after a return. `at` records a filing made earlier on
    paper (the demo and scale builders); pages and the API never pass it."""
    sub = submission
    if not access.can_record_for_group(actor, sub.group_id):
        raise ValidationError({"submission": "只有本中心组的学习秘书可以报送"})
    if sub.status not in (Submission.Status.NOT_SUBMITTED, Submission.Status.RETURNED):
        raise ValidationError(
            {"submission": f"该报送当前为“{sub.get_status_display()}”，无需再次报送"}
        )
    if not sub.task.is_active:
        raise ValidationError({"submission": "该报送任务已停用"})
    now = at or timezone.now()
    today = _local_day(now)
    if sub.session_id:
        documents = _session_documents(sub, today)
    else:
        documents = _annual_documents(actor=actor, sub=sub, today=today)
    sub.status = Submission.Status.SUBMITTED
    sub.revision += 1
    sub.submitted_at, sub.submitted_on, sub.submitted_by = now, today, actor
    sub.return_reason = ""
    save_versioned(
        sub,
        expected_version=expected_version,
        fields=[
            "status",
            "revision",
            "submitted_at",
            "submitted_on",
            "submitted_by",
            "return_reason",
        ],
    )
    version = SubmissionVersion.objects.create(
        submission=sub, revision=sub.revision, submitted_at=now, submitted_by=actor
    )
    for kind, year, name, data in documents:
        doc = SubmissionDocument(
            version=version, kind=kind, year=year, name=name[:200], size=len(data)
        )
        doc.file.save(name[-60:], ContentFile(data), save=False)
        doc.save()
    figures_changed(sub.group_id)
    audit_record(
        actor=actor,
        action="submit",
        obj=sub,
        detail={
            "task": sub.task_id,
            "revision": sub.revision,
            "on_time": today <= sub.due_on,
            "documents": [name for _, _, name, _ in documents],
        },
    )
    return sub


def _review_check(actor, sub: Submission) -> None:
    if not access.supervises(actor, sub.task.owner_unit):
        raise ValidationError({"submission": "只有布置该任务的督导单位可以退回或接收"})
    if sub.status != Submission.Status.SUBMITTED:
        raise ValidationError(
            {"submission": f"该报送当前为“{sub.get_status_display()}”，不能退回或接收"}
        )


@transaction.atomic
def submission_return(
    *, actor, submission: Submission, reason: str, expected_version: int | None = None
) -> Submission:
    """Return a submitted filing with a reason; the group submits it again (a new version)."""
    sub = submission
    reason = (reason or "").strip()
    errors = {}
    try:
        _review_check(actor, sub)
    except ValidationError as e:
        errors.update(e.message_dict)
    if not reason:
        errors["reason"] = "请填写退回理由"
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"退回理由不能超过{REASON_MAX}个字"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    sub.status, sub.return_reason = Submission.Status.RETURNED, reason
    sub.reviewed_at, sub.reviewed_by = now, actor
    save_versioned(
        sub,
        expected_version=expected_version,
        fields=["status", "return_reason", "reviewed_at", "reviewed_by"],
    )
    SubmissionVersion.objects.filter(submission=sub, revision=sub.revision).update(
        returned_at=now, return_reason=reason
    )
    figures_changed(sub.group_id)
    audit_record(
        actor=actor,
        action="return",
        obj=sub,
        detail={"task": sub.task_id, "revision": sub.revision, "reason": reason},
    )
    return sub


@transaction.atomic
def submission_accept(
    *, actor, submission: Submission, expected_version: int | None = None
) -> Submission:
    sub = submission
    _review_check(actor, sub)
    sub.status = Submission.Status.ACCEPTED
    sub.reviewed_at, sub.reviewed_by = timezone.now(), actor
    save_versioned(
        sub, expected_version=expected_version, fields=["status", "reviewed_at", "reviewed_by"]
    )
    audit_record(
        actor=actor,
        action="accept",
        obj=sub,
        detail={"task": sub.task_id, "revision": sub.revision},
    )
    return sub


# --- reminders --------------------------------------------------------------------------------

OPEN = (Submission.Status.NOT_SUBMITTED, Submission.Status.RETURNED)


@transaction.atomic
def task_remind(*, actor, task: FilingTask, today: dt.date | None = None) -> int:
    """提醒未报送单位: an in-site notification (compliance.Notification, the inbox of every
    reminder) to the secretary of each group with a row not submitted, or returned and not
    submitted again, saying how many and how many are overdue. Idempotent per group and day
    (a second click the same day sends nothing); audited."""
    if not access.supervises(actor, task.owner_unit):
        raise ValidationError({"task": "只有布置该任务的督导单位可以发送提醒"})
    today = today or timezone.localdate()
    rows = list(
        Submission.objects.filter(task=task, status__in=OPEN).values_list(
            "pk", "group_id", "due_on", "status"
        )
    )
    by_group: dict[int, list[tuple[int, dt.date, str]]] = {}
    for pk, gid, due, status in rows:
        by_group.setdefault(gid, []).append((pk, due, status))
    secretaries = (
        access.active_memberships(on=today)
        .filter(group_id__in=list(by_group), role=Membership.Role.SECRETARY)
        .values_list("group_id", "person_id")
    )
    users: dict[int, list[int]] = {}
    person_group = list(secretaries)
    for uid, pid in User.objects.filter(
        person_id__in={p for _, p in person_group}, is_active=True
    ).values_list("pk", "person_id"):
        users.setdefault(pid, []).append(uid)
    link = reverse("filings:my_filings")
    notes = []
    for gid, pid in person_group:
        items = by_group[gid]
        overdue = sum(1 for _, due, _ in items if due < today)
        returned = sum(1 for *_, s in items if s == Submission.Status.RETURNED)
        parts = [f"{len(items)}项待报送"]
        if overdue:
            parts.append(f"其中{overdue}项已逾期")
        if returned:
            parts.append(f"{returned}项被退回待重报")
        message = (
            f"{task.owner_unit.name}提醒：“{task.title}”" + "，".join(parts) + "，请尽快报送。"
        )
        key = f"filing_remind:{task.pk}:{gid}:{today:%Y%m%d}"
        for uid in users.get(pid, []):
            notes.append(
                Notification(user_id=uid, key=key, kind="filing", message=message[:300], link=link)
            )
    existing = set(
        Notification.objects.filter(key__in={n.key for n in notes}).values_list("user_id", "key")
    )
    new = [n for n in notes if (n.user_id, n.key) not in existing]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    audit_record(
        actor=actor,
        action="remind",
        obj=task,
        detail={"groups": len(by_group), "notifications": len(new), "date": today.isoformat()},
    )
    return len(new)
