"""Reads of outputs (学习成果) and conversions (成果转化), for pages, compliance, reminders and
the annual report. The count functions answer with one aggregate query whatever the number
of groups; `groups` may be a queryset (used as a subquery, never loaded), objects or ids."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from zhongxinzu.org import access
from zhongxinzu.org.models import StudyGroup
from zhongxinzu.outputs.models import Conversion, Output

# Outputs handed in (everything but an unsent draft) are what the rules count.
COUNTED = ~Q(status=Output.Status.DRAFT)
OUTPUT_KINDS = tuple(Output.Kind.values)
CONVERSION_KINDS = tuple(Conversion.Kind.values)


def outputs_visible(user) -> QuerySet[Output]:
    """Members see their own outputs; the group's secretary and leaders see the group's;
    supervisors see every group of their subtrees (read only)."""
    return access.by_group_or_own(user, Output.objects.all(), "group", "author")


def conversions_visible(user) -> QuerySet[Conversion]:
    return Conversion.objects.filter(output__in=outputs_visible(user))


# --- counts ----------------------------------------------------------------------------


def empty_output_counts() -> dict[str, int]:
    """Zero for every kind, plus "total" and "written" (articles and research reports, the
    kinds the outputs_per_member rule counts)."""
    return dict.fromkeys((*OUTPUT_KINDS, "total", "written"), 0)


def _fold(rows) -> defaultdict[int, dict[str, int]]:
    counts: defaultdict[int, dict[str, int]] = defaultdict(empty_output_counts)
    for key, kind, n in rows:
        c = counts[key]
        c[kind] += n
        c["total"] += n
        if kind in Output.WRITTEN_KINDS:
            c["written"] += n
    return counts


def output_counts(groups, year: int) -> defaultdict[int, dict[str, int]]:
    """{group_id: {kind: n, ..., "total": n, "written": n}} of the outputs handed in for
    `year` (one query). A group without outputs reads as all zeros (a defaultdict)."""
    rows = (
        Output.objects.filter(COUNTED, group__in=groups, year=year)
        .order_by()
        .values_list("group_id", "kind")
        .annotate(n=Count("pk"))
    )
    return _fold(rows)


def member_output_counts(group: StudyGroup, year: int) -> defaultdict[int, dict[str, int]]:
    """{person_id: {kind: n, ..., "total": n, "written": n}} of the outputs each author
    handed in to `group` for `year` (one query); authors without outputs read as zeros."""
    rows = (
        Output.objects.filter(COUNTED, group=group, year=year)
        .order_by()
        .values_list("author_id", "kind")
        .annotate(n=Count("pk"))
    )
    return _fold(rows)


def empty_conversion_counts() -> dict[str, int]:
    return dict.fromkeys((*CONVERSION_KINDS, "total"), 0)


def conversion_counts(groups, year: int) -> defaultdict[int, dict[str, int]]:
    """{group_id: {"policy": n, "measure": n, "solved": n, "total": n}} of the conversions
    dated in `year` (one query)."""
    rows = (
        Conversion.objects.filter(output__group__in=groups, issued_on__year=year)
        .order_by()
        .values_list("output__group_id", "kind")
        .annotate(n=Count("pk"))
    )
    counts: defaultdict[int, dict[str, int]] = defaultdict(empty_conversion_counts)
    for group_id, kind, n in rows:
        counts[group_id][kind] += n
        counts[group_id]["total"] += n
    return counts


# --- speech-draft review ---------------------------------------------------------------


def speech_review_state(output: Output, *, required: bool = True, now=None) -> str | None:
    """For a speech draft tied to a session: "ok" (approved before the session), "pending"
    (not approved yet, session still ahead) or "late" (the session started before the
    leader approved it). None when nothing is due (`required` = the rule
    speech_review_before_session)."""
    if not required or not output.is_speech or output.session_id is None:
        return None
    if output.status == Output.Status.DRAFT:
        return None
    now = now or timezone.now()
    starts = output.session.starts_at
    approved = output.status == Output.Status.APPROVED
    if approved and output.reviewed_at is not None and output.reviewed_at <= starts:
        return "ok"
    return "late" if now >= starts else "pending"


def speech_drafts_unreviewed(groups, *, before: dt.datetime | None = None) -> QuerySet[Output]:
    """Speech drafts waiting for the leader's review, optionally only those whose session
    starts before `before` (for reminders)."""
    qs = Output.objects.filter(
        group__in=groups, kind=Output.Kind.SPEECH_DRAFT, status=Output.Status.SUBMITTED
    )
    if before is not None:
        qs = qs.filter(session__starts_at__lt=before)
    return qs
