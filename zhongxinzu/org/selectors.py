"""Reads used by several pages, exports and the API."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, QuerySet

from zhongxinzu.org.access import active_memberships, ancestor_paths
from zhongxinzu.org.models import Membership, Person, RosterRequirement, StudyGroup, Unit


def roster(group: StudyGroup, *, on: dt.date) -> QuerySet[Membership]:
    """The group's members on `on`, in official order (role, then rank order)."""
    return (
        active_memberships(on=on)
        .filter(group=group)
        .select_related("person", "person__unit")
        .order_by("role_rank", "person__rank_order", "person_id")
    )


def requirements_for(units: list[Unit]) -> dict[int, list[RosterRequirement]]:
    """Active roster requirements applying to each unit (defined on it or an ancestor)."""
    paths = {p for u in units for p in ancestor_paths(u)}
    reqs = list(
        RosterRequirement.objects.filter(scope__path__in=paths, is_active=True).select_related(
            "scope"
        )
    )
    return {u.pk: [r for r in reqs if u.path.startswith(r.scope.path)] for u in units}


def missing_requirements(groups: list[StudyGroup], *, on: dt.date) -> dict[int, list[str]]:
    """For each group, the labels of required posts nobody on its roster holds."""
    if not groups:
        return {}
    reqs = requirements_for([g.unit for g in groups])
    # Two narrow queries instead of a join: on PostgreSQL the join scanned every person.
    rows = list(
        active_memberships(on=on)
        .filter(group__in=groups)
        .order_by()
        .values_list("group_id", "person_id")
    )
    post_of = {
        pk: (post or "", category)
        for pk, post, category in Person.objects.filter(pk__in={p for _, p in rows}).values_list(
            "pk", "post", "post_category"
        )
    }
    posts: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for group_id, person_id in rows:
        posts[group_id].append(post_of.get(person_id, ("", "")))

    def held(r, roster) -> bool:
        if r.post_category:  # the post category chosen for the person, not the post text
            return any(category == r.post_category for _, category in roster)
        # a requirement from before post categories that the migration could not map
        return any(k in post for k in r.keyword_list for post, _ in roster)

    result = {}
    for g in groups:
        result[g.pk] = [r.label for r in reqs[g.unit_id] if not held(r, posts[g.pk])]
    return result


def member_counts(groups: list[StudyGroup], *, on: dt.date) -> dict[int, int]:
    """Members on the roster on `on`, per group (one query)."""
    return dict(
        active_memberships(on=on)
        .filter(group__in=groups)
        .order_by()
        .values_list("group_id")
        .annotate(n=Count("pk"))
    )


def members_in_year(group, year: int) -> list:
    """The group's memberships at any time in `year`, one per person (the highest role),
    in official order."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    seen = {}
    for m in (
        group.memberships.filter(start_date__lte=last)
        .exclude(end_date__lt=first)
        .select_related("person")
        .order_by("role_rank", "person__rank_order", "person_id")
    ):
        seen.setdefault(m.person_id, m)
    return list(seen.values())
