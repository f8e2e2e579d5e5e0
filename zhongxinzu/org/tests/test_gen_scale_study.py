"""manage.py gen_scale, study and supervision steps: three years of sessions, attendance,
make-ups… that match the rosters, the year's visits, score sheets and problems that follow
the supervision rules; the same for the same seed and day, and added to a province built
without them."""

import datetime as dt
import io
from collections import Counter, defaultdict

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from zhongxinzu.accounts.models import RoleGrant, User
from zhongxinzu.assessment.models import AssessmentScheme
from zhongxinzu.compliance.models import GroupCompliance
from zhongxinzu.lib.workdays import is_workday
from zhongxinzu.meetings.models import (
    AgendaItem,
    Attendance,
    LeaveRequest,
    MakeUp,
    Speaker,
    StudySession,
)
from zhongxinzu.meetings.selectors import CORE_ROLES
from zhongxinzu.org import scale_study
from zhongxinzu.org.models import Membership, Person, RosterRequirement, StudyGroup, Unit
from zhongxinzu.outputs.models import Conversion, Output
from zhongxinzu.plans.models import FirstItem, PlanTopic, Prompt, PromptAck, YearPlan
from zhongxinzu.supervision import services as supervision
from zhongxinzu.supervision.models import (
    Expert,
    ObservationTeam,
    ObservationVisit,
    Problem,
    Rectification,
    RectificationReport,
    ScoreEntry,
    ScoreSheet,
    TeamMember,
    VisitPlan,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 22)
YEARS = (2024, 2025, 2026)


def gen(groups=40, **options) -> str:
    out = io.StringIO()
    call_command("gen_scale", groups=groups, today=TODAY, stdout=out, **options)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the archive step stores a volume


def wipe() -> None:
    """Remove everything gen_scale made (not the audit log, which cannot be deleted)."""
    for app in ("bulletins", "filings", "archive"):  # the upward steps, children first
        for model in reversed(list(apps.get_app_config(app).get_models())):
            model.objects.all().delete()
    for model in (
        AssessmentScheme,
        GroupCompliance,
        RectificationReport,
        Rectification,
        Problem,
        ScoreEntry,
        ScoreSheet,
        ObservationVisit,
        VisitPlan,
        TeamMember,
        ObservationTeam,
        Expert,
        Conversion,
        Output,
        MakeUp,
        LeaveRequest,
        Attendance,
        Speaker,
        AgendaItem,
        StudySession,
        PlanTopic,
        YearPlan,
        PromptAck,
        Prompt,
        FirstItem,
        RoleGrant,
        User,
        Membership,
        Person,
        RosterRequirement,
        StudyGroup,
        Unit,
    ):
        model.objects.all().delete()


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def snapshot() -> dict[str, list]:
    """The generated records by content (not ids), in a stable order."""
    return {
        "sessions": sorted(
            StudySession.objects.values_list(
                "group__unit__code", "starts_at", "ends_at", "kind", "title", "status"
            )
        ),
        "attendance": sorted(
            Attendance.objects.values_list(
                "session__group__unit__code",
                "session__starts_at",
                "person__name",
                "person__rank_order",
                "status",
                "method",
                "is_attendee",
            )
        ),
        "makeups": sorted(
            MakeUp.objects.values_list(
                "attendance__session__starts_at", "attendance__person__name", "status", "due_date"
            )
        ),
        "agenda": sorted(
            AgendaItem.objects.values_list(
                "session__starts_at", "order", "title", "first_item__title"
            )
        ),
        "outputs": sorted(
            Output.objects.values_list("group__unit__code", "author__name", "kind", "submitted_at")
        ),
        "plans": sorted(YearPlan.objects.values_list("group__unit__code", "year", "status")),
        "acks": sorted(PromptAck.objects.values_list("group__unit__code", "acknowledged_at")),
        "visits": sorted(
            ObservationVisit.objects.values_list(
                "group__unit__code", "planned_on", "team__name", "stage"
            )
        ),
        "sheets": sorted(ScoreSheet.objects.values_list("visit__group__unit__code", "total")),
        "problems": sorted(
            Problem.objects.values_list(
                "group__unit__code", "source", "found_on", "rectification__status"
            )
        ),
    }


