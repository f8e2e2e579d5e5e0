"""The subtree statistics of the demo city equal a recount by hand-written SQL over the same
records, figure by figure and group by group; the totals equal the sum of the rows; and the
drill-down of a cell lists as many records as the cell counts."""

import datetime as dt
from collections import defaultdict

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from zhongxinzu.org.models import Unit
from zhongxinzu.stats.periods import quarter_span, year_span
from zhongxinzu.stats.selectors import FIGURES, subtree_statistics

pytestmark = pytest.mark.django_db


def _bounds(span):
    start, end = span.bounds()
    adapt = connection.ops.adapt_datetimefield_value
    return adapt(start), adapt(end)


def _sql(query: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def _per_group(query: str, params) -> dict[int, tuple]:
    return {row[0]: row[1:] for row in _sql(query, params)}


def _recount(span) -> dict[str, dict[int, float]]:
    """figure key -> group id -> numerator (and key + "/" -> denominator), by plain SQL."""
    start, end = _bounds(span)
    out: dict[str, dict[int, float]] = defaultdict(dict)
    done = "s.status IN ('held', 'recorded') AND s.starts_at >= %s AND s.starts_at < %s"
    for gid, kind, n in _sql(
        f"SELECT s.group_id, s.kind, COUNT(*) FROM meetings_studysession s WHERE {done} "
        "GROUP BY s.group_id, s.kind",
        [start, end],
    ):
        out[f"kind_{kind}"][gid] = n
        out["sessions"][gid] = out["sessions"].get(gid, 0) + n
        if kind in ("discussion", "topical"):
            out["discussions"][gid] = out["discussions"].get(gid, 0) + n
    led = _per_group(
        "SELECT s.group_id, COUNT(*) FROM meetings_studysession s WHERE "
        f"{done} AND EXISTS (SELECT 1 FROM org_membership m WHERE m.group_id = s.group_id "
        "AND m.person_id = s.lead_reader_id AND m.role = 'leader' AND m.start_date <= "
        "DATE(s.starts_at, '+8 hours') AND (m.end_date IS NULL OR m.end_date >= "
        "DATE(s.starts_at, '+8 hours'))) GROUP BY s.group_id"
        if connection.vendor == "sqlite"
        else "SELECT s.group_id, COUNT(*) FROM meetings_studysession s WHERE "
        f"{done} AND EXISTS (SELECT 1 FROM org_membership m WHERE m.group_id = s.group_id "
        "AND m.person_id = s.lead_reader_id AND m.role = 'leader' AND m.start_date <= "
        "(s.starts_at AT TIME ZONE 'Asia/Shanghai')::date AND (m.end_date IS NULL OR "
        "m.end_date >= (s.starts_at AT TIME ZONE 'Asia/Shanghai')::date)) GROUP BY s.group_id",
        [start, end],
    )
    out["leader_led"] = {g: v[0] for g, v in led.items()}
    att = _per_group(
        "SELECT s.group_id, COUNT(*), SUM(CASE WHEN a.status IN ('present', 'late') THEN 1 "
        "ELSE 0 END), SUM(CASE WHEN a.status = 'leave' THEN 1 ELSE 0 END) "
        "FROM meetings_attendance a JOIN meetings_studysession s ON s.id = a.session_id "
        f"WHERE a.is_attendee = %s AND {done} GROUP BY s.group_id",
        [False, start, end],
    )
    out["attendance_rate"] = {g: v[1] for g, v in att.items()}
    out["leave_rate"] = {g: v[2] for g, v in att.items()}
    out["attendance_rate/"] = out["leave_rate/"] = {g: v[0] for g, v in att.items()}
    below = _sql(
        "SELECT s.group_id, a.person_id FROM meetings_attendance a JOIN meetings_studysession "
        f"s ON s.id = a.session_id WHERE a.is_attendee = %s AND {done} "
        "GROUP BY s.group_id, a.person_id HAVING 100 * SUM(CASE WHEN a.status IN "
        "('present', 'late') THEN 1 ELSE 0 END) < 80 * COUNT(*)",
        [False, start, end],
    )
    for gid, _person in below:
        out["members_below"][gid] = out["members_below"].get(gid, 0) + 1
    mk = _per_group(
        "SELECT s.group_id, COUNT(*), SUM(CASE WHEN k.status = 'confirmed' THEN 1 ELSE 0 END) "
        "FROM meetings_makeup k JOIN meetings_attendance a ON a.id = k.attendance_id "
        f"JOIN meetings_studysession s ON s.id = a.session_id WHERE a.is_attendee = %s AND {done} "
        "GROUP BY s.group_id",
        [False, start, end],
    )
    out["makeups_owed"] = {g: v[0] for g, v in mk.items()}
    out["makeups_done"] = {g: v[1] for g, v in mk.items()}
    for gid, kind, n in _sql(
        "SELECT group_id, kind, COUNT(*) FROM outputs_output WHERE status <> 'draft' "
        "AND submitted_at >= %s AND submitted_at < %s GROUP BY group_id, kind",
        [start, end],
    ):
        out[f"out_{kind}"][gid] = n
        out["outputs"][gid] = out["outputs"].get(gid, 0) + n
    out["conversions"] = {
        g: v[0]
        for g, v in _per_group(
            "SELECT o.group_id, COUNT(*) FROM outputs_conversion c JOIN outputs_output o "
            "ON o.id = c.output_id WHERE c.issued_on >= %s AND c.issued_on <= %s "
            "GROUP BY o.group_id",
            [span.start, span.end],
        ).items()
    }
    visited = (
        "v.stage IN ('during', 'after', 'feedback', 'closed') AND v.planned_on >= %s AND "
        "v.planned_on <= %s AND (v.plan_id IS NULL OR v.plan_id IN (SELECT id FROM "
        "supervision_visitplan WHERE status = 'published'))"
    )
    out["visits"] = {
        g: v[0]
        for g, v in _per_group(
            f"SELECT v.group_id, COUNT(*) FROM supervision_observationvisit v WHERE {visited} "
            "GROUP BY v.group_id",
            [span.start, span.end],
        ).items()
    }
    scores = _per_group(
        "SELECT v.group_id, SUM(h.total), COUNT(*) FROM supervision_scoresheet h JOIN "
        f"supervision_observationvisit v ON v.id = h.visit_id WHERE {visited} AND "
        "h.submitted_at IS NOT NULL AND h.total IS NOT NULL GROUP BY v.group_id",
        [span.start, span.end],
    )
    out["visit_score"] = {g: float(v[0]) for g, v in scores.items()}
    out["visit_score/"] = {g: v[1] for g, v in scores.items()}
    today = timezone.localdate()
    probs = _per_group(
        "SELECT p.group_id, SUM(CASE WHEN r.status = 'closed' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.status = 'closed' THEN 0 ELSE 1 END), SUM(CASE WHEN r.status <> "
        "'closed' AND r.deadline < %s THEN 1 ELSE 0 END) FROM supervision_problem p "
        "JOIN supervision_rectification r ON r.problem_id = p.id WHERE p.found_on >= %s AND "
        "p.found_on <= %s GROUP BY p.group_id",
        [today, span.start, span.end],
    )
    out["problems_closed"] = {g: v[0] for g, v in probs.items()}
    out["problems_open"] = {g: v[1] for g, v in probs.items()}
    out["problems_overdue"] = {g: v[2] for g, v in probs.items()}
    filed = _per_group(
        "SELECT s.group_id, SUM(CASE WHEN s.status IN ('submitted', 'accepted') AND "
        "s.submitted_on <= s.due_on THEN 1 ELSE 0 END), SUM(CASE WHEN s.status IN "
        "('submitted', 'accepted') AND s.submitted_on > s.due_on THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN s.status = 'returned' OR (s.status = 'none' AND s.due_on < %s) "
        "THEN 1 ELSE 0 END) FROM filings_submission s JOIN filings_filingtask t "
        "ON t.id = s.task_id WHERE t.is_active = %s AND s.due_on >= %s AND s.due_on <= %s "
        "GROUP BY s.group_id",
        [today, True, span.start, span.end],
    )
    for i, key in enumerate(("filings_on_time", "filings_late", "filings_missing")):
        out[key] = {g: v[i] for g, v in filed.items()}
    return out


def _numerators(stats, key):
    return {r.group.pk: r.cell(key).numerator for r in stats.rows if r.cell(key).numerator}


@pytest.mark.parametrize("which", ["year", "quarter"])
def test_every_group_figure_equals_a_sql_recount(city, which):
    today = timezone.localdate()
    span = year_span(today.year) if which == "year" else quarter_span(today.year, 1)
    root = Unit.objects.get(code="JC")
    stats = subtree_statistics(root, span, as_of=today)
    recount = _recount(span)
    assert recount["sessions"], "the demo city has sessions in the period"
    checked = [k for k in recount if not k.endswith("/")]
    assert {"sessions", "attendance_rate", "outputs", "visits", "filings_late"} <= set(checked)
    for key in checked:
        expected = {g: n for g, n in recount[key].items() if n}
        assert _numerators(stats, key) == pytest.approx(expected), key
        if key + "/" in recount:
            got = {
                r.group.pk: r.cell(key).denominator for r in stats.rows if r.cell(key).denominator
            }
            assert got == {g: n for g, n in recount[key + "/"].items() if n}, key
    led = {r.group.pk: r.cell("leader_led").denominator for r in stats.rows if r.cells}
    assert {g: n for g, n in led.items() if n} == recount["sessions"]


def test_totals_and_level_subtotals_add_up_the_rows(city):
    root = Unit.objects.get(code="JC")
    stats = subtree_statistics(root, year_span(timezone.localdate().year))
    assert stats.group_count == len(stats.rows) > 20
    for f in FIGURES:
        rows = sum(r.cell(f.key).numerator for r in stats.rows)
        levels = sum(r.cell(f.key).numerator for r in stats.levels)
        assert stats.total.cell(f.key).numerator == pytest.approx(rows) == pytest.approx(levels)
    assert {r.label for r in stats.levels} == {"本级", "下一级单位", "下二级单位"}
    total = stats.total
    assert total.value("sessions") == sum(
        total.value(f"kind_{k}") for k in ("study", "discussion", "topical", "reading")
    ) + sum(total.value(f"kind_{k}") for k in ("lecture", "field", "online"))


def _utc(value) -> dt.datetime:
    """A datetime column as SQLite (text, UTC) or PostgreSQL (aware) returns it."""
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    return value


def _day(value) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def test_first_item_figures_equal_a_recount(city):
    span = year_span(timezone.localdate().year)
    start, end = _bounds(span)
    rows = _sql(
        "SELECT s.group_id, MIN(s.starts_at), f.released_on FROM meetings_agendaitem i "
        "JOIN meetings_studysession s ON s.id = i.session_id JOIN plans_firstitem f "
        "ON f.id = i.first_item_id WHERE s.status IN ('held', 'recorded') "
        "GROUP BY s.group_id, i.first_item_id, f.released_on "
        "HAVING MIN(s.starts_at) >= %s AND MIN(s.starts_at) < %s",
        [start, end],
    )
    studied, lag = defaultdict(int), defaultdict(int)
    for gid, first, released in rows:
        studied[gid] += 1
        lag[gid] += (timezone.localtime(_utc(first)).date() - _day(released)).days
    stats = subtree_statistics(Unit.objects.get(code="JC"), span)
    assert studied, "the demo groups study first items"
    assert _numerators(stats, "first_items") == dict(studied)
    got = {
        r.group.pk: r.cell("first_item_lag").numerator
        for r in stats.rows
        if r.cell("first_item_lag").denominator
    }
    assert got == {g: lag[g] for g in studied}


def test_a_cells_drill_down_lists_as_many_records_as_it_counts(city):
    from zhongxinzu.accounts.models import User

    client = Client()
    client.force_login(
        User.objects.get(username="supervisor"),
        backend="zhongxinzu.accounts.backends.PolicyModelBackend",
    )
    root = Unit.objects.get(code="JC")
    stats = subtree_statistics(root, year_span(timezone.localdate().year))
    busiest = max(stats.rows, key=lambda r: r.value("sessions"))
    for key in ("sessions", "outputs", "makeups_owed", "problems_open", "visits"):
        for where, value in (
            ({"group": busiest.group.pk}, busiest.value(key)),
            ({}, stats.total.value(key)),
        ):
            page = client.get("/stats/records/", {"unit": root.pk, "figure": key, **where})
            assert page.status_code == 200
            assert page.context["page_obj"].paginator.count == value, (key, where)
            assert page.context["value"] == value
