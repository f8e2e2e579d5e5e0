"""Demo step: study notes (学习笔记, the 自学笔记 register) for most groups of the city — all
members in most, some members missing in a few, none at all in two (shown as "无记录") —
and last year's archive volume of the demo group, built through the job runner exactly as
the worker builds it (job_start, then job_run in this process; the queued task that
job_start enqueues finds the job done and does nothing)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from zhongxinzu.org.models import Membership, StudyGroup
from zhongxinzu.outputs.models import Output

DEMO_GROUP = "JC-JY"
CORE_ROLES = (Membership.Role.LEADER, Membership.Role.DEPUTY, Membership.Role.MEMBER)
NOTE_TITLES = (
    "学习《习近平谈治国理政》第五卷读书笔记",
    "学习党的二十届四中全会精神笔记",
    "学习《习近平经济文选》第一卷笔记",
    "学习习近平文化思想摘记",
    "学习新修订《中国共产党纪律处分条例》笔记",
)


def build_archive_demo(city, rng: random.Random, today: dt.date) -> None:
    rng = random.Random(97)  # its own draws: the steps after it see the same data as before
    groups = list(StudyGroup.objects.select_related("unit").order_by("unit__path"))
    none_at_all = {g.pk for g in groups[-2:] if g.unit.code != DEMO_GROUP}
    partial = {g.pk for g in groups[-5:-2] if g.unit.code != DEMO_GROUP}
    notes = []
    for year in (today.year - 1, today.year):
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        members = (
            Membership.objects.filter(group__in=groups, role__in=CORE_ROLES, start_date__lte=end)
            .exclude(end_date__lt=start)
            .order_by("group_id", "role_rank", "person_id")
            .values_list("group_id", "person_id")
            .distinct()
        )
        for n, (gid, pid) in enumerate(members):
            if gid in none_at_all or (gid in partial and n % 3 == 0):
                continue
            for k in range(2):
                day = dt.date(year, rng.randint(2, 11), rng.randint(1, 28))
                if day > today:
                    continue
                notes.append(
                    Output(
                        group_id=gid,
                        author_id=pid,
                        kind=Output.Kind.NOTES,
                        year=year,
                        title=NOTE_TITLES[(n + k) % len(NOTE_TITLES)],
                        body="一、主要内容\n摘录原文要点，结合分管工作写出体会。",
                        status=Output.Status.SUBMITTED,
                        submitted_at=timezone.make_aware(dt.datetime.combine(day, dt.time(20))),
                    )
                )
    Output.objects.bulk_create(notes)
    _unfiled_minutes(groups[-3], today.year - 1)
    _demo_volume(city, today)


def _unfiled_minutes(group, year: int) -> None:
    """One discussion of last year whose minutes were never written up (研讨记录簿 不全)."""
    from zhongxinzu.meetings.models import StudySession

    s = (
        StudySession.objects.filter(
            group=group,
            kind__in=StudySession.DISCUSSION_KINDS,
            status=StudySession.Status.RECORDED,
            starts_at__year=year,
        )
        .order_by("starts_at", "pk")
        .last()
    )
    if s is not None:
        StudySession.objects.filter(pk=s.pk).update(minutes="")


def _demo_volume(city, today: dt.date) -> None:
    from zhongxinzu.jobs.services import job_run, job_start

    group = StudyGroup.objects.select_related("unit").get(unit__code=DEMO_GROUP)
    secretary = city.accounts.get("secretary")
    job = job_start(
        actor=secretary,
        kind="archive.build",
        unit=group.unit,
        year=today.year - 1,
        target_id=group.pk,
    )
    job_run(job_id=job.pk)
