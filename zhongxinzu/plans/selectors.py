"""Reads of prompts, first items and plans, for pages, compliance, reminders and reports.

The `*_status` functions take groups (a queryset or a list) and answer with one aggregate
query whatever their number, so a subtree overview costs the same for 5 or 5,000 groups.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from zhongxinzu.org import access
from zhongxinzu.org.models import StudyGroup, Unit
from zhongxinzu.org.selectors import ancestor_paths
from zhongxinzu.plans.models import FirstItem, Prompt, PromptAck, YearPlan
from zhongxinzu.rules.services import RuleBook, month_day

# Sessions in these states count as having happened (meetings.StudySession.Status values).
HELD_STATES = ("held", "recorded")


# --- visibility ------------------------------------------------------------------------


def prompts_visible(user) -> QuerySet[Prompt]:
    """Issued prompts of the issuer units above the user's groups, and every prompt (drafts
    too) issued within the subtrees the user supervises."""
    p = access.principal_of(user)
    drafts_ok = access.subtree_q(p.supervised, "issuer_unit__")
    return Prompt.objects.filter(access.issuer_scope_q(user, "issuer_unit")).filter(
        Q(status=Prompt.Status.ISSUED) | drafts_ok
    )


def first_items_visible(user) -> QuerySet[FirstItem]:
    """The pool of every unit above the user's groups, and of every unit they supervise."""
    return FirstItem.objects.filter(access.issuer_scope_q(user, "owner_unit"))


def plans_visible(user) -> QuerySet[YearPlan]:
    return access.by_group(user, YearPlan.objects.all())


# --- prompts ---------------------------------------------------------------------------


def prompts_for_group(group: StudyGroup, *, year: int | None = None) -> QuerySet[Prompt]:
    """Issued prompts addressed to `group` (issued by its unit or any unit above it)."""
    qs = Prompt.objects.filter(
        status=Prompt.Status.ISSUED, issuer_unit__path__in=ancestor_paths(group.unit)
    )
    return qs.filter(year=year) if year is not None else qs


def prompt_ack_deadline(prompt: Prompt, rules: RuleBook) -> dt.date | None:
    """The last day to acknowledge `prompt` under `rules` (the group's rule book)."""
    if prompt.issued_at is None:
        return None
    issued = timezone.localtime(prompt.issued_at).date()
    return issued + dt.timedelta(days=int(rules["prompt_ack_days"]))


def prompt_ack_status(groups, prompts) -> dict[tuple[int, int], dt.datetime]:
    """{(group_id, prompt_id): acknowledged_at} for the pairs acknowledged (one query).
    A pair missing from the answer has not been acknowledged."""
    rows = PromptAck.objects.filter(group__in=groups, prompt__in=prompts).values_list(
        "group_id", "prompt_id", "acknowledged_at"
    )
    return {(g, p): at for g, p, at in rows}


@dataclass
class AckRow:
    group: StudyGroup
    acknowledged_at: dt.datetime | None
    acknowledged_by: str
    deadline: dt.date | None

    @property
    def state(self) -> str:
        """ "on_time", "late" (acknowledged after the deadline), "overdue" or "pending"."""
        if self.acknowledged_at is not None:
            done = timezone.localtime(self.acknowledged_at).date()
            return "late" if self.deadline and done > self.deadline else "on_time"
        if self.deadline and timezone.localdate() > self.deadline:
            return "overdue"
        return "pending"


def prompt_ack_rows(prompt: Prompt, groups: list[StudyGroup], books: dict) -> list[AckRow]:
    """One row per group of a page, with its acknowledgement (one query)."""
    acks = {
        a.group_id: a
        for a in PromptAck.objects.filter(prompt=prompt, group__in=groups).select_related(
            "acknowledged_by"
        )
    }
    rows = []
    for g in groups:
        ack = acks.get(g.pk)
        by = ack.acknowledged_by if ack else None
        rows.append(
            AckRow(
                group=g,
                acknowledged_at=ack.acknowledged_at if ack else None,
                acknowledged_by=(by.get_full_name() or by.get_username()) if by else "",
                deadline=prompt_ack_deadline(prompt, books[g.unit_id]),
            )
        )
    return rows


def acked_q(prompt: Prompt) -> Exists:
    return Exists(PromptAck.objects.filter(prompt=prompt, group=OuterRef("pk")))


