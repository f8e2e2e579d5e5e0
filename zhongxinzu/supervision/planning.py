"""Observation visit planning as pure functions: plain records in, a proposal out.

Two modes (VisitPlan.Mode):

- teams: every group gets `visits_per_group` visits from the supervising unit's teams. A
  team never visits a group whose unit is the home unit of one of its members. Groups are
  taken most-constrained first (fewest eligible teams), each given the eligible team with
  the lowest load (ties: no visit that day, then the team's sort key), so loads stay within
  one of each other wherever the conflicts allow. Cost O(groups × teams) with set lookups.
- cross (结对子): groups of sibling units observe each other in a ring (host i is observed
  by sibling i + shift); the shift is chosen to avoid unordered pairs used in recent
  published cross plans (and in earlier rounds of this plan).

Each visit is attached to a session the host group has scheduled in the period when there
is one (sessions spread over the rounds), else to a planned working day spread over the
period. Groups that could not be covered come back with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from zhongxinzu.lib.workdays import is_workday


@dataclass(frozen=True)
class GroupSlot:
    """A group to be visited: its unit, its unit's parent path (siblings share it) and the
    sessions it has scheduled in the period as (session id, date), in date order."""

    group_id: int
    unit_id: int
    parent_path: str = ""
    sessions: tuple[tuple[int, dt.date], ...] = ()


@dataclass
class TeamSlot:
    """A team: the units its members work in (never visited by it) and its current load."""

    team_id: int
    conflict_unit_ids: frozenset[int] = frozenset()
    load: int = 0
    busy: set[dt.date] = field(default_factory=set)


@dataclass(frozen=True)
class ProposedVisit:
    group_id: int
    planned_on: dt.date
    session_id: int | None = None
    team_id: int | None = None
    observer_group_id: int | None = None


@dataclass
class Proposal:
    visits: list[ProposedVisit] = field(default_factory=list)
    # [{"group": id, "reason": "..."}], the shape of VisitPlan.uncovered
    uncovered: list[dict] = field(default_factory=list)


# --- dates -------------------------------------------------------------------------------


def spread_date(start: dt.date, end: dt.date, index: int, count: int) -> dt.date:
    """The `index`-th of `count` dates spread evenly over [start, end], moved to a working
    day (forward, or backward at the end of the period)."""
    span = (end - start).days
    day = start + dt.timedelta(days=(span * (2 * index + 1)) // (2 * max(count, 1)))
    forward = day
    while forward <= end:
        if is_workday(forward):
            return forward
        forward += dt.timedelta(days=1)
    backward = day
    while backward >= start:
        if is_workday(backward):
            return backward
        backward -= dt.timedelta(days=1)
    return day


def _slot_date(
    group: GroupSlot, round_no: int, rounds: int, fallback: Callable[[], dt.date]
) -> tuple[int | None, dt.date]:
    """Round `round_no` of `rounds` uses the session at the matching share of the group's
    scheduled sessions; with fewer sessions than rounds the later rounds get planned dates."""
    n = len(group.sessions)
    if n >= rounds:
        return group.sessions[(round_no * n) // rounds]
    if round_no < n:
        return group.sessions[round_no]
    return None, fallback()


# --- teams -------------------------------------------------------------------------------

REASON_NO_TEAMS = "本年度没有启用的旁听组"
REASON_CONFLICT = "所有旁听组均有成员在该单位工作，需回避"
REASON_NO_SIBLINGS = "没有可结对的同级单位中心组"
REASON_PAIRS_USED = "同级单位间可结对的组合在近期计划中均已使用"


def propose_team_visits(
    groups: Sequence[GroupSlot],
    teams: Sequence[TeamSlot],
    *,
    period_start: dt.date,
    period_end: dt.date,
    visits_per_group: int = 1,
) -> Proposal:
    """Visits by teams so that every group is visited `visits_per_group` times, conflict-free
    and with balanced loads. `teams` carry their starting loads (mutated)."""
    proposal = Proposal()
    rounds = max(1, visits_per_group)
    if not teams:
        proposal.uncovered = [{"group": g.group_id, "reason": REASON_NO_TEAMS} for g in groups]
        return proposal
    eligible: dict[int, list[TeamSlot]] = {}
    for g in groups:
        eligible[g.group_id] = [t for t in teams if g.unit_id not in t.conflict_unit_ids]
    # Most-constrained groups first; the input order (the tree order) breaks ties.
    position = {g.group_id: i for i, g in enumerate(groups)}
    ordered = sorted(groups, key=lambda g: (len(eligible[g.group_id]), position[g.group_id]))
    team_order = {t.team_id: i for i, t in enumerate(teams)}
    total = len(groups) * rounds
    for g in ordered:
        options = eligible[g.group_id]
        if not options:
            proposal.uncovered.append({"group": g.group_id, "reason": REASON_CONFLICT})
            continue
        used: set[int] = set()
        for r in range(rounds):
            idx = r * len(groups) + position[g.group_id]
            session_id, day = _slot_date(
                g,
                r,
                rounds,
                lambda idx=idx: spread_date(period_start, period_end, idx, total),
            )
            # A different team each round where there is one.
            fresh = [t for t in options if t.team_id not in used] or options
            best = min(fresh, key=lambda t: (t.load, day in t.busy, team_order[t.team_id]))
            best.load += 1
            best.busy.add(day)
            used.add(best.team_id)
            proposal.visits.append(
                ProposedVisit(
                    group_id=g.group_id, planned_on=day, session_id=session_id, team_id=best.team_id
                )
            )
    proposal.visits.sort(key=lambda v: (v.planned_on, position[v.group_id]))
    return proposal


# --- cross-observation -----------------------------------------------------------------------


def pair_key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def propose_cross_visits(
    groups: Sequence[GroupSlot],
    *,
    period_start: dt.date,
    period_end: dt.date,
    used_pairs: Iterable[tuple[int, int]] = (),
    visits_per_group: int = 1,
) -> Proposal:
    """Sibling groups observe each other in rings; each round takes the ring shift with no
    unordered pair from `used_pairs` (recent plans) or from earlier rounds. A group whose
    siblings offer no fresh pair is reported, not paired again."""
    proposal = Proposal()
    used = {pair_key(a, b) for a, b in used_pairs}
    rounds = max(1, visits_per_group)
    families: dict[str, list[GroupSlot]] = defaultdict(list)
    for g in groups:
        families[g.parent_path].append(g)
    position = {g.group_id: i for i, g in enumerate(groups)}
    total = len(groups) * rounds
    for family in families.values():
        n = len(family)
        if n < 2:
            for g in family:
                proposal.uncovered.append({"group": g.group_id, "reason": REASON_NO_SIBLINGS})
            continue
        missing: set[int] = set()
        for r in range(rounds):
            # Host i is observed by sibling (i + shift) mod n; shifts s and n - s give the
            # same unordered pairs, so try each and keep the one with the fewest repeats.
            best_shift, best_repeats = 1, None
            for shift in range(1, n):
                repeats = sum(
                    pair_key(family[i].group_id, family[(i + shift) % n].group_id) in used
                    for i in range(n)
                )
                if best_repeats is None or repeats < best_repeats:
                    best_shift, best_repeats = shift, repeats
                if repeats == 0:
                    break
            pairs_now = []
            for i, host in enumerate(family):
                observer = family[(i + best_shift) % n]
                key = pair_key(host.group_id, observer.group_id)
                if key in used:
                    missing.add(host.group_id)
                    continue
                idx = r * len(groups) + position[host.group_id]
                session_id, day = _slot_date(
                    host,
                    r,
                    rounds,
                    lambda idx=idx: spread_date(period_start, period_end, idx, total),
                )
                proposal.visits.append(
                    ProposedVisit(
                        group_id=host.group_id,
                        planned_on=day,
                        session_id=session_id,
                        observer_group_id=observer.group_id,
                    )
                )
                pairs_now.append(key)
            used.update(pairs_now)
        for g in family:
            if g.group_id in missing:
                proposal.uncovered.append({"group": g.group_id, "reason": REASON_PAIRS_USED})
    proposal.visits.sort(key=lambda v: (v.planned_on, position[v.group_id]))
    proposal.uncovered.sort(key=lambda u: position[u["group"]])
    return proposal


# --- checks (used by the tests and by the plan page) ----------------------------------------


def team_loads(visits: Iterable[ProposedVisit]) -> dict[int, int]:
    loads: dict[int, int] = defaultdict(int)
    for v in visits:
        if v.team_id is not None:
            loads[v.team_id] += 1
    return dict(loads)