def test_sessions_plans_prompts_and_outputs():
    gen(40)
    per = Counter(
        (gid, local_day(start).year)
        for gid, start in StudySession.objects.values_list("group_id", "starts_at")
    )
    groups = StudyGroup.objects.count()
    assert groups == 40
    for year in YEARS:
        counts = [per[(g, year)] for g in StudyGroup.objects.values_list("pk", flat=True)]
        assert all(c >= 5 for c in counts), (year, counts)  # a few groups hold too few
        assert all(c <= 25 for c in counts), (year, counts)
        average = sum(counts) / len(counts)
        assert (17 if year == TODAY.year else 18.5) <= average <= 22.5, (year, average)
    kinds = Counter(StudySession.objects.values_list("kind", flat=True))
    assert set(kinds) == set(StudySession.Kind.values)
    assert kinds["topical"] >= 3.5 * groups * 2  # one a quarter, most groups
    for start, end in StudySession.objects.values_list("starts_at", "ends_at"):
        assert local_day(start) < TODAY
        assert is_workday(local_day(start))
        assert end > start
    statuses = Counter(StudySession.objects.values_list("status", flat=True))
    assert statuses["recorded"] > 0.97 * sum(statuses.values())
    assert statuses.keys() <= {"recorded", "held"}

    root = Unit.objects.get(depth=1)
    assert FirstItem.objects.filter(owner_unit=root).count() == 3 + 12 + 12 + 11
    assert Prompt.objects.filter(issuer_unit=root).count() == 12
    assert PromptAck.objects.count() > 0.97 * 12 * 40
    plans = Counter(YearPlan.objects.values_list("status", flat=True))
    assert plans["filed"] > 0.85 * 3 * 40
    assert PlanTopic.objects.count() == 12 * sum(plans.values())
    # the first agenda item is a 第一议题 at nearly every session
    sessions = StudySession.objects.count()
    with_first = AgendaItem.objects.filter(first_item__isnull=False).count()
    assert 0.95 * sessions <= with_first <= sessions
    speakers = Speaker.objects.count()
    assert speakers and Output.objects.filter(kind="speech").count() == speakers
    assert Output.objects.filter(kind__in=["article", "research"]).count() > 0.8 * 3 * 40 * 10
    assert User.objects.filter(username__startswith=scale_study.SECRETARY_PREFIX).count() == 39


def test_attendance_is_the_roster_of_each_session_and_makeups_are_owed():
    gen(40)
    memberships = defaultdict(list)
    for m in Membership.objects.all():
        memberships[m.group_id].append(m)
    rows = defaultdict(dict)
    for sid, pid, attendee in Attendance.objects.values_list(
        "session_id", "person_id", "is_attendee"
    ):
        rows[sid][pid] = attendee
    sessions = list(StudySession.objects.values_list("pk", "group_id", "starts_at"))
    assert len(rows) == len(sessions)
    for sid, gid, start in sessions:
        day = local_day(start)
        roster = {}
        for m in sorted(memberships[gid], key=lambda m: m.role_rank):
            if m.start_date <= day and (m.end_date is None or m.end_date >= day):
                roster.setdefault(m.person_id, m.role not in CORE_ROLES)
        assert rows[sid] == roster, sid
    assert Attendance.objects.filter(is_attendee=True).exists()

    counted = Counter(Attendance.objects.filter(is_attendee=False).values_list("status", flat=True))
    total = sum(counted.values())
    assert 0.84 <= counted["present"] / total <= 0.93
    assert counted["late"] and counted["leave"] and counted["absent"]
    owed = set(
        Attendance.objects.filter(is_attendee=False, status__in=["leave", "absent"]).values_list(
            "pk", flat=True
        )
    )
    assert set(MakeUp.objects.values_list("attendance_id", flat=True)) == owed
    statuses = Counter(MakeUp.objects.values_list("status", flat=True))
    assert statuses["confirmed"] > 0.8 * len(owed)
    # every due date is the session date plus the rules' make-up period (30 days)
    for start, due in MakeUp.objects.values_list("attendance__session__starts_at", "due_date"):
        assert due == local_day(start) + dt.timedelta(days=30)
    leaves = set(LeaveRequest.objects.values_list("session_id", "person_id"))
    assert leaves == set(
        Attendance.objects.filter(status="leave").values_list("session_id", "person_id")
    )


def test_same_seed_and_day_same_data():
    gen(12, seed=5)
    first = snapshot()
    wipe()
    gen(12, seed=5)
    assert snapshot() == first


def test_steps_added_to_an_existing_province_and_run_once():
    out = gen(12, seed=5, years=0)
    assert not StudySession.objects.exists()
    people = snapshot()
    out = gen(12, seed=5)
    assert "补充生成" in out and "attendance" in out
    resumed = snapshot()
    assert resumed["attendance"] and people != resumed
    attendance = Attendance.objects.count()
    assert "未做任何改动" in gen(12, seed=5)
    assert Attendance.objects.count() == attendance
    # adding the steps later gives what one build gives
    wipe()
    gen(12, seed=5)
    assert snapshot() == resumed


def test_a_missing_later_step_runs_alone():
    gen(12, seed=5)
    outputs = Output.objects.count()
    Conversion.objects.all().delete()
    Output.objects.all().delete()
    out = gen(12, seed=5)
    assert "outputs" in out and "attendance" not in out
    assert Output.objects.count() == outputs