# --- first items -----------------------------------------------------------------------


def first_item_status(groups, items) -> dict[tuple[int, int], dt.date]:
    """{(group_id, item_id): the date the group first studied the item as a first item}, for
    the pairs studied in a session that was held or recorded (one aggregate query). A pair
    missing from the answer has not been studied. `groups` and `items` may be querysets
    (used as subqueries, never loaded), lists of objects or lists of ids."""
    from zhongxinzu.meetings.models import AgendaItem

    rows = (
        AgendaItem.objects.filter(
            first_item__in=items,
            session__group__in=groups,
            session__status__in=HELD_STATES,
        )
        .order_by()
        .values_list("session__group_id", "first_item_id")
        .annotate(first=Min("session__starts_at"))
    )
    return {(g, i): timezone.localtime(first).date() for g, i, first in rows}


def first_item_lag(item: FirstItem, studied_on: dt.date) -> int:
    """Days from release to study (0 = studied on the day of release)."""
    return (studied_on - item.released_on).days


def studied_q(item: FirstItem) -> Exists:
    from zhongxinzu.meetings.models import AgendaItem

    return Exists(
        AgendaItem.objects.filter(
            first_item=item, session__group=OuterRef("pk"), session__status__in=HELD_STATES
        )
    )


@dataclass
class StudyRow:
    group: StudyGroup
    released_on: dt.date
    studied_on: dt.date | None
    limit: int  # first_item_lag_days in force for the group

    @property
    def lag(self) -> int | None:
        return (self.studied_on - self.released_on).days if self.studied_on else None

    @property
    def days_open(self) -> int:
        return (timezone.localdate() - self.released_on).days

    @property
    def state(self) -> str:
        """ "on_time", "late" (studied after the limit), "overdue" or "pending"."""
        if self.studied_on is not None:
            return "late" if self.lag > self.limit else "on_time"
        return "overdue" if self.days_open > self.limit else "pending"


def first_item_rows(item: FirstItem, groups: list[StudyGroup], books: dict) -> list[StudyRow]:
    """One row per group of a page (one query; `books` from rulebooks_for)."""
    studied = first_item_status([g.pk for g in groups], [item.pk])
    return [
        StudyRow(
            group=g,
            released_on=item.released_on,
            studied_on=studied.get((g.pk, item.pk)),
            limit=int(books[g.unit_id]["first_item_lag_days"]),
        )
        for g in groups
    ]


def groups_below(unit: Unit, user) -> QuerySet[StudyGroup]:
    """The active groups in `unit`'s subtree that `user` may see, in tree order."""
    return (
        access.scoped_groups(user)
        .filter(access.subtree_q([unit], "unit__"), is_active=True)
        .select_related("unit")
        .order_by("unit__path")
    )


# --- plans -----------------------------------------------------------------------------


def plan_due_date(rules: RuleBook, year: int) -> dt.date:
    """The filing deadline of the `year` plan: the rule "plan_due" ("MM-DD") in that year."""
    return month_day(rules["plan_due"], year)


@dataclass
class Filing:
    group: StudyGroup
    plan: YearPlan | None
    due: dt.date

    @property
    def filed_on(self) -> dt.date | None:
        if self.plan is None or self.plan.filed_at is None:
            return None
        return timezone.localtime(self.plan.filed_at).date()

    @property
    def state(self) -> str:
        """ "on_time", "late", "missing" (deadline passed, not filed) or "pending"."""
        if self.filed_on is not None:
            return "late" if self.filed_on > self.due else "on_time"
        return "missing" if timezone.localdate() > self.due else "pending"

    @property
    def reopened(self) -> bool:
        """Filed once, then reopened for changes and not filed again yet."""
        return self.filed_on is not None and self.plan.status != YearPlan.Status.FILED


def plan_filing(groups: Iterable[StudyGroup], year: int, books: dict) -> list[Filing]:
    """The filing of each group's `year` plan (one query; `books` from rulebooks_for)."""
    groups = list(groups)
    plans = {p.group_id: p for p in YearPlan.objects.filter(group__in=groups, year=year)}
    return [
        Filing(group=g, plan=plans.get(g.pk), due=plan_due_date(books[g.unit_id], year))
        for g in groups
    ]


def filed_q(year: int) -> Exists:
    return Exists(YearPlan.objects.filter(group=OuterRef("pk"), year=year, filed_at__isnull=False))
