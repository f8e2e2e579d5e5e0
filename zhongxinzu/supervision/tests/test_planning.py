"""Visit planning as pure functions: coverage, conflicts, balance, cross-observation."""

import datetime as dt
import time
from collections import Counter

from zhongxinzu.lib.workdays import is_workday
from zhongxinzu.supervision import planning
from zhongxinzu.supervision.planning import GroupSlot, TeamSlot

START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


def city(n_groups: int, n_teams: int, *, members: int = 3):
    """`n_groups` groups (unit id = group id + 1000); every team has `members` experts
    working in some of those units, so every team has groups it must not visit. Every
    other group has two sessions scheduled."""
    groups = []
    for g in range(n_groups):
        sessions = ()
        if g % 2 == 0:
            sessions = ((10_000 + g, dt.date(2026, 3, 3)), (20_000 + g, dt.date(2026, 9, 8)))
        groups.append(GroupSlot(group_id=g, unit_id=1000 + g, parent_path="R", sessions=sessions))
    teams = [
        TeamSlot(
            team_id=t,
            conflict_unit_ids=frozenset(1000 + (t * 7 + k * 13) % n_groups for k in range(members)),
        )
        for t in range(n_teams)
    ]
    return groups, teams


def check(groups, teams, proposal, visits_per_group=1):
    units = {g.group_id: g.unit_id for g in groups}
    conflicts = {t.team_id: t.conflict_unit_ids for t in teams}
    visited = Counter(v.group_id for v in proposal.visits)
    assert all(visited[g.group_id] == visits_per_group for g in groups), "coverage"
    assert not any(units[v.group_id] in conflicts[v.team_id] for v in proposal.visits)
    loads = planning.team_loads(proposal.visits)
    counts = [loads.get(t.team_id, 0) for t in teams]
    return counts


def test_seed_001_case_115_groups_24_teams_covers_balances_and_avoids_conflicts():
    groups, teams = city(115, 24)
    began = time.perf_counter()
    proposal = planning.propose_team_visits(groups, teams, period_start=START, period_end=END)
    assert time.perf_counter() - began < 2
    assert proposal.uncovered == []
    counts = check(groups, teams, proposal)
    assert max(counts) - min(counts) <= 1
    assert sum(counts) == 115


def test_visits_attach_to_scheduled_sessions_else_a_working_day_in_the_period():
    groups, teams = city(20, 4)
    proposal = planning.propose_team_visits(groups, teams, period_start=START, period_end=END)
    by_group = {v.group_id: v for v in proposal.visits}
    for g in groups:
        v = by_group[g.group_id]
        if g.sessions:
            assert (v.session_id, v.planned_on) == g.sessions[0]
        else:
            assert v.session_id is None
            assert START <= v.planned_on <= END and is_workday(v.planned_on)
    planned = [v.planned_on for v in proposal.visits if v.session_id is None]
    assert len(set(planned)) > 1, "planned dates are spread over the period"


def test_twice_a_year_uses_two_sessions_and_two_different_teams():
    groups, teams = city(10, 5)
    proposal = planning.propose_team_visits(
        groups, teams, period_start=START, period_end=END, visits_per_group=2
    )
    counts = check(groups, teams, proposal, visits_per_group=2)
    assert max(counts) - min(counts) <= 1
    for g in groups:
        mine = [v for v in proposal.visits if v.group_id == g.group_id]
        assert len({v.team_id for v in mine}) == 2
        if g.sessions:
            assert {v.session_id for v in mine} == {s for s, _ in g.sessions}


def test_group_every_team_must_avoid_is_reported_with_the_reason():
    groups = [GroupSlot(group_id=i, unit_id=100 + i) for i in range(5)]
    teams = [TeamSlot(team_id=t, conflict_unit_ids=frozenset({100})) for t in range(3)]
    proposal = planning.propose_team_visits(groups, teams, period_start=START, period_end=END)
    assert proposal.uncovered == [{"group": 0, "reason": planning.REASON_CONFLICT}]
    assert {v.group_id for v in proposal.visits} == {1, 2, 3, 4}


def test_no_teams_reports_every_group():
    groups = [GroupSlot(group_id=i, unit_id=100 + i) for i in range(2)]
    proposal = planning.propose_team_visits(groups, [], period_start=START, period_end=END)
    assert [u["reason"] for u in proposal.uncovered] == [planning.REASON_NO_TEAMS] * 2


def test_constrained_groups_go_first_so_loads_stay_balanced():
    # Team 0 may not visit units 100-103; a naive greedy in tree order would overload team 1.
    groups = [GroupSlot(group_id=i, unit_id=100 + i) for i in range(8)]
    teams = [
        TeamSlot(team_id=0, conflict_unit_ids=frozenset({100, 101, 102, 103})),
        TeamSlot(team_id=1),
    ]
    proposal = planning.propose_team_visits(groups, teams, period_start=START, period_end=END)
    counts = check(groups, teams, proposal)
    assert counts == [4, 4]


def test_planning_is_deterministic():
    groups, teams = city(40, 6)
    a = planning.propose_team_visits(groups, teams, period_start=START, period_end=END)
    groups, teams = city(40, 6)
    b = planning.propose_team_visits(groups, teams, period_start=START, period_end=END)
    assert a.visits == b.visits


def _family(parent: str, ids):
    return [GroupSlot(group_id=i, unit_id=100 + i, parent_path=parent) for i in ids]


def test_cross_mode_pairs_siblings_and_avoids_recent_pairs():
    groups = _family("A", range(5)) + _family("B", range(10, 14))
    used = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 0), (10, 11)]  # last year's ring in A
    proposal = planning.propose_cross_visits(
        groups, period_start=START, period_end=END, used_pairs=used
    )
    assert proposal.uncovered == []
    assert Counter(v.group_id for v in proposal.visits) == Counter(g.group_id for g in groups)
    assert Counter(v.observer_group_id for v in proposal.visits) == Counter(
        g.group_id for g in groups
    )
    recent = {planning.pair_key(a, b) for a, b in used}
    for v in proposal.visits:
        assert v.group_id != v.observer_group_id
        assert v.group_id // 10 == v.observer_group_id // 10, "peers of the same parent"
        assert planning.pair_key(v.group_id, v.observer_group_id) not in recent


def test_cross_mode_explains_groups_without_a_fresh_pair():
    groups = _family("A", [1]) + _family("B", [2, 3]) + _family("C", [4, 5])
    proposal = planning.propose_cross_visits(
        groups, period_start=START, period_end=END, used_pairs=[(3, 2)]
    )
    reasons = {u["group"]: u["reason"] for u in proposal.uncovered}
    assert reasons == {
        1: planning.REASON_NO_SIBLINGS,
        2: planning.REASON_PAIRS_USED,
        3: planning.REASON_PAIRS_USED,
    }
    assert {(v.group_id, v.observer_group_id) for v in proposal.visits} == {(4, 5), (5, 4)}


def test_cross_mode_second_round_uses_a_new_pair():
    groups = _family("A", range(4))
    proposal = planning.propose_cross_visits(
        groups, period_start=START, period_end=END, visits_per_group=2
    )
    hosts = Counter(v.group_id for v in proposal.visits)
    assert hosts == {0: 2, 1: 2, 2: 2, 3: 2}
    for host in range(4):
        observers = [v.observer_group_id for v in proposal.visits if v.group_id == host]
        assert len(set(observers)) == 2
