"""Supervision in the permission matrix.

The expert pool, teams and visit plans belong to a supervising unit: its supervisors (and
those above) manage them, nobody else sees them. A visit is seen by the supervisors of the
host group's subtree, by the observers of the visiting team (the `observer` user is on the
team of the "own" relation's visits only) and by the host group's secretary and leaders.
"""

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

SUPERVISOR_ONLY = everyone_else({"supervisor": OK}, DENIED)
OWNED = everyone_else({"supervisor": SUBTREE}, DENIED)
VISIT_ROLES = everyone_else(
    {"supervisor": OK, "secretary": OK, "leader": OK, "observer": OK}, DENIED
)
OBSERVER_ONLY = everyone_else({"observer": OK}, DENIED)
VISIT_READ = everyone_else(
    {"supervisor": SUBTREE, "secretary": OWN, "leader": OWN, "observer": OWN}, DENIED
)
VISIT_MATERIALS = everyone_else(
    {
        "supervisor": SUBTREE_READ_ONLY,
        "secretary": OWN,
        "leader": OWN_READ_ONLY,
        "observer": OWN_READ_ONLY,
    },
    DENIED,
)
TEAM_NOTES = everyone_else(
    {
        "supervisor": SUBTREE,
        "secretary": OWN_READ_ONLY,
        "leader": OWN_READ_ONLY,
        "observer": OWN,
    },
    DENIED,
)
VISIT_FEEDBACK = everyone_else(
    {
        "supervisor": SUBTREE,
        "secretary": OWN_READ_ONLY,
        "leader": OWN_READ_ONLY,
        "observer": OWN_READ_ONLY,
    },
    DENIED,
)

MATRIX_YEAR = 2026


def _expert(world, rel):
    from zhongxinzu.supervision.models import Expert

    return Expert.objects.get_or_create(
        owner_unit=world.units[rel], name="矩阵专家", defaults={"field": "党史"}
    )[0]


def _observer_expert(world):
    from zhongxinzu.supervision.models import Expert

    return Expert.objects.get_or_create(
        owner_unit=world.units["own"],
        name="矩阵旁听专家",
        defaults={"user": world.users["observer"]},
    )[0]


def _team(world, rel):
    from zhongxinzu.supervision.models import ObservationTeam, TeamMember

    team, created = ObservationTeam.objects.get_or_create(
        owner_unit=world.units[rel], year=MATRIX_YEAR, name="矩阵旁听组"
    )
    if created and rel == "own":
        TeamMember.objects.create(team=team, expert=_observer_expert(world), is_leader=True)
    return team


def _team_member(world, rel):
    from zhongxinzu.supervision.models import TeamMember

    return TeamMember.objects.get_or_create(team=_team(world, rel), expert=_expert(world, rel))[0]


def _plan(world, rel, status="draft"):
    import datetime as dt

    from zhongxinzu.supervision.models import VisitPlan

    return VisitPlan.objects.get_or_create(
        owner_unit=world.units[rel],
        title=f"矩阵旁听计划{status}",
        defaults={
            "year": MATRIX_YEAR,
            "period_start": dt.date(MATRIX_YEAR, 1, 1),
            "period_end": dt.date(MATRIX_YEAR, 12, 31),
            "status": status,
            "created_by": world.users["supervisor"],
        },
    )[0]


def _visit(world, rel, status="published"):
    import datetime as dt

    from zhongxinzu.supervision.models import ObservationVisit

    return ObservationVisit.objects.get_or_create(
        plan=_plan(world, rel, status),
        group=world.groups[rel],
        defaults={
            "team": _team(world, rel),
            "planned_on": dt.date(MATRIX_YEAR, 6, 16),
            "materials_due": dt.date(MATRIX_YEAR, 6, 9),
            "summary_due": dt.date(MATRIX_YEAR, 6, 30),
        },
    )[0]


OBJECTS = {
    "expert": _expert,
    "team": _team,
    "team_member": _team_member,
    "visit_plan": _plan,
    "draft_visit": lambda w, rel: _visit(w, rel, "draft"),
    "visit": _visit,
}

