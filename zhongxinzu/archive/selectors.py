"""Reads of the archive: the three registers of a group with what is missing, and the
subtree's groups with their completeness."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.compliance.archive_checks import (
    DISCUSSION,
    MINUTED,
    REGISTER_STATUS_LABELS,
    RegisterCounts,
    held_sessions_q,
    members_q,
    notes_q,
    register_counts,
)
from zhongxinzu.compliance.engine import Period
from zhongxinzu.meetings.models import Attendance, StudySession
from zhongxinzu.org import access
from zhongxinzu.org.models import Membership, StudyGroup, Unit
from zhongxinzu.outputs.models import Output


@dataclass
class Register:
    key: str
    name: str
    status: str
    done: int
    due: int
    noun: str
    missing: list[dict] = field(default_factory=list)  # {"label", "url"}

    @property
    def status_label(self) -> str:
        return REGISTER_STATUS_LABELS[self.status]

    @property
    def ok(self) -> bool:
        return self.status in ("complete", "not_due")


@dataclass
class ArchiveStatus:
    group: StudyGroup
    year: int
    as_of: dt.date
    counts: RegisterCounts
    registers: list[Register]

    @property
    def complete(self) -> bool:
        return self.counts.complete


def _session_link(pk: int, title: str, starts) -> dict:
    return {
        "label": f"{timezone.localtime(starts):%Y-%m-%d} {title}",
        "url": reverse("meetings:session_detail", args=[pk]),
    }


def archive_status(group: StudyGroup, year: int, *, as_of: dt.date | None = None) -> ArchiveStatus:
    """The group's three registers for `year` with the records each one lacks (five queries)."""
    as_of = as_of or timezone.localdate()
    period = Period.year(year)
    counts = register_counts([group.pk], period, as_of)[group.pk]
    held = StudySession.objects.filter(held_sessions_q(period, as_of), group=group).order_by(
        "starts_at", "pk"
    )
    unsigned = [
        _session_link(pk, title, starts)
        for pk, title, starts in held.exclude(
            Exists(Attendance.objects.filter(session=OuterRef("pk")))
        ).values_list("pk", "title", "starts_at")
    ]
    unminuted = [
        _session_link(pk, title, starts)
        for pk, title, starts in held.filter(DISCUSSION)
        .exclude(MINUTED)
        .values_list("pk", "title", "starts_at")
    ]
    has_note = Exists(
        Output.objects.filter(notes_q(period), group_id=group.pk, author_id=OuterRef("person_id"))
    )
    no_notes = [
        {"label": name, "url": reverse("org:person_detail", args=[pid])}
        for pid, name in Membership.objects.filter(members_q(period), group=group)
        .exclude(has_note)
        .order_by("role_rank", "person__rank_order", "person_id")
        .values_list("person_id", "person__name")
        .distinct()
    ]
    registers = [
        Register(
            "sign_in", "签到簿", counts.sign_in, counts.signed, counts.held, "次学习", unsigned
        ),
        Register(
            "discussion",
            "研讨记录簿",
            counts.discussion,
            counts.minuted,
            counts.discussions,
            "次集中研讨",
            unminuted,
        ),
        Register(
            "self_study",
            "自学笔记",
            counts.self_study,
            counts.noted,
            counts.members,
            "名成员",
            no_notes,
        ),
    ]
    return ArchiveStatus(group, year, as_of, counts, registers)


def subtree_groups(root: Unit, q: str = "") -> QuerySet[StudyGroup]:
    groups = StudyGroup.objects.filter(
        access.subtree_q([root], "unit__"), is_active=True
    ).select_related("unit")
    if q:
        groups = groups.filter(Q(name__icontains=q) | Q(unit__name__icontains=q))
    return groups.order_by("unit__path")


def subtree_completeness(
    groups: list[StudyGroup], year: int, *, as_of: dt.date | None = None
) -> dict[int, RegisterCounts]:
    return register_counts([g.pk for g in groups], Period.year(year), as_of or timezone.localdate())
