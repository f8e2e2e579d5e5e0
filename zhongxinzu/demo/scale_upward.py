"""The upward layer at province scale: the `gen_scale` steps after the supervision ones, in
the shapes of the demo city's (filings/demo.py, bulletins/demo.py, archive/demo.py).

- filings: the root's annual-materials task for this year, due 31 January, one row per
  group: most filed on time, some late, some returned, some missing; and one city's 一学一报
  (a report of each session within 5 working days) for its sessions of this year;
- bulletins: the root's annual bulletin of last year drafted from the records and issued
  to every group, a fifth of them acknowledging it, and this year's first-quarter bulletin
  drafted;
- archive: last year's archive volume (学习档案专卷) of the largest group, built by the job's
  own function.

The filing rows are states only (who filed when); their documents are generated when a
group files through the pages, which the benchmark does not need. Each step reads the
province back (scale_db), runs in its own transaction, draws from its own seeded RNG and is
skipped when its records are there.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from zhongxinzu.accounts.models import User
from zhongxinzu.filings.models import FilingTask, Submission
from zhongxinzu.org.scale_db import province

if TYPE_CHECKING:
    from zhongxinzu.org.scale import ScaleBuild

SHARES = {"late": 0.06, "returned": 0.02, "missing": 0.04}  # of the annual rows, at least 1
REPORT_DAYS = 5
RETURN_REASON = "学习计划未列明各季度学习专题和领学人，请补充完善后重新报送。"


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_default_timezone())


def _filed(sub: Submission, day: dt.date, hour: int, by: int) -> None:
    sub.status = Submission.Status.SUBMITTED
    sub.revision = 1
    sub.submitted_at = _at(day, hour)
    sub.submitted_on = day
    sub.submitted_by_id = by


def step_filings(build: ScaleBuild) -> str:
    from zhongxinzu.filings import services

    rng = build.rng("filings")
    p = province(build)
    supervisor = User.objects.get(pk=p.supervisor_id)
    year = p.today.year
    task = services.task_create(
        actor=supervisor,
        owner_unit=p.root,
        year=year,
        kind=FilingTask.Kind.ANNUAL,
        title=f"{year}年度理论学习中心组学习材料报送",
        due_on=dt.date(year, 1, 31),
    )
    secretaries = p.secretaries()
    rows = list(Submission.objects.filter(task=task).order_by("pk"))
    order = rng.sample(range(len(rows)), len(rows))
    share = {k: max(1, round(len(rows) * v)) for k, v in SHARES.items()}
    cut = {"missing": share["missing"], "late": share["missing"] + share["late"]}
    cut["returned"] = cut["late"] + share["returned"]
    counts = dict.fromkeys(("on_time", "late", "returned", "missing"), 0)
    for rank, i in enumerate(order):
        sub = rows[i]
        by = secretaries.get(sub.group_id, p.supervisor_id)
        if rank < cut["missing"]:
            counts["missing"] += 1
        elif rank < cut["late"]:
            _filed(sub, sub.due_on + dt.timedelta(days=rng.randint(1, 20)), 10, by)
            counts["late"] += 1
        else:
            _filed(sub, sub.due_on - dt.timedelta(days=rng.randint(0, 25)), 15, by)
            if rank < cut["returned"]:
                sub.status = Submission.Status.RETURNED
                sub.return_reason = RETURN_REASON
                sub.reviewed_at = sub.submitted_at + dt.timedelta(days=2)
                sub.reviewed_by_id = p.supervisor_id
                counts["returned"] += 1
            else:
                counts["on_time"] += 1
    fields = ["status", "revision", "submitted_at", "submitted_on", "submitted_by"]
    fields += ["return_reason", "reviewed_at", "reviewed_by"]
    Submission.objects.bulk_update(rows, fields, batch_size=500)
    reports = _session_reports(build, p, supervisor, rng)
    return (
        f"annual materials {len(rows)} rows ({counts['on_time']} on time, {counts['late']} "
        f"late, {counts['returned']} returned, {counts['missing']} missing); {reports}"
    )


def _session_reports(build, p, supervisor, rng) -> str:
    """一学一报 for the root's child with the most children (a city)."""
    from zhongxinzu.filings import services
    from zhongxinzu.org.models import Unit

    city = (
        Unit.objects.filter(path__startswith=p.root.path, depth=p.root.depth + 1)
        .order_by("-numchild", "path")
        .first()
    )
    task = services.task_create(
        actor=supervisor,
        owner_unit=city,
        year=p.today.year,
        kind=FilingTask.Kind.SESSION,
        title=f"{city.name}{p.today.year}年“一学一报”",
        working_days=REPORT_DAYS,
    )
    secretaries = p.secretaries()
    rows = list(Submission.objects.filter(task=task).order_by("pk"))
    late = missing = 0
    for sub in rows:
        if sub.due_on >= p.today:
            continue
        draw = rng.random()
        by = secretaries.get(sub.group_id, p.supervisor_id)
        if draw < 0.05:
            missing += 1
        elif draw < 0.15:
            _filed(sub, sub.due_on + dt.timedelta(days=rng.randint(1, 10)), 11, by)
            late += 1
        else:
            _filed(sub, sub.due_on - dt.timedelta(days=rng.randint(0, 4)), 16, by)
    fields = ["status", "revision", "submitted_at", "submitted_on", "submitted_by"]
    Submission.objects.bulk_update(rows, fields, batch_size=500)
    return f"{city.name}'s 一学一报 {len(rows)} rows ({late} late, {missing} missing)"