ENTRIES = [
    # 专家库
    Page("supervision:expert_list", "GET", SUPERVISOR_ONLY),
    Page("supervision:expert_list_xlsx", "GET", SUPERVISOR_ONLY),
    Page("supervision:expert_create", "GET", SUPERVISOR_ONLY),
    Page("supervision:expert_create", "POST", SUPERVISOR_ONLY, data={"name": ""}),
    Page("supervision:expert_edit", "GET", OWNED, obj="expert"),
    Page("supervision:expert_edit", "POST", OWNED, obj="expert", data={"name": ""}),
    Page("supervision:expert_deactivate", "POST", OWNED, obj="expert"),
    # 旁听组
    Page("supervision:team_list", "GET", SUPERVISOR_ONLY),
    Page("supervision:team_create", "GET", SUPERVISOR_ONLY),
    Page("supervision:team_create", "POST", SUPERVISOR_ONLY, data={"name": ""}),
    Page("supervision:team_detail", "GET", OWNED, obj="team"),
    Page("supervision:team_edit", "GET", OWNED, obj="team"),
    Page("supervision:team_edit", "POST", OWNED, obj="team", data={"name": ""}),
    Page("supervision:team_member_add", "POST", OWNED, obj="team"),
    Page("supervision:team_member_remove", "POST", OWNED, obj="team_member"),
    Page("supervision:team_leader", "POST", OWNED, obj="team_member"),
    # 旁听计划
    Page("supervision:plan_list", "GET", SUPERVISOR_ONLY),
    Page("supervision:plan_create", "GET", SUPERVISOR_ONLY),
    Page("supervision:plan_create", "POST", SUPERVISOR_ONLY, data={"year": "x"}),
    Page("supervision:plan_detail", "GET", OWNED, obj="visit_plan"),
    Page("supervision:plan_detail_xlsx", "GET", OWNED, obj="visit_plan"),
    Page("supervision:plan_publish", "POST", OWNED, obj="visit_plan"),
    Page("supervision:plan_delete", "POST", OWNED, obj="visit_plan"),
    Page("supervision:visit_edit", "POST", OWNED, obj="draft_visit"),
    Page("supervision:visit_remove", "POST", OWNED, obj="draft_visit"),
    # 旁听任务
    Page("supervision:visit_list", "GET", VISIT_ROLES),
    Page("supervision:visit_list_xlsx", "GET", VISIT_ROLES),
    Page("supervision:my_visits", "GET", OBSERVER_ONLY),
    Page("supervision:visit_detail", "GET", VISIT_READ, obj="visit"),
    Page("supervision:visit_materials", "POST", VISIT_MATERIALS, obj="visit"),
    Page("supervision:visit_checklist", "POST", TEAM_NOTES, obj="visit"),
    Page("supervision:visit_onsite", "POST", TEAM_NOTES, obj="visit"),
    Page("supervision:visit_interview", "POST", TEAM_NOTES, obj="visit"),
    Page("supervision:visit_summary", "POST", TEAM_NOTES, obj="visit"),
    Page("supervision:visit_feedback", "POST", VISIT_FEEDBACK, obj="visit"),
    Page("supervision:visit_letter", "GET", TEAM_NOTES, obj="visit"),
]


# --- score sheets, problems and rectification (scoring_views, problem_views) ---------------
#
# Score sheets of a visit are read by the supervisors of the host group's subtree and the
# observers of the visiting team; only those observers fill them. Problems are seen by the
# supervisors of the subtree and the group's secretary and leaders; the secretary reports
# progress, only the supervisor closes or sends back.

SCORERS = everyone_else({"supervisor": OK, "observer": OK}, DENIED)
SCORE_READ = everyone_else({"supervisor": SUBTREE, "observer": OWN}, DENIED)
SCORE_FILL = everyone_else({"observer": OWN}, DENIED)
PROBLEM_USERS = everyone_else({"supervisor": OK, "secretary": OK, "leader": OK}, DENIED)
PROBLEM_WRITERS = everyone_else({"supervisor": OK, "secretary": OK}, DENIED)
PROBLEM_READ = everyone_else({"supervisor": SUBTREE, "secretary": OWN, "leader": OWN}, DENIED)
PROBLEM_REPORT = everyone_else({"supervisor": SUBTREE_READ_ONLY, "secretary": OWN}, DENIED)
PROBLEM_DECIDE = everyone_else(
    {"supervisor": SUBTREE, "secretary": OWN_READ_ONLY, "leader": OWN_READ_ONLY}, DENIED
)
MATRIX_EVIDENCE = b"%PDF-1.4\n% matrix evidence\n"


def _score_template(world, rel):
    from zhongxinzu.supervision.models import ScoreItem, ScoreTemplate

    template, created = ScoreTemplate.objects.get_or_create(
        owner_unit=world.units[rel], name="矩阵评分表", defaults={"grades": [["好", 90], ["差", 0]]}
    )
    if created:
        ScoreItem.objects.create(template=template, order=1, title="矩阵项目", points=100)
    return template


def _problem(world, rel):
    import datetime as dt

    from zhongxinzu.supervision.models import Problem, Rectification

    problem, created = Problem.objects.get_or_create(
        group=world.groups[rel],
        description="矩阵问题",
        defaults={
            "source": "supervision",
            "category": "学习制度",
            "found_on": dt.date(MATRIX_YEAR, 3, 1),
            "raised_by": world.users["supervisor"],
        },
    )
    if created:
        Rectification.objects.create(
            problem=problem, measures="矩阵整改措施", deadline=dt.date(MATRIX_YEAR, 4, 1)
        )
    return problem


