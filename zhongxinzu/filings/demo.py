"""The demo city's filings (a step of org.demo.STEPS, after the supervision year):

- the city's annual materials task for the demo year, due 31 January: most groups filed in
  January, four filed in February (late), three never filed (missing), and the demo group
  (市教育局党委) filed on time but was returned with a reason, waiting to file again; some
  on-time filings are accepted;
- 中共江北区委's 一学一报 for its two township groups: each session's report within 5
  working days — most on time, some late, some never filed, the latest not yet due.

Each filing is made through the services by the group's secretary (an account without a
password for the groups other than the demo group), with its documents generated from the
records. Re-running does nothing once the tasks exist."""

from __future__ import annotations

import contextlib
import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.utils import timezone

from zhongxinzu.accounts.models import User
from zhongxinzu.filings import services
from zhongxinzu.filings.models import FilingTask, Submission, SubmissionDocument
from zhongxinzu.org.models import Membership, StudyGroup

DEMO_GROUP = "JC-JY"
LATE = ("JC-NY", "JC-QS-SM", "JC-CT-ZY", "JC-JN-HX")
MISSING = ("JC-ZR", "JC-LH-DW", "JC-SW-GS")
ACCEPTED_EVERY = 2  # every second on-time filing is accepted
SESSION_OWNER = "JC-JB"
RETURN_REASON = "学习计划未列明第四季度学习专题和领学人，请补充完善后重新报送。"


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 30), tzinfo=timezone.get_default_timezone())


def _secretary(city, group: StudyGroup, today: dt.date) -> User | None:
    """The account of the group's secretary (created without a password where none exists)."""
    m = (
        Membership.objects.filter(
            group=group, role=Membership.Role.SECRETARY, start_date__lte=today
        )
        .select_related("person")
        .order_by("-start_date")
        .first()
    )
    if m is None:
        return None
    user = User.objects.filter(person=m.person).first()
    if user is None:
        user = User(
            username=f"sec_{group.unit.code.lower().replace('-', '_')}",
            first_name=m.person.name,
            person=m.person,
            password_changed_at=timezone.now(),
        )
        user.set_unusable_password()
        user.save()
    user.__dict__.pop("_principal", None)
    return user


def build_filings(city, rng: random.Random, today: dt.date) -> None:
    supervisor, root = city.accounts["supervisor"], city.units["JC"]
    year = today.year
    if FilingTask.objects.filter(owner_unit=root, year=year).exists():
        return
    rng = random.Random(f"filings-{year}")  # the city's stream stays as the later steps expect
    with _files_written_at_once():
        _annual(city, rng, today, supervisor, root, year)
        _per_session(city, rng, today, supervisor, year)


@contextlib.contextmanager
def _files_written_at_once():
    """The demo is built inside one transaction (seed_demo; the demo tests, which roll it back):
    the generated documents are written at once rather than on commit, so their download
    links open while the city is being looked at inside that transaction."""
    field = SubmissionDocument._meta.get_field("file")
    previous = field.storage
    field.storage = FileSystemStorage(location=previous.location, base_url=previous.base_url)
    try:
        yield
    finally:
        field.storage = previous


def _annual(city, rng, today, supervisor, root, year) -> None:
    due = dt.date(year, 1, 31)
    task = services.task_create(
        actor=supervisor,
        owner_unit=root,
        year=year,
        kind=FilingTask.Kind.ANNUAL,
        title=f"{year}年度理论学习中心组学习有关材料报送",
        due_on=due,
        notes="报送本年度学习计划、上年度学习情况汇报和中心组成员名单。",
    )
    if today <= due:
        return
    on_time = 0
    for sub in (
        Submission.objects.filter(task=task)
        .select_related("group__unit", "task__owner_unit")
        .order_by("group__unit__path")
    ):
        code = sub.group.unit.code
        if code in MISSING:
            continue
        secretary = _secretary(city, sub.group, today)
        if secretary is None:
            continue
        if code in LATE:
            day = due + dt.timedelta(days=rng.randint(3, 20))
        else:
            day = dt.date(year, 1, rng.randint(8, 30))
        try:
            sub = services.submission_submit(
                actor=secretary, submission=sub, at=_at(day, rng.randint(9, 17))
            )
        except ValidationError:  # no approved plan: the group has not filed
            continue
        if code == DEMO_GROUP:
            services.submission_return(actor=supervisor, submission=sub, reason=RETURN_REASON)
        elif code not in LATE:
            on_time += 1
            if on_time % ACCEPTED_EVERY == 0:
                services.submission_accept(actor=supervisor, submission=sub)


def _per_session(city, rng, today, supervisor, year) -> None:
    task = services.task_create(
        actor=supervisor,
        owner_unit=city.units[SESSION_OWNER],
        year=year,
        kind=FilingTask.Kind.SESSION,
        title=f"{year}年度乡镇（街道）党（工）委中心组一学一报",
        working_days=5,
        notes="每次集体学习后5个工作日内，报送由学习记录生成的学习情况报告。",
    )
    rows = list(
        Submission.objects.filter(task=task, due_on__lt=today)
        .select_related("group__unit", "session", "task__owner_unit")
        .order_by("group__unit__path", "due_on")
    )
    secretaries = {}
    seen: set[int] = set()
    for sub in rows:
        gid = sub.group_id
        if gid not in secretaries:
            secretaries[gid] = _secretary(city, sub.group, today)
        first = gid not in seen
        seen.add(gid)
        roll = rng.random()
        # each group's first report is late, and one in six or so is never filed
        if not first and roll < 0.17:
            continue
        held = timezone.localtime(sub.session.starts_at).date()
        if first or roll < 0.35:
            day = sub.due_on + dt.timedelta(days=rng.randint(2, 9))
        else:
            day = held + dt.timedelta(days=rng.randint(1, max(1, (sub.due_on - held).days)))
        if day > today or secretaries[gid] is None:
            continue
        with contextlib.suppress(ValidationError):
            services.submission_submit(
                actor=secretaries[gid], submission=sub, at=_at(day, rng.randint(9, 17))
            )
