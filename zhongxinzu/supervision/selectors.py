"""Scoped reads and permission checks for the expert pool, teams, visit plans and visits,
and the visit deadlines that compliance and reminders can reuse.

Who sees a visit:
- supervisors: every visit to a group of their subtree, draft plans included;
- the team's observers (an expert record linked to their account, observer role): the
  visits of their teams, once the plan is published;
- the host group's secretary and leaders: the visits to their group once published. They
  see the schedule, the deadlines and whether materials were sent; the team's internal
  notes (checklist, on-site comments, interview notes) stay with the team and the
  supervisors, and the summary is shown to the host only once the feedback is sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from zhongxinzu.org import access
from zhongxinzu.org.models import StudyGroup
from zhongxinzu.supervision.models import (
    Expert,
    ObservationTeam,
    ObservationVisit,
    TeamMember,
    VisitPlan,
)

# The team's pre-visit checklist (会前对接审核), DOMAIN.md §4.
CHECKLIST_ITEMS = [
    ("plan", "学习方案（时间、地点、议程）"),
    ("first_item", "第一议题安排"),
    ("materials", "学习材料"),
    ("speeches", "研讨发言材料（分题到人）"),
    ("lead_reading", "领学安排"),
    ("roster", "应到人员名单"),
]
STAGE_ORDER = [s.value for s in ObservationVisit.Stage]


# --- scope -------------------------------------------------------------------------------


def experts_visible(user) -> QuerySet[Expert]:
    return access.owned_in_subtree(user, Expert.objects.all())


def teams_visible(user) -> QuerySet[ObservationTeam]:
    return access.owned_in_subtree(user, ObservationTeam.objects.all())


def plans_visible(user) -> QuerySet[VisitPlan]:
    return access.owned_in_subtree(user, VisitPlan.objects.all())


def _published() -> Q:
    return Q(plan__isnull=True) | Q(plan__status=VisitPlan.Status.PUBLISHED)


def visits_visible(user) -> QuerySet[ObservationVisit]:
    """Every visit the user may open (see the module docstring)."""
    p = access.principal_of(user)
    q = access.subtree_q(p.supervised, "group__unit__")
    if p.is_observer:
        q |= Q(pk__in=access.observer_visit_ids(user)) & _published()
    staff = p.staff_group_ids()
    if staff:
        q |= Q(group_id__in=staff) & _published()
    return ObservationVisit.objects.filter(q)


def supervises_group(user, group: StudyGroup) -> bool:
    return access.supervises(user, group.unit)


def is_team_member(user, visit: ObservationVisit) -> bool:
    if visit.team_id is None or not access.principal_of(user).is_observer:
        return False
    return TeamMember.objects.filter(team_id=visit.team_id, expert__user=user).exists()


def can_write_team_notes(user, visit: ObservationVisit) -> bool:
    """Checklist, on-site comments, interview notes and summary: the team and supervisors."""
    return supervises_group(user, visit.group) or is_team_member(user, visit)


def can_send_materials(user, visit: ObservationVisit) -> bool:
    return access.can_record_for_group(user, visit.group_id)


def can_see_team_notes(user, visit: ObservationVisit) -> bool:
    return can_write_team_notes(user, visit)


def can_see_summary(user, visit: ObservationVisit) -> bool:
    return can_write_team_notes(user, visit) or visit.feedback_sent_at is not None


# --- deadlines ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    stage: str  # ObservationVisit.Stage value
    label: str
    due: dt.date | None
    done: bool
    overdue: bool

    @property
    def status(self) -> str:
        if self.done:
            return "done"
        return "overdue" if self.overdue else "pending"


def visit_day(visit: ObservationVisit) -> dt.date:
    return visit.planned_on


def visit_deadlines(visits, today: dt.date) -> dict[int, list[Deadline]]:
    """Per visit, the deadline of each stage with done/overdue flags. Reads only the visits'
    own columns (materials_due and summary_due are computed when the visit is planned)."""
    out: dict[int, list[Deadline]] = {}
    for v in visits:
        day = visit_day(v)
        rows = [
            Deadline(
                "before",
                "报送方案、材料和发言稿",
                v.materials_due,
                v.materials_sent_at is not None,
                v.materials_sent_at is None
                and v.materials_due is not None
                and today > v.materials_due,
            ),
            Deadline(
                "during",
                "列席旁听、现场点评",
                day,
                bool(v.onsite_comments) or _reached(v, "during"),
                False,
            ),
            Deadline(
                "after",
                "提交旁听总结",
                v.summary_due,
                v.summary_submitted_at is not None,
                v.summary_submitted_at is None
                and v.summary_due is not None
                and today > v.summary_due,
            ),
            Deadline("feedback", "反馈意见", None, v.feedback_sent_at is not None, False),
        ]
        out[v.pk] = rows
    return out


def _reached(visit: ObservationVisit, stage: str) -> bool:
    return STAGE_ORDER.index(visit.stage) > STAGE_ORDER.index(stage)


def overdue_visits(qs: QuerySet[ObservationVisit], today: dt.date) -> QuerySet:
    """Visits of published plans with materials or the summary overdue (for reminders)."""
    return qs.filter(_published()).filter(
        Q(materials_sent_at__isnull=True, materials_due__lt=today)
        | Q(summary_submitted_at__isnull=True, summary_due__lt=today)
    )