def _reported_problem(world, rel):
    problem = _problem(world, rel)
    rect = problem.rectification
    rect.status = "reported"
    rect.save(update_fields=["status"])
    return problem


def _rect_report(world, rel):
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage, default_storage

    from zhongxinzu.supervision.models import RectificationReport

    name = "supervision/matrix/evidence.pdf"
    if not default_storage.exists(name):
        # Written now: the test transaction never commits, so default_storage would defer it.
        FileSystemStorage().save(name, ContentFile(MATRIX_EVIDENCE))
    return RectificationReport.objects.get_or_create(
        rectification=_problem(world, rel).rectification,
        text="矩阵整改进展",
        defaults={"evidence_file": name, "reported_by": world.users["secretary"]},
    )[0]


OBJECTS.update(
    {
        "score_template": _score_template,
        "problem": _problem,
        "reported_problem": _reported_problem,
        "rect_report": _rect_report,
    }
)

ENTRIES += [
    # 旁听评分
    Page("supervision:score_visit_list", "GET", SCORERS),
    Page("supervision:score_visit_list_xlsx", "GET", SCORERS),
    Page("supervision:score_template_list", "GET", SUPERVISOR_ONLY),
    Page("supervision:score_template_create", "GET", SUPERVISOR_ONLY),
    Page("supervision:score_template_create", "POST", SUPERVISOR_ONLY, data={"name": ""}),
    Page("supervision:score_template_edit", "GET", OWNED, obj="score_template"),
    Page("supervision:score_template_edit", "POST", OWNED, obj="score_template", data={"name": ""}),
    Page("supervision:score_stats", "GET", SUPERVISOR_ONLY),
    Page("supervision:score_stats_xlsx", "GET", SUPERVISOR_ONLY),
    Page("supervision:score_stats_docx", "GET", SUPERVISOR_ONLY),
    Page("supervision:score_sheet_fill", "GET", SCORE_FILL, obj="visit"),
    Page("supervision:score_sheet_fill", "POST", SCORE_FILL, obj="visit", data={"action": "save"}),
    Page("supervision:score_record", "GET", SCORE_READ, obj="visit"),
    Page("supervision:score_record_xlsx", "GET", SCORE_READ, obj="visit"),
    Page("supervision:score_record_docx", "GET", SCORE_READ, obj="visit"),
    # 问题整改
    Page("supervision:problem_list", "GET", PROBLEM_USERS),
    Page("supervision:problem_list_xlsx", "GET", PROBLEM_USERS),
    Page("supervision:problem_create", "GET", PROBLEM_WRITERS),
    Page("supervision:problem_create", "POST", PROBLEM_WRITERS, data={"description": ""}),
    Page("supervision:problem_detail", "GET", PROBLEM_READ, obj="problem"),
    Page("supervision:rectification_report", "POST", PROBLEM_REPORT, obj="problem"),
    Page("supervision:rectification_close", "POST", PROBLEM_DECIDE, obj="reported_problem"),
    Page(
        "supervision:rectification_return",
        "POST",
        PROBLEM_DECIDE,
        obj="reported_problem",
        data={"note": "矩阵退回"},
    ),
    Page("supervision:rectification_report_file", "GET", PROBLEM_READ, obj="rect_report"),
    Page("supervision:problem_group_lists", "GET", PROBLEM_READ, obj="group"),
    Page("supervision:problem_group_lists_xlsx", "GET", PROBLEM_READ, obj="group"),
    Page("supervision:problem_group_lists_docx", "GET", PROBLEM_READ, obj="group"),
]


# --- objects for the API's score sheets and rectifications ---------------------------------


def _score_sheet(world, rel):
    """A submitted sheet for the relation's visit; in "own" the `observer` user's."""
    from django.utils import timezone

    from zhongxinzu.supervision.models import ScoreSheet, ScoreTemplate

    visit = _visit(world, rel)
    observer = _observer_expert(world) if rel == "own" else _team_member(world, rel).expert
    return ScoreSheet.objects.get_or_create(
        visit=visit,
        observer=observer,
        defaults={
            "template": ScoreTemplate.objects.filter(owner_unit__isnull=True).first(),
            "total": 90,
            "grade": "好",
            "submitted_at": timezone.now(),
        },
    )[0]


OBJECTS.update(
    {
        "score_sheet": _score_sheet,
        "rectification": lambda w, rel: _problem(w, rel).rectification,
        "reported_rectification": lambda w, rel: _reported_problem(w, rel).rectification,
    }
)
