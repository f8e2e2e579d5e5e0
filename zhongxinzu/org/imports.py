"""Excel import of units and rosters: every row checked, then all written or nothing.

Each import reads the sheet first (no database), then inside one transaction loads the
existing records it touches in a few queries, validates every row against them, and only
if no row has a problem writes with bulk operations. Re-importing a file updates the
records it names and never duplicates them:

- units are keyed by 单位编码;
- people by (unit, 姓名, 手机号), or (unit, 姓名) when the phone is empty and the name is
  unique in the unit;
- memberships by (group, person, 起始日期).

Empty optional cells keep the value already stored. One audit record per import, with
outcome "failure" (written outside the rolled-back transaction) when nothing was imported.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.crypto import get_random_string

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.audit.services import audit_record
from zhongxinzu.jobs.models import Job
from zhongxinzu.jobs.services import job_start
from zhongxinzu.lib import uploads, xlsx
from zhongxinzu.lib.changes import figures_changed
from zhongxinzu.lib.text import name_problem
from zhongxinzu.org import access, services
from zhongxinzu.org.models import Membership, Person, PostCategory, StudyGroup, Unit

UNIT_COLUMNS = ["单位编码", "单位名称", "类型", "上级单位编码", "排序"]
ROSTER_COLUMNS = [
    "单位编码",
    "姓名",
    "性别",
    "职务",
    "职务类别",
    "排序号",
    "手机号",
    "组内角色",
    "起始日期",
    "结束日期",
]
MAX_ROWS = 20000
IN_CHUNK = 500  # ids per IN (...) query: well below every database's parameter limit
BATCH = 1000

ROLE_BY_LABEL = {label: value for value, label in Membership.Role.choices}
ROLE_LABELS = "、".join(label for _, label in Membership.Role.choices)
CATEGORY_BY_LABEL = {label: value for value, label in PostCategory.choices}
CATEGORY_LABELS = "、".join(PostCategory.labels)
MSG_CATEGORY = f"职务类别不正确，应为：{CATEGORY_LABELS}（或留空）"
KIND_LABELS = "、".join(Unit.Kind.values)
# The messages of services.unit_validate / membership_validate, which cannot be called per
# row here because they query the database.
MSG_CODE = "单位编码只能包含字母、数字、下划线和短横线，最长40位"
MSG_ROLE = f"组内角色不正确，应为：{ROLE_LABELS}"
MSG_START = "请填写起始日期"
MSG_END = "结束日期不能早于起始日期"
MSG_DATE = "日期格式不正确，应为YYYY-MM-DD（如2025-01-01）"
PERSON_COLUMN = {"name": "姓名", "gender": "性别", "phone": "手机号"}


def out_of_scope(code: str) -> str:
    return f"{code}不存在或不在您的管理范围内"


@dataclass(frozen=True)
class RowError:
    row: int | None  # Excel row number; None for a problem with the whole file
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        where = f"第{self.row}行 {self.column}" if self.column else f"第{self.row}行"
        return f"{where}：{self.message}"


@dataclass
class ImportResult:
    kind: str  # "roster" or "units"
    filename: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    groups: list[tuple[int, str]] = field(default_factory=list)  # rosters touched: (pk, name)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, row: int | None, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))

    @property
    def summary(self) -> str:
        """The counts in words, for the page and the API."""
        c, u = self.created, self.updated
        if self.kind == "units":
            return (
                f"共{self.rows}行：新增单位{c.get('units', 0)}个（同时建立中心组），"
                f"更新单位{u.get('units', 0)}个"
            )
        return (
            f"共{self.rows}行：新增人员{c.get('people', 0)}人，更新人员{u.get('people', 0)}人；"
            f"新增中心组成员{c.get('memberships', 0)}条，更新{u.get('memberships', 0)}条"
        )

    def audit_detail(self) -> dict[str, Any]:
        detail = {
            "kind": self.kind,
            "file": self.filename[:200],
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
        }
        if self.errors:
            detail["errors"] = len(self.errors)
            detail["first_errors"] = [str(e) for e in self.errors[:5]]
        return detail


class _Invalid(Exception):
    """Some row failed validation: roll back (nothing has been written yet anyway)."""


# --- entry points ----------------------------------------------------------------------


def roster_import(*, actor, data: bytes, filename: str) -> ImportResult:
    """Import a roster sheet (ROSTER_COLUMNS) for groups `actor` may manage."""
    return _run(
        actor=actor,
        data=data,
        filename=filename,
        kind="roster",
        columns=ROSTER_COLUMNS,
        parse=_parse_roster_row,
        apply=_roster_apply,
        object_type="org.Membership",
    )


def units_import(*, actor, data: bytes, filename: str) -> ImportResult:
    """Import a unit sheet (UNIT_COLUMNS) for a supervisor's subtree, or anywhere for the
    system admin."""
    return _run(
        actor=actor,
        data=data,
        filename=filename,
        kind="units",
        columns=UNIT_COLUMNS,
        parse=_parse_unit_row,
        apply=_units_apply,
        object_type="org.Unit",
    )


def import_upload(*, actor, kind: str, upload) -> ImportResult | Job:
    """Import an uploaded file (a view's request.FILES item). A file with more data rows
    than JOBS_IMPORT_SYNC_MAX_ROWS is stored and imported by a background job, which is
    returned instead. A file refused before parsing (oversize, wrong type) is audited as a
    failed import like any other."""
    name = getattr(upload, "name", "") or ""
    try:
        data = uploads.read_upload(upload)
        rows = xlsx.count_rows(data)
        if rows > settings.JOBS_IMPORT_SYNC_MAX_ROWS:
            uploads.validate_upload_bytes(data, filename=name, allowed={"xlsx"})
            return _import_job(actor=actor, kind=kind, data=data, name=name, rows=rows)
    except ValidationError as e:
        result = ImportResult(kind=kind, filename=name)
        for message in e.messages:
            result.add(None, "", message)
        _audit_failure(actor, result, "org.Unit" if kind == "units" else "org.Membership")
        return result
    importer = units_import if kind == "units" else roster_import
    return importer(actor=actor, data=data, filename=name)


def _import_job(*, actor, kind: str, data: bytes, name: str, rows: int) -> Job:
    unit = access.scoped_units(actor).order_by("depth", "path").first()
    if unit is None:
        raise ValidationError("没有可导入的范围")
    with transaction.atomic():
        path = default_storage.save(f"jobs/imports/{get_random_string(24)}.xlsx", ContentFile(data))
        return job_start(
            actor=actor,
            kind=f"org.import_{kind}",
            unit=unit,
            params={"file": path, "name": name[:200], "rows": rows},
        )


def _run(*, actor, data, filename, kind, columns, parse, apply, object_type) -> ImportResult:
    result = ImportResult(kind=kind, filename=filename)
    try:
        uploads.validate_upload_bytes(data, filename=filename, allowed={"xlsx"})
        rows = _read(data, columns, parse, result)
        if result.ok and not rows:
            raise ValidationError("文件中没有数据行，请按模板从第2行起填写")
        with transaction.atomic():
            # Runs even when some rows failed to parse, so that scope and duplicate
            # problems of the other rows are listed too; it writes only if all is well.
            apply(actor, rows, result)
            if not result.ok:
                raise _Invalid
            audit_record(
                actor=actor, action="import", object_type=object_type, detail=result.audit_detail()
            )
            figures_changed(groups=[pk for pk, _ in result.groups])
    except ValidationError as e:
        for message in e.messages:
            result.add(None, "", message)
    except _Invalid:
        pass
    except IntegrityError:  # e.g. the same unit code created concurrently on PostgreSQL
        result.add(None, "", "导入时数据被他人同时修改，未导入任何数据，请重新导入")
    if not result.ok:
        result.errors.sort(key=lambda e: e.row or 0)
        result.created, result.updated, result.groups = {}, {}, []
        _audit_failure(actor, result, object_type)
    return result


def _audit_failure(actor, result: ImportResult, object_type: str) -> None:
    audit_record(
        actor=actor,
        action="import",
        object_type=object_type,
        outcome=AuditEntry.Outcome.FAILURE,
        detail=result.audit_detail(),
    )


def _read(data: bytes, columns: list[str], parse: Callable, result: ImportResult) -> list:
    rows = []
    for number, cells in xlsx.read_rows(data, headers=columns):
        result.rows += 1
        if result.rows > MAX_ROWS:
            raise ValidationError(f"文件超过{MAX_ROWS}行，请分批导入")
        row = parse(number, cells, result)
        if row is not None:
            rows.append(row)
    return rows


def _phone(value: Any) -> str:
    return "".join(xlsx.cell_text(value).split())


def _chunks(items: Iterable, size: int = IN_CHUNK) -> Iterator[list]:
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _units_by_code(codes: Iterable[str], *, with_group: bool = False) -> dict[str, Unit]:
    found = {}
    for chunk in _chunks(set(codes)):
        qs = Unit.objects.filter(code__in=chunk)
        if with_group:
            qs = qs.select_related("group")
        found.update((u.code, u) for u in qs)
    return found


# --- roster ----------------------------------------------------------------------------


@dataclass
class _RosterRow:
    number: int
    code: str
    name: str
    gender: str
    post: str
    post_category: str
    rank_order: int | None
    phone: str
    role: str
    start: dt.date
    end: dt.date | None


def _parse_roster_row(number: int, cells: dict, result: ImportResult) -> _RosterRow | None:
    before = len(result.errors)
    code = xlsx.cell_text(cells["单位编码"])
    if not code:
        result.add(number, "单位编码", "请填写单位编码")
    name, gender, phone = (
        xlsx.cell_text(cells["姓名"]),
        xlsx.cell_text(cells["性别"]),
        _phone(cells["手机号"]),
    )
    try:
        services.person_validate(name=name, gender=gender, phone=phone)
    except ValidationError as e:
        for key, messages in e.message_dict.items():
            result.add(number, PERSON_COLUMN.get(key, key), messages[0])
    post = xlsx.cell_text(cells["职务"])
    if len(post) > 100:
        result.add(number, "职务", "职务不能超过100个字")
    category_label = xlsx.cell_text(cells["职务类别"])
    post_category = CATEGORY_BY_LABEL.get(category_label, "")
    if category_label and not post_category:
        result.add(number, "职务类别", MSG_CATEGORY)
    rank_order = None
    try:
        rank_order = xlsx.cell_int(cells["排序号"])
    except ValueError:
        result.add(number, "排序号", "排序号应为0至99999之间的整数")
    role = ROLE_BY_LABEL.get(xlsx.cell_text(cells["组内角色"]), "")
    if not role:
        result.add(number, "组内角色", MSG_ROLE)
    start = end = None
    try:
        start = xlsx.cell_date(cells["起始日期"])
        if start is None:
            result.add(number, "起始日期", MSG_START)
    except ValueError:
        result.add(number, "起始日期", MSG_DATE)
    try:
        end = xlsx.cell_date(cells["结束日期"])
    except ValueError:
        result.add(number, "结束日期", MSG_DATE)
    if start and end and end < start:
        result.add(number, "结束日期", MSG_END)
    if len(result.errors) > before:
        return None
    return _RosterRow(
        number, code, name.strip(), gender, post, post_category, rank_order, phone, role, start, end
    )


@dataclass
class _Span:
    start: dt.date
    end: dt.date | None
    row: int | None  # the file row that sets it; None for a stored membership left as is
    pk: int | None = None  # the stored membership's

    def overlaps(self, other: _Span) -> bool:
        return (self.end is None or self.end >= other.start) and (
            other.end is None or other.end >= self.start
        )


def _roster_apply(actor, rows: list[_RosterRow], result: ImportResult) -> None:
    plan = _RosterPlan(actor, result)
    valid = plan.check_groups(rows)
    plan.load()
    for row in valid:
        plan.add(row)
    plan.check_overlaps()
    if result.ok:
        plan.write()


PERSON_LOAD = [
    "id",
    "unit_id",
    "name",
    "gender",
    "post",
    "post_category",
    "rank_order",
    "phone",
    "is_active",
    "version",
]
MEMBERSHIP_LOAD = [
    "id",
    "group_id",
    "person_id",
    "role",
    "role_rank",
    "start_date",
    "end_date",
    "version",
]


class _Stored:
    """Stored rows fetched as tuples (cheap even for a whole province); model instances are
    made only for the keys the file actually names."""

    def __init__(self, model, fields: list[str], *, key: Callable[[tuple], tuple]):
        self.model, self.fields, self.key = model, fields, key
        self.raw: dict[tuple, list[tuple]] = defaultdict(list)
        self.made: dict[tuple, list] = {}

    def load(self, queryset) -> None:
        for values in queryset.values_list(*self.fields):
            self.raw[self.key(values)].append(values)

    def get(self, key: tuple) -> list:
        if key not in self.made:
            self.made[key] = [
                self.model(**dict(zip(self.fields, v, strict=True))) for v in self.raw.get(key, ())
            ]
        return self.made[key]


class _RosterPlan:
    """What a roster file will change, built in memory from a few queries, then written in
    bulk. People are tracked by id() because new ones have no primary key yet."""

    def __init__(self, actor, result: ImportResult):
        self.actor, self.result = actor, result
        self.groups: dict[str, StudyGroup] = {}  # unit code -> group the actor may manage
        self.people = _Stored(Person, PERSON_LOAD, key=lambda v: (v[1], v[2]))  # (unit, name)
        self.planned: dict[tuple[int, str], list[Person]] = defaultdict(list)  # new people
        self.stored = _Stored(Membership, MEMBERSHIP_LOAD, key=lambda v: (v[1], v[2]))
        self.touched: dict[int, Person] = {}
        self.people_before: dict[int, tuple] = {}  # id(stored person) -> values as loaded
        self.members_before: dict[int, tuple] = {}  # stored membership pk -> as loaded
        self.new_members: list[Membership] = []
        self.spans: dict[tuple[int, int], list[_Span]] = {}
        self.seen: dict[tuple[int, int, dt.date], int] = {}

    def check_groups(self, rows: list[_RosterRow]) -> list[_RosterRow]:
        """Rows whose unit has a group the actor may manage; the others become errors."""
        units = _units_by_code({r.code for r in rows}, with_group=True)
        for code, unit in units.items():
            group = getattr(unit, "group", None)
            if group is not None:
                group.unit = unit  # access checks read the unit's path
                if access.can_manage_group(self.actor, group):
                    self.groups[code] = group
        valid = []
        for r in rows:
            unit, group = units.get(r.code), self.groups.get(r.code)
            if group is None:
                no_group = (
                    unit is not None
                    and not hasattr(unit, "group")
                    and access.can_write_unit(self.actor, unit)
                )
                message = "该单位没有理论学习中心组" if no_group else out_of_scope(r.code)
                self.result.add(r.number, "单位编码", message)
            elif not unit.is_active or not group.is_active:
                self.result.add(r.number, "单位编码", f"单位“{unit.name}”已停用，不能导入名册")
            else:
                valid.append(r)
        return valid

    def load(self) -> None:
        """The people of the units and the memberships of the groups named in the file."""
        for chunk in _chunks(g.unit_id for g in self.groups.values()):
            self.people.load(Person.objects.filter(unit_id__in=chunk))
        for chunk in _chunks(g.pk for g in self.groups.values()):
            self.stored.load(Membership.objects.filter(group_id__in=chunk))

    def add(self, r: _RosterRow) -> None:
        group = self.groups[r.code]
        person = self._person(r, group.unit_id)
        if person is None:
            return
        key = (group.pk, id(person), r.start)
        if key in self.seen:
            self.result.add(
                r.number, "起始日期", f"与第{self.seen[key]}行重复（同一人员、同一起始日期）"
            )
            return
        self.seen[key] = r.number
        stored = self.stored.get((group.pk, person.pk)) if person.pk else []
        spans = self.spans.setdefault(
            (group.pk, id(person)), [_Span(m.start_date, m.end_date, None, m.pk) for m in stored]
        )
        existing = next((m for m in stored if m.start_date == r.start), None)
        if existing is None:
            self.new_members.append(
                Membership(
                    group=group,
                    person=person,
                    role=r.role,
                    role_rank=Membership.rank_of(r.role),
                    start_date=r.start,
                    end_date=r.end,
                )
            )
            spans.append(_Span(r.start, r.end, r.number))
            return
        self.members_before.setdefault(existing.pk, (existing.role, existing.end_date))
        existing.role, existing.role_rank = r.role, Membership.rank_of(r.role)
        existing.end_date = r.end or existing.end_date
        span = next(s for s in spans if s.pk == existing.pk)
        span.end, span.row = existing.end_date, r.number

    def _person(self, r: _RosterRow, unit_id: int) -> Person | None:
        person = _match_person(r, unit_id, self.people, self.planned, self.result)
        if person is None:
            return None
        if person.pk is not None:
            if not person.is_active:
                self.result.add(r.number, "姓名", f"{person.name}已停用，不能加入中心组")
                return None
            self.people_before.setdefault(id(person), _person_values(person))
        person.gender = r.gender
        person.post = r.post or person.post
        person.post_category = r.post_category or person.post_category
        person.phone = r.phone or person.phone
        if r.rank_order is not None:
            person.rank_order = r.rank_order
        self.touched[id(person)] = person
        return person

    def check_overlaps(self) -> None:
        for (_, person_id), spans in self.spans.items():
            _check_overlaps(spans, self.touched[person_id].name, self.result)

    def write(self) -> None:
        created = [p for people in self.planned.values() for p in people]
        changed = [
            p
            for p in self.touched.values()
            if p.pk is not None and _person_values(p) != self.people_before[id(p)]
        ]
        members = [
            m
            for ms in self.stored.made.values()
            for m in ms
            if m.pk in self.members_before and (m.role, m.end_date) != self.members_before[m.pk]
        ]
        Person.objects.bulk_create(created, batch_size=BATCH)
        _bulk_update_versioned(changed, ["gender", "post", "post_category", "rank_order", "phone"])
        # Each new membership's person now has a pk, which bulk_create copies to person_id.
        Membership.objects.bulk_create(self.new_members, batch_size=BATCH)
        _bulk_update_versioned(members, ["role", "role_rank", "end_date"])
        self.result.created = {"people": len(created), "memberships": len(self.new_members)}
        self.result.updated = {"people": len(changed), "memberships": len(members)}
        self.result.groups = [(g.pk, g.name) for g in self.groups.values()]


def _person_values(p: Person) -> tuple:
    return (p.gender, p.post, p.post_category, p.rank_order, p.phone)


def _match_person(r: _RosterRow, unit_id: int, people, planned, result) -> Person | None:
    """The stored or already planned person this row means, or a new planned one."""
    key = (unit_id, r.name)
    stored, new = people.get(key), planned[key]
    if r.phone:
        for candidates in (stored, new):
            same = [p for p in candidates if p.phone == r.phone]
            if same:
                return same[0]
        # Imported earlier without a phone: the one namesake, stored without one, is them.
        if len(stored) == 1 and not stored[0].phone:
            return stored[0]
    else:
        candidates = stored + new
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            result.add(
                r.number,
                "手机号",
                f"本单位有{len(candidates)}名叫“{r.name}”的人员，请填写手机号以区分",
            )
            return None
    person = Person(
        unit_id=unit_id,
        name=r.name,
        gender=r.gender,
        post=r.post,
        post_category=r.post_category,
        rank_order=100 if r.rank_order is None else r.rank_order,
        phone=r.phone,
    )
    new.append(person)
    return person


def _check_overlaps(spans: list[_Span], name: str, result: ImportResult) -> None:
    """Report each file row whose period overlaps another period of the same person in the
    same group (stored or in the file)."""
    reported = set()
    for i, a in enumerate(spans):
        for b in spans[i + 1 :]:
            if (a.row or b.row) and a.overlaps(b):
                row = max(x for x in (a.row, b.row) if x)
                if row not in reported:
                    reported.add(row)
                    result.add(row, "起始日期", f"{name}在该时段已是本中心组成员（任职时间重叠）")


def _bulk_update_versioned(objs: list, fields: list[str]) -> None:
    """bulk_update that also bumps the version column, so an edit form opened before the
    import gets a conflict instead of silently overwriting it."""
    if not objs:
        return
    for obj in objs:
        obj.version += 1
    type(objs[0]).objects.bulk_update(objs, [*fields, "version"], batch_size=BATCH)


# --- units -----------------------------------------------------------------------------


@dataclass
class _UnitRow:
    number: int
    code: str
    name: str
    kind: str
    parent_code: str
    order: int | None


def _parse_unit_row(number: int, cells: dict, result: ImportResult) -> _UnitRow | None:
    before = len(result.errors)
    code = xlsx.cell_text(cells["单位编码"])
    if not services.CODE_RE.match(code):
        result.add(number, "单位编码", "请填写单位编码" if not code else MSG_CODE)
    name = xlsx.cell_text(cells["单位名称"])
    if not name:
        result.add(number, "单位名称", "请填写单位名称")
    elif len(name) > 100:
        result.add(number, "单位名称", "单位名称不能超过100个字")
    elif problem := name_problem(name):
        result.add(number, "单位名称", problem)
    kind = xlsx.cell_text(cells["类型"])
    if kind not in Unit.Kind.values:
        result.add(number, "类型", f"单位类型不正确，应为：{KIND_LABELS}")
    parent_code = xlsx.cell_text(cells["上级单位编码"])
    if parent_code and not services.CODE_RE.match(parent_code):
        result.add(number, "上级单位编码", MSG_CODE)
    elif parent_code and parent_code == code:
        result.add(number, "上级单位编码", "上级单位不能是本单位")
    order = None
    try:
        order = xlsx.cell_int(cells["排序"])
    except ValueError:
        result.add(number, "排序", "排序应为0至99999之间的整数")
    if len(result.errors) > before:
        return None
    return _UnitRow(number, code, name, kind, parent_code, order)


def _units_apply(actor, rows: list[_UnitRow], result: ImportResult) -> None:
    plan = _UnitPlan(actor, result, rows)
    plan.check()
    if result.ok:
        plan.write()


class _UnitPlan:
    """Units named in the file (and their ancestors) are loaded once, so scope checks and
    parent chains need no further queries."""

    def __init__(self, actor, result: ImportResult, rows: list[_UnitRow]):
        self.actor, self.result = actor, result
        self.rows: dict[str, _UnitRow] = {}
        for r in rows:
            if r.code in self.rows:
                first = self.rows[r.code].number
                result.add(r.number, "单位编码", f"单位编码{r.code}与第{first}行重复")
            else:
                self.rows[r.code] = r
        codes = set(self.rows) | {r.parent_code for r in rows if r.parent_code}
        self.units = _units_by_code(codes)
        self.by_path = {u.path: u for u in self.units.values()}
        step = Unit.steplen
        ancestors = {
            u.path[:i] for u in self.units.values() for i in range(step, len(u.path), step)
        }
        for chunk in _chunks(ancestors - set(self.by_path)):
            self.by_path.update((u.path, u) for u in Unit.objects.filter(path__in=chunk))
        self.is_admin = access.principal_of(actor).admin_role == "sys_admin"

    def writable(self, code: str) -> bool:
        return code in self.units and access.can_write_unit(self.actor, self.units[code])

    def current_parent(self, code: str) -> str:
        unit = self.units[code]
        parent = self.by_path.get(unit.path[: -Unit.steplen]) if unit.depth > 1 else None
        return parent.code if parent else ""

    def final_parent(self, code: str) -> str:
        row = self.rows.get(code)
        if row is not None and row.parent_code:
            return row.parent_code
        return self.current_parent(code) if code in self.units else ""

    def moves(self, r: _UnitRow) -> bool:
        return bool(r.parent_code) and (
            r.code not in self.units or self.current_parent(r.code) != r.parent_code
        )

    def final_depth(self, code: str) -> int | None:
        """Depth of `code` in the tree after the import, or None if its parents loop."""
        seen, depth, current = {code}, 1, self.final_parent(code)
        while current:
            if current in seen:
                return None
            seen.add(current)
            depth, current = depth + 1, self.final_parent(current)
        return depth

    def check(self) -> None:
        add = self.result.add
        for r in self.rows.values():
            parent = self.units.get(r.parent_code)
            if r.code in self.units and not self.writable(r.code):
                add(r.number, "单位编码", out_of_scope(r.code))
            elif self.moves(r) and not (
                self.writable(r.parent_code)
                or (r.parent_code in self.rows and r.parent_code not in self.units)
            ):
                add(r.number, "上级单位编码", out_of_scope(r.parent_code))
            elif self.moves(r) and parent is not None and not parent.is_active:
                add(r.number, "上级单位编码", f"上级单位“{parent.name}”已停用")
            elif not r.parent_code and r.code not in self.units and not self.is_admin:
                add(
                    r.number, "上级单位编码", "请填写上级单位编码（只有系统管理员可以创建顶级单位）"
                )
            elif self.final_depth(r.code) is None:
                add(r.number, "上级单位编码", "不能移动到本单位或其下级单位之下（上下级关系循环）")

    def write(self) -> None:
        updated: set[str] = set()
        changed, reorder = [], []
        for r in self.rows.values():
            unit = self.units.get(r.code)
            if unit is None:
                continue
            order = unit.order if r.order is None else r.order
            if (unit.name, unit.kind, unit.order) != (r.name, r.kind, order):
                if order != unit.order:
                    reorder.append(unit)
                unit.name, unit.kind, unit.order = r.name, r.kind, order
                changed.append(unit)
                updated.add(r.code)
        _bulk_update_versioned(changed, ["name", "kind", "order"])
        # Decide the moves before creating: creation adds the new units to self.units.
        moves = sorted(
            (r for r in self.rows.values() if r.code in self.units and self.moves(r)),
            key=lambda r: self.final_depth(r.code),
        )
        created = self._create()
        # Tree writes go through treebeard one node at a time (sibling paths shift), so they
        # cost a few queries per new or moved unit; unit files are small. Shallowest first:
        # then no unit is ever moved under one of its current descendants.
        for r in moves:
            Unit.objects.move(
                Unit.objects.get(pk=self.units[r.code].pk),
                Unit.objects.get(pk=self.units[r.parent_code].pk),
                "sorted-child",
            )
            updated.add(r.code)
        moved = {r.code for r in moves}
        for unit in reorder:
            if unit.code not in moved:
                _resort(Unit.objects.get(pk=unit.pk))
        self.result.created = {"units": len(created), "groups": len(created)}
        self.result.updated = {"units": len(updated)}

    def _create(self) -> list[Unit]:
        """New units, parents before children, each with its study group."""
        created: list[Unit] = []
        pending = [r for r in self.rows.values() if r.code not in self.units]
        while pending:
            ready = [r for r in pending if not r.parent_code or r.parent_code in self.units]
            if not ready:  # cannot happen: check() refused loops
                raise RuntimeError("unit import: unresolvable parents")
            for r in ready:
                fields = dict(
                    code=r.code, name=r.name, kind=r.kind, order=100 if r.order is None else r.order
                )
                if r.parent_code:
                    parent = Unit.objects.get(pk=self.units[r.parent_code].pk)
                    unit = Unit.objects.add_child(parent, fields)
                else:
                    unit = Unit.objects.add_root(fields)
                self.units[r.code] = unit
                created.append(unit)
            pending = [r for r in pending if r not in ready]
        StudyGroup.objects.bulk_create(
            [StudyGroup(unit=u, name=f"{u.name}理论学习中心组") for u in created], batch_size=BATCH
        )
        return created


def _resort(unit: Unit) -> None:
    """Put `unit` back in its place among siblings after its order changed."""
    parent = Unit.objects.get_parent(unit)
    if parent is not None:
        Unit.objects.move(unit, parent, "sorted-child")
    else:
        Unit.objects.move(unit, unit.get_first_root_node(), "sorted-sibling")


# --- templates -------------------------------------------------------------------------


def _instructions(columns: list[tuple[str, str, str]], notes: list[str]) -> xlsx.Sheet:
    return xlsx.Sheet(
        title="填写说明",
        headers=["列名", "是否必填", "填写说明"],
        rows=columns,
        widths=[16, 10, 80],
        wrap=True,
        notes=notes,
    )


COMMON_NOTES = [
    "1. 请在“导入数据”工作表中填写，第1行表头不要修改；第2行为示例，导入前请删除。",
    "2. 整个文件要么全部导入，要么（任何一行有错时）一行也不导入；系统会列出每个错误的行号和原因。",
    "3. 同一文件可以重复导入：已有记录会被更新，不会重复添加。留空的可选列不会覆盖已有内容。",
    "4. 日期可填写Excel日期，或文本“2025-01-01”。",
]


def roster_template() -> bytes:
    """The roster import template: header + one example row, and a "填写说明" sheet."""
    example = [
        "DW001",
        "张三",
        "男",
        "党委副书记",
        "党委（党组）副书记",
        2,
        "13800000000",
        "副组长",
        dt.date(2025, 1, 1),
        None,
    ]
    columns = [
        ("单位编码", "必填", "中心组所属单位的编码（在“组织机构”中查看），须在您的管理范围内"),
        ("姓名", "必填", "不超过40个字"),
        ("性别", "必填", "男 或 女"),
        ("职务", "可选", "如：党委书记、党群工作部部长；不超过100个字"),
        (
            "职务类别",
            "可选",
            f"只能是：{CATEGORY_LABELS}；名册必备职务按此核对（不按职务文字）；留空不改变已有类别",
        ),
        ("排序号", "可选", "按职务排序，数字越小越靠前；新人员留空时为100"),
        ("手机号", "可选", "11位手机号或带区号的固定电话；同一单位有同名人员时必须填写"),
        ("组内角色", "必填", f"只能是：{ROLE_LABELS}"),
        ("起始日期", "必填", "加入中心组的日期"),
        ("结束日期", "可选", "离开中心组的日期，不早于起始日期；在任留空"),
    ]
    notes = COMMON_NOTES + [
        "5. 人员按“单位+姓名+手机号”识别（手机号为空时按“单位+姓名”）；"
        "成员身份按“人员+起始日期”识别，再次导入时更新组内角色和结束日期。",
        "6. 同一人员在同一中心组的任职时间不能重叠。",
    ]
    return xlsx.workbook_bytes(
        xlsx.Sheet(title="导入数据", headers=ROSTER_COLUMNS, rows=[example]),
        _instructions(columns, notes),
    )


def units_template() -> bytes:
    """The units import template: header + one example row, and a "填写说明" sheet."""
    example = ["DW001", "市教育局党委", "党委", "SWXCB", 10]
    columns = [
        ("单位编码", "必填", "字母、数字、下划线或短横线，最长40位；全系统唯一，用于识别单位"),
        ("单位名称", "必填", "不超过100个字"),
        ("类型", "必填", f"只能是：{KIND_LABELS}"),
        (
            "上级单位编码",
            "新单位必填",
            "须在您的管理范围内，或是本文件中的另一个新单位；填写与现有不同的上级单位时，"
            "该单位连同下级一起移动。已有单位留空则保持原上级不变；只有系统管理员可以留空创建顶级单位",
        ),
        ("排序", "可选", "同级单位中的顺序，数字越小越靠前；新单位留空时为100"),
    ]
    notes = COMMON_NOTES + ["5. 新单位会同时建立其理论学习中心组。"]
    return xlsx.workbook_bytes(
        xlsx.Sheet(title="导入数据", headers=UNIT_COLUMNS, rows=[example]),
        _instructions(columns, notes),
    )