def step_bulletins(build: ScaleBuild) -> str:
    from zhongxinzu.bulletins import services
    from zhongxinzu.bulletins.models import BulletinRecipient
    from zhongxinzu.stats.periods import quarter_span, year_span

    rng = build.rng("bulletins")
    p = province(build)
    supervisor = User.objects.get(pk=p.supervisor_id)
    annual = services.bulletin_create(
        actor=supervisor, issuer_unit=p.root, span=year_span(p.today.year - 1)
    )
    annual = services.bulletin_draft(actor=supervisor, bulletin=annual)
    annual = services.bulletin_issue(
        actor=supervisor, bulletin=annual, expected_version=annual.version
    )
    recipients = list(BulletinRecipient.objects.filter(bulletin=annual).order_by("pk"))
    acknowledged = rng.sample(recipients, len(recipients) // 5)
    secretaries = p.secretaries()
    for r in acknowledged:
        r.acknowledged_at = annual.issued_at + dt.timedelta(days=rng.randint(1, 10))
        r.acknowledged_by_id = secretaries.get(r.group_id, p.supervisor_id)
    BulletinRecipient.objects.bulk_update(
        acknowledged, ["acknowledged_at", "acknowledged_by"], batch_size=500
    )
    quarter = services.bulletin_create(
        actor=supervisor, issuer_unit=p.root, span=quarter_span(p.today.year, 1)
    )
    services.bulletin_draft(actor=supervisor, bulletin=quarter)
    return (
        f"{annual.doc_number} issued to {len(recipients)} groups ({len(acknowledged)} "
        f"acknowledged); {quarter.title} drafted"
    )


def step_archive(build: ScaleBuild) -> str:
    from zhongxinzu.archive.services import volume_build

    p = province(build)
    supervisor = User.objects.get(pk=p.supervisor_id)
    largest = max(p.groups, key=lambda g: (len(p.rosters[g.pk]), -g.pk))
    year = p.today.year - 1
    volume = volume_build(actor=supervisor, group=largest, year=year)
    return f"{largest.name} {year}: {len(volume.catalogue)} documents"


def _exists(build: ScaleBuild, model, prefix: str) -> bool:
    if not build.years:
        return True
    return model.objects.filter(**{f"{prefix}unit__path__startswith": build.root_path}).exists()


def _archive_done(build: ScaleBuild) -> bool:
    from zhongxinzu.archive.models import ArchiveVolume

    return _exists(build, ArchiveVolume, "group__")


def _bulletins_done(build: ScaleBuild) -> bool:
    from zhongxinzu.bulletins.models import Bulletin

    return _exists(build, Bulletin, "issuer_")


STEPS = [
    ("filings", step_filings, lambda b: _exists(b, FilingTask, "owner_")),
    ("bulletins", step_bulletins, _bulletins_done),
    ("archive", step_archive, _archive_done),
]
