"""How the study steps of the scale province (scale_study.py) read the org build back from
the database and write millions of rows.

`Insert` writes tuples with `cursor.executemany` (COPY on PostgreSQL): at the sizes of the
attendance table it is several times faster than bulk_create (no model instances, no
per-object preparation); ids come back by reading the rows again, in insertion order.
`Clock` converts local dates and times for the database once each. `Province` is what every
step needs of the org build, loaded once per command run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from zhongxinzu.meetings.models import StudySession
from zhongxinzu.org.models import Membership, StudyGroup, Unit
from zhongxinzu.rules.services import rulebooks_for

if TYPE_CHECKING:
    from zhongxinzu.org.scale import ScaleBuild

BATCH = 20_000
CORE = frozenset({Membership.Role.LEADER, Membership.Role.DEPUTY, Membership.Role.MEMBER})


class Insert:
    """INSERT of many rows: each row a tuple of `fields` (attnames, in that order); every
    other column gets its field's default. Fields without a default (auto_now_add dates among
    them) must be given. Values must be ready for the database: use `Clock` for dates and
    times. SQLite gets `cursor.executemany`; PostgreSQL gets COPY, as executemany there waits
    for the server row by row (≈20,000 rows/s against ≈200,000 with COPY)."""

    def __init__(self, model: type[Model], fields: Sequence[str]):
        meta, qn = model._meta, connection.ops.quote_name
        given = [meta.get_field(name) for name in fields]
        names = {f.name for f in given}
        rest, tail = [], []
        for f in meta.concrete_fields:
            if f.primary_key or f.name in names:
                continue
            default = f.get_default()
            if default is None and not f.null:
                raise ValueError(f"{meta.label}.{f.name} needs a value")
            rest.append(f)
            tail.append(f.get_db_prep_save(default, connection))
        table = qn(meta.db_table)
        columns = ", ".join(qn(f.column) for f in [*given, *rest])
        marks = ", ".join(["%s"] * (len(given) + len(rest)))
        # Identifiers from the model, quoted; every value is a parameter.
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        self.copy_sql = f"COPY {table} ({columns}) FROM STDIN"
        self.tail = tuple(tail)
        self.count = 0

    def write(self, rows: Iterable[tuple]) -> int:
        """Write `rows` (any iterable, e.g. a generator: it may run queries of its own, as
        nothing is sent while a batch is being filled). Returns the rows written so far."""
        tail, batch = self.tail, []
        for row in rows:
            batch.append(row + tail)
            if len(batch) >= BATCH:
                self._send(batch)
                batch = []
        if batch:
            self._send(batch)
        return self.count

    def _send(self, batch: list[tuple]) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, batch)
        self.count += len(batch)


class Clock:
    """Local dates and times of the site's time zone, converted for the database once each
    (the same few thousand days and hours recur over millions of rows)."""

    def __init__(self):
        self.tz = timezone.get_default_timezone()
        self._ops = connection.ops
        self._times: dict[dt.datetime, Any] = {}
        self._dates: dict[dt.date, Any] = {}

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)

    def db(self, moment: dt.datetime) -> Any:
        value = self._times.get(moment)
        if value is None:
            value = self._times[moment] = self._ops.adapt_datetimefield_value(moment)
        return value

    def db_at(self, day: dt.date, hour: int, minute: int = 0) -> Any:
        return self.db(self.at(day, hour, minute))

    def db_date(self, day: dt.date) -> Any:
        value = self._dates.get(day)
        if value is None:
            value = self._dates[day] = self._ops.adapt_datefield_value(day)
        return value


# --- what the steps read back --------------------------------------------------------------


class SessionRow(NamedTuple):
    id: int
    group_id: int
    day: dt.date
    start: dt.datetime  # local time
    end: dt.datetime
    kind: str
    status: str
    title: str


RosterRow = tuple[int, str, dt.date, dt.date | None]  # person id, role, start, end


@dataclass
class Province:
    """The org build as the study steps need it, read from the database."""

    root: Unit
    groups: list[StudyGroup]  # with their units, in path order
    rosters: dict[int, list[RosterRow]]  # group id -> memberships in official order
    supervisor_id: int
    today: dt.date
    years: list[int]
    _sessions: list[SessionRow] | None = None
    _secretaries: dict[int, int] | None = None
    _books: dict[int, dict] | None = None

    def in_province(self, prefix: str = "") -> dict[str, str]:
        """A filter on `prefix`unit__path for the province's subtree."""
        return {f"{prefix}unit__path__startswith": self.root.path}

    def roster_on(self, group_id: int, day: dt.date) -> list[tuple[int, str]]:
        """(person id, role) of the roster on `day`, one row per person (the highest role)."""
        out, seen = [], set()
        for pid, role, start, end in self.rosters[group_id]:
            if start <= day and (end is None or end >= day) and pid not in seen:
                seen.add(pid)
                out.append((pid, role))
        return out

    def members_in(self, group_id: int, year: int) -> list[int]:
        """Members (not 列席) on the roster at some time in `year` up to today."""
        first, last = dt.date(year, 1, 1), min(dt.date(year, 12, 31), self.today)
        out = []
        for pid, role, start, end in self.rosters[group_id]:
            overlaps = start <= last and (end is None or end >= first)
            if role in CORE and overlaps and pid not in out:
                out.append(pid)
        return out

    def books(self, year: int) -> dict:
        """unit id -> the rule book of `year`."""
        if self._books is None:
            self._books = {}
        if year not in self._books:
            self._books[year] = rulebooks_for([g.unit for g in self.groups], year)
        return self._books[year]

    def book(self, group: StudyGroup, year: int):
        return self.books(year)[group.unit_id]

    def sessions(self) -> list[SessionRow]:
        """The province's sessions by group (path order), then time."""
        if self._sessions is None:
            order = {g.pk: i for i, g in enumerate(self.groups)}
            tz = timezone.get_default_timezone()
            rows = []
            for sid, gid, start, end, kind, status, title in StudySession.objects.filter(
                **self.in_province("group__")
            ).values_list("id", "group_id", "starts_at", "ends_at", "kind", "status", "title"):
                start = start.astimezone(tz)
                rows.append(
                    SessionRow(
                        sid, gid, start.date(), start, end.astimezone(tz), kind, status, title
                    )
                )
            rows.sort(key=lambda s: (order[s.group_id], s.start, s.id))
            self._sessions = rows
        return self._sessions

    def secretaries(self) -> dict[int, int]:
        """group id -> the user id of its secretary's account (else the supervisor's)."""
        if self._secretaries is None:
            from zhongxinzu.accounts.models import User

            by_person = dict(
                User.objects.filter(person__isnull=False).values_list("person_id", "id")
            )
            out = {}
            for g in self.groups:
                secretaries = [
                    pid
                    for pid, role, _, end in self.rosters[g.pk]
                    if role == Membership.Role.SECRETARY and end is None
                ]
                user = next((by_person[p] for p in secretaries if p in by_person), None)
                out[g.pk] = user or self.supervisor_id
            self._secretaries = out
        return self._secretaries


def province(build: ScaleBuild) -> Province:
    if "province" not in build.extra:
        from zhongxinzu.accounts.models import User
        from zhongxinzu.org.scale import SUPERVISOR_USERNAME

        root = Unit.objects.get(path=build.root_path)
        groups = list(
            StudyGroup.objects.filter(unit__path__startswith=root.path)
            .select_related("unit")
            .order_by("unit__path")
        )
        rosters: dict[int, list[RosterRow]] = {g.pk: [] for g in groups}
        for gid, pid, role, start, end in (
            Membership.objects.filter(group__unit__path__startswith=root.path)
            .order_by("group_id", "role_rank", "person__rank_order", "person_id", "id")
            .values_list("group_id", "person_id", "role", "start_date", "end_date")
        ):
            rosters[gid].append((pid, role, start, end))
        today = build.today or timezone.localdate()
        build.extra["province"] = Province(
            root=root,
            groups=groups,
            rosters=rosters,
            supervisor_id=User.objects.get(username=SUPERVISOR_USERNAME).pk,
            today=today,
            years=list(range(today.year - build.years + 1, today.year + 1)),
        )
    return build.extra["province"]
