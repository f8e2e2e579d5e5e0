"""学情通报 at province scale: the root supervisor's annual bulletin of last year for the
whole province (5,000 groups) drafted by the job's own function — the subtree statistics,
the compliance snapshots' problems, the visits' highlights, the figures snapshot and the
text — inside a transaction that is rolled back; and the .docx of that draft (the appendix
tables hold one row per group)."""

from __future__ import annotations

from bench.measure import Result, count_queries, timed

DRAFT_RUNS = 3


class _Rollback(Exception):
    pass


def measure_bulletins(supervisor) -> list[Result]:
    from django.db import transaction
    from django.utils import timezone

    from zhongxinzu.bulletins import selectors, services
    from zhongxinzu.org.access import principal_of
    from zhongxinzu.stats.periods import year_span

    root = principal_of(supervisor).supervised[0]
    year = timezone.localdate().year - 1
    draft = Result(
        f"Annual bulletin drafted, root supervisor, {year} (the bulletins.draft job)",
        target_ms=10000,
    )
    document = Result(f"Annual bulletin .docx, root supervisor, {year}", target_ms=30000)
    drafted = {}

    def build(keep: bool = False):
        try:
            with transaction.atomic():
                b = services.bulletin_create(
                    actor=supervisor, issuer_unit=root, span=year_span(year)
                )
                drafted["b"] = services.bulletin_draft(actor=supervisor, bulletin=b)
                if keep:
                    with timed(document):
                        selectors.docx_bytes(drafted["b"])
                raise _Rollback
        except _Rollback:
            pass

    build()  # warm-up
    for _ in range(DRAFT_RUNS):
        with timed(draft):
            build()
    draft.queries, draft.slowest = count_queries(build)
    groups = drafted["b"].figures.get("group_count", 0)
    draft.note = f"{groups} groups, {DRAFT_RUNS} runs, rolled back"
    build(keep=True)
    document.note = f"{groups} groups, 1 run, rolled back"
    return [draft, document]
