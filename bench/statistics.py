"""学习统计 at province scale: the root supervisor's statistics page and its .xlsx for last
year (every group of the province, one row each, subtotals by level), and beside them the
hand-written SQL that counts the same sessions and attendance — the floor the page's
grouped queries are compared with."""

from __future__ import annotations

from bench.measure import RUNS, WARMUPS, Result, client_for, measure_get, timed

SQL = """
SELECT s.group_id, COUNT(DISTINCT s.id),
       SUM(CASE WHEN a.status IN ('present', 'late') THEN 1 ELSE 0 END), COUNT(a.id)
FROM meetings_studysession s
JOIN org_studygroup g ON g.id = s.group_id
JOIN org_unit u ON u.id = g.unit_id
LEFT JOIN meetings_attendance a ON a.session_id = s.id AND a.is_attendee = %s
WHERE u.path LIKE %s AND g.is_active = %s
  AND s.status IN ('held', 'recorded') AND s.starts_at >= %s AND s.starts_at < %s
GROUP BY s.group_id
"""


def _floor(root, span) -> tuple[Result, tuple[int, int, int]]:
    from django.db import connection

    start, end = (connection.ops.adapt_datetimefield_value(v) for v in span.bounds())
    params = [False, f"{root.path}%", True, start, end]
    result = Result("Hand-written SQL: sessions and attendance per group, same subtree and year")

    def run():
        with connection.cursor() as cursor:
            cursor.execute(SQL, params)
            return cursor.fetchall()

    for _ in range(WARMUPS):
        run()
    for _ in range(RUNS):
        with timed(result):
            rows = run()
    result.queries = 1
    totals = (sum(r[1] for r in rows), sum(r[2] or 0 for r in rows), sum(r[3] for r in rows))
    return result, totals


def measure_statistics(supervisor) -> list[Result]:
    from django.urls import reverse
    from django.utils import timezone

    from zhongxinzu.org.access import principal_of
    from zhongxinzu.stats.periods import year_span
    from zhongxinzu.stats.selectors import subtree_statistics

    year = timezone.localdate().year - 1
    root = principal_of(supervisor).supervised[0]
    client = client_for(supervisor)
    page, export = reverse("stats:table"), reverse("stats:table_xlsx")
    results = [
        measure_get(
            Result(f"Statistics page, root supervisor, {year} ({page}?year={year})", 3000),
            client,
            f"{page}?year={year}",
        ),
        measure_get(
            Result(f"Statistics .xlsx, every group, {year} ({export}?year={year}&show=all)", 5000),
            client,
            f"{export}?year={year}&show=all",
        ),
    ]
    floor, (sessions, attended, expected) = _floor(root, year_span(year))
    stats = subtree_statistics(root, year_span(year))
    att = stats.total.cell("attendance_rate")
    same = stats.total.value("sessions") == sessions and (att.numerator, att.denominator) == (
        attended,
        expected,
    )
    floor.note = (
        f"{stats.group_count:,} groups; {sessions:,} sessions, attendance {attended:,}/"
        f"{expected:,} — {'the same numbers as the page' if same else 'DIFFERENT from the page'}"
    )
    if not same:
        raise RuntimeError(f"statistics differ from the SQL: {floor.note}")
    results.append(floor)
    return results
