"""学习档案 at province scale: one archive volume (学习档案专卷) of the secretary's group for
last year — every document generated, the .zip and the combined .docx — built by the job's
own function inside a transaction that is rolled back (so nothing is stored; the files'
writes, which wait for the commit, are not timed), and the root supervisor's list of the
province's groups with their three registers (三簿)."""

from __future__ import annotations

from bench.measure import Result, client_for, count_queries, measure_get, timed

VOLUME_RUNS = 3


class _Rollback(Exception):
    pass


def measure_archive(supervisor, secretary) -> list[Result]:
    from django.db import transaction
    from django.urls import reverse
    from django.utils import timezone

    from zhongxinzu.archive import services
    from zhongxinzu.org.models import StudyGroup

    year = timezone.localdate().year - 1
    group = StudyGroup.objects.select_related("unit").get(
        memberships__person=secretary.person_id, memberships__role="secretary"
    )
    items = len(services.volume_items(group, year))
    result = Result(
        f"Archive volume, one group, {year} ({items} documents: .zip and combined .docx)",
        target_ms=30000,
    )

    def build():
        try:
            with transaction.atomic():
                services.volume_build(actor=secretary, group=group, year=year)
                raise _Rollback
        except _Rollback:
            pass

    build()  # warm-up
    for _ in range(VOLUME_RUNS):
        with timed(result):
            build()
    result.queries, result.slowest = count_queries(build)
    result.note = f"{VOLUME_RUNS} runs, rolled back"
    overview = reverse("archive:overview")
    return [
        result,
        measure_get(
            Result(f"Archive overview, root supervisor, {year} ({overview}?year={year})", 3000),
            client_for(supervisor),
            f"{overview}?year={year}",
        ),
    ]