def test_supervision_follows_the_rules():
    gen(30)
    root = Unit.objects.get(depth=1)
    plan = VisitPlan.objects.get(owner_unit=root)
    assert plan.status == "published" and plan.year == TODAY.year and plan.uncovered == []
    # every group below the root is visited, by a team of the root, never at a member's unit
    below = set(StudyGroup.objects.exclude(unit=root).values_list("pk", flat=True))
    visits = list(plan.visits.select_related("group", "team"))
    assert {v.group_id for v in visits} == below
    conflicts = supervision.team_conflicts({v.team_id for v in visits})
    for v in visits:
        assert v.team.owner_unit_id == root.pk and v.team.year == TODAY.year
        assert v.group.unit_id not in conflicts[v.team_id], v
        assert v.materials_due < v.planned_on < v.summary_due
        held = v.planned_on < TODAY
        assert (v.session_id is not None) == held, v
        if held:
            assert local_day(v.session.starts_at) == v.planned_on
        assert (v.feedback_sent_at is not None) == (v.stage == "closed")
        assert (v.summary_submitted_at is not None) == (v.stage in ("feedback", "closed"))
    stages = Counter(v.stage for v in visits)
    assert stages["closed"] > len(visits) / 2 and stages["planned"] + stages["before"] > 0
    assert Expert.objects.filter(person__isnull=False).exists()
    assert Expert.objects.filter(person__isnull=True).exists()
    assert ObservationTeam.objects.exclude(owner_unit=root).exists()  # a city's own teams
    # 2-3 sheets of the team's members for every visit held; total = sum of the entries
    sheets = ScoreSheet.objects.select_related("visit").prefetch_related("entries")
    per_visit = Counter(s.visit_id for s in sheets)
    members = {(t, e) for t, e in TeamMember.objects.values_list("team_id", "expert_id")}
    for s in sheets:
        assert (s.visit.team_id, s.observer_id) in members
        entries = list(s.entries.all())
        assert len(entries) == 8
        assert s.total == sum(e.score for e in entries)
        assert (s.grade != "") == (s.submitted_at is not None)
    held = [v for v in visits if v.stage not in ("planned", "before")]
    assert held and all(2 <= per_visit[v.pk] <= 3 for v in held)
    # problems: about 1.5 a group, every one with its rectification, some overdue
    problems = Problem.objects.all()
    assert 0.8 * len(below) <= problems.count() <= 2.5 * len(below)
    assert set(problems.values_list("source", flat=True)) >= {"observation", "self_check"}
    assert Rectification.objects.count() == problems.count()
    assert not problems.filter(rectification__isnull=True).exists()
    overdue = Rectification.objects.filter(deadline__lt=TODAY).exclude(status="closed")
    assert overdue.exists()
    assert Rectification.objects.filter(status="closed").exists()
    for r in Rectification.objects.exclude(status="open"):
        assert r.reports.exists()
    # the assessment: last year's published, this year's computed, the same groups at the
    # bottom of both (the 约谈名单)
    from zhongxinzu.assessment.services import talk_list

    schemes = {s.year: s for s in AssessmentScheme.objects.filter(owner_unit=root)}
    assert schemes[TODAY.year - 1].status == "published"
    assert schemes[TODAY.year].results.count() == len(below) + 1
    assert len(talk_list(scheme=schemes[TODAY.year])) == 3


def test_the_upward_layer_at_scale_has_late_and_missing_filings_a_bulletin_and_a_volume():
    from zhongxinzu.archive.models import ArchiveVolume
    from zhongxinzu.bulletins.models import Bulletin, BulletinRecipient
    from zhongxinzu.filings.models import FilingTask, Submission

    gen(40)
    annual = FilingTask.objects.get(kind=FilingTask.Kind.ANNUAL)
    rows = Submission.objects.filter(task=annual)
    assert rows.count() == StudyGroup.objects.count() - 1  # every group below the root
    assert rows.filter(status=Submission.Status.NOT_SUBMITTED).exists()
    assert rows.filter(submitted_on__gt=annual.due_on).exists()
    per_session = Submission.objects.filter(task__kind=FilingTask.Kind.SESSION)
    assert per_session.exists() and per_session.filter(session__isnull=False).count() == (
        per_session.count()
    )
    issued = Bulletin.objects.get(status=Bulletin.Status.ISSUED)
    assert issued.doc_number.endswith("〔2026〕1号")
    recipients = BulletinRecipient.objects.filter(bulletin=issued)
    assert recipients.count() == StudyGroup.objects.count()
    assert 0 < recipients.filter(acknowledged_at__isnull=False).count() < recipients.count()
    assert Bulletin.objects.filter(status=Bulletin.Status.DRAFT, drafted_at__isnull=False).exists()
    volume = ArchiveVolume.objects.get()
    assert volume.year == 2025 and volume.catalogue
