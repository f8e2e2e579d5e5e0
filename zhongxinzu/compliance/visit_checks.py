"""Observation-visit deadlines (列席旁听) in the compliance engine and for supervisors.

- The host group's deadline — the plan, materials and speech drafts sent to the team
  `observation_materials_working_days` working days before the visit (materials_due, set
  when the visit is planned) — is the group's check "visit_materials": one row per visit of
  a published plan planned in the period, judged like the other deadlines (on time, late,
  overdue, due soon).
- The summary is the observation team's deadline, not the group's: it is not counted in the
  group's verdicts; `late_summaries` lists the overdue ones for the supervisors' overview.

Both read in one query whatever the number of groups.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Count, Q, Window

from zhongxinzu.compliance.engine import (
    GroupData,
    GroupResult,
    Period,
    _add_deadline_check,
    _deadline_state,
)
from zhongxinzu.org import access
from zhongxinzu.org.models import Unit
from zhongxinzu.supervision.models import ObservationVisit, VisitPlan

PUBLISHED = Q(plan__isnull=True) | Q(plan__status=VisitPlan.Status.PUBLISHED)
LATE_SUMMARIES_SHOWN = 5


def load_visits(data: dict[int, GroupData], ids: list[int], period: Period) -> None:
    """The visits of published plans to the groups `ids` planned in `period` (one query)."""
    rows = (
        ObservationVisit.objects.filter(
            PUBLISHED,
            group_id__in=ids,
            planned_on__gte=period.start,
            planned_on__lte=period.end,
            materials_due__isnull=False,
        )
        .order_by("planned_on", "pk")
        .values(
            "pk",
            "group_id",
            "planned_on",
            "stage",
            "materials_due",
            "materials_sent_at",
            "team__name",
            "observer_group__name",
        )
    )
    for row in rows:
        data[row["group_id"]].visits.append(row)


def judge_visit_materials(r: GroupResult, add) -> None:
    """Materials sent to the observation team by each visit's materials_due."""
    days = r.book["observation_materials_working_days"]
    states = []
    for v in r.data.visits:
        v["state"] = _deadline_state(
            v["materials_sent_at"], v["materials_due"], r.as_of, "visit_materials"
        )
        states.append(v["state"])
    _add_deadline_check(add, "visit_materials", states, f"旁听前{days}个工作日报送", "次旁听")


def observers_of(visit: dict) -> str:
    return visit.get("team__name") or visit.get("observer_group__name") or "—"


# --- for the supervisors: summaries the teams owe ---------------------------------------------


@dataclass(frozen=True)
class LateSummary:
    visit_id: int
    group: str
    observers: str
    planned_on: dt.date
    summary_due: dt.date


class LateSummaries(NamedTuple):
    total: int
    shown: list[LateSummary]  # the first LATE_SUMMARIES_SHOWN, by due date


def late_summaries(root: Unit, year: int, as_of: dt.date) -> LateSummaries:
    """Visits to groups of `root`'s subtree planned in `year` whose team has not submitted the
    summary by summary_due. One query: the total comes with the rows as a window count."""
    rows = list(
        ObservationVisit.objects.filter(
            PUBLISHED,
            access.subtree_q([root], "group__unit__"),
            planned_on__year=year,
            summary_submitted_at__isnull=True,
            summary_due__lt=as_of,
        )
        .annotate(total=Window(Count("pk")))
        .order_by("summary_due", "pk")
        .values_list(
            "pk",
            "group__name",
            "team__name",
            "observer_group__name",
            "planned_on",
            "summary_due",
            "total",
        )[:LATE_SUMMARIES_SHOWN]
    )
    shown = [
        LateSummary(pk, group, team or peer or "—", planned_on, due)
        for pk, group, team, peer, planned_on, due, _ in rows
    ]
    return LateSummaries(rows[0][-1] if rows else 0, shown)
