"""Writes to the org tree and rosters. Each validates, runs atomically and audits."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhongxinzu.audit.services import audit_record
from zhongxinzu.lib.changes import figures_changed
from zhongxinzu.lib.text import name_problem
from zhongxinzu.lib.versioning import save_versioned
from zhongxinzu.org.access import subtree_q
from zhongxinzu.org.models import (
    Membership,
    Person,
    PostCategory,
    RosterRequirement,
    StudyGroup,
    Unit,
)

PHONE_RE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")

UNIT_FIELDS = ["name", "code", "kind", "order", "is_active"]
PERSON_FIELDS = [
    "unit_id",
    "name",
    "gender",
    "post",
    "post_category",
    "rank_order",
    "phone",
    "is_active",
]


def _changes(obj, data: dict) -> dict:
    return {k: str(v) for k, v in data.items() if getattr(obj, k) != v}


# --- units -----------------------------------------------------------------------------


def unit_validate(*, code: str, name: str, kind: str, exclude_pk=None) -> None:
    errors = {}
    if not name or not name.strip():
        errors["name"] = "请填写单位名称"
    elif problem := name_problem(name):
        errors["name"] = problem
    if not CODE_RE.match(code or ""):
        errors["code"] = "单位编码只能包含字母、数字、下划线和短横线，最长40位"
    elif Unit.objects.filter(code=code).exclude(pk=exclude_pk).exists():
        errors["code"] = f"单位编码“{code}”已被使用"
    if kind not in Unit.Kind.values:
        errors["kind"] = "单位类型不正确"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def unit_create(
    *,
    actor,
    parent: Unit | None,
    name: str,
    code: str,
    kind: str,
    order: int = 100,
    with_group: bool = True,
) -> Unit:
    """Create a unit (under `parent`, or as a root) and, by default, its study group."""
    unit_validate(code=code, name=name, kind=kind)
    fields = dict(name=name.strip(), code=code, kind=kind, order=order)
    if parent is None:
        unit = Unit.objects.add_root(fields)
    else:
        unit = Unit.objects.add_child(Unit.objects.get(pk=parent.pk), fields)
    audit_record(
        actor=actor, action="create", obj=unit, detail={"parent": getattr(parent, "pk", None)}
    )
    if with_group:
        group_create(actor=actor, unit=unit)
    return unit


@transaction.atomic
def unit_update(*, actor, unit: Unit, expected_version: int | None = None, **data) -> Unit:
    data = {k: v for k, v in data.items() if k in UNIT_FIELDS}
    unit_validate(
        code=data.get("code", unit.code),
        name=data.get("name", unit.name),
        kind=data.get("kind", unit.kind),
        exclude_pk=unit.pk,
    )
    changes = _changes(unit, data)
    reorder = "order" in changes
    for key, value in data.items():
        setattr(unit, key, value)
    save_versioned(unit, expected_version=expected_version, fields=UNIT_FIELDS)
    if reorder:
        _resort(unit)
    audit_record(actor=actor, action="update", obj=unit, detail=changes)
    return unit


def _resort(unit: Unit) -> None:
    unit = Unit.objects.get(pk=unit.pk)
    parent = Unit.objects.get_parent(unit)
    if parent is not None:
        Unit.objects.move(unit, parent, "sorted-child")
    else:
        Unit.objects.move(unit, unit.get_first_root_node(), "sorted-sibling")


@transaction.atomic
def unit_move(*, actor, unit: Unit, new_parent: Unit) -> Unit:
    """Move `unit` (with its subtree) under `new_parent`."""
    unit = Unit.objects.get(pk=unit.pk)
    new_parent = Unit.objects.get(pk=new_parent.pk)
    if new_parent.pk == unit.pk or new_parent.path.startswith(unit.path):
        raise ValidationError({"new_parent": "不能移动到本单位或其下级单位之下"})
    old_parent = Unit.objects.get_parent(unit)
    Unit.objects.move(unit, new_parent, "sorted-child")
    unit.refresh_from_db()
    audit_record(
        actor=actor,
        action="move",
        obj=unit,
        detail={"from": getattr(old_parent, "pk", None), "to": new_parent.pk},
    )
    return unit


@transaction.atomic
def unit_set_active(*, actor, unit: Unit, active: bool) -> Unit:
    below = Unit.objects.filter(subtree_q([unit])).exclude(pk=unit.pk)
    if not active and below.filter(is_active=True).exists():
        raise ValidationError("请先停用该单位的全部下级单位")
    Unit.objects.filter(pk=unit.pk).update(is_active=active)
    StudyGroup.objects.filter(unit=unit).update(is_active=active)
    unit.is_active = active
    audit_record(actor=actor, action="activate" if active else "deactivate", obj=unit)
    return unit


# --- groups ----------------------------------------------------------------------------


def group_create(*, actor, unit: Unit, name: str = "") -> StudyGroup:
    group = StudyGroup.objects.create(
        unit=unit,
        name=name or f"{unit.name}理论学习中心组",
        established_on=timezone.localdate(),
    )
    figures_changed(group.pk)
    audit_record(actor=actor, action="create", obj=group)
    return group


@transaction.atomic
def group_update(*, actor, group: StudyGroup, name: str, expected_version=None) -> StudyGroup:
    if not name.strip():
        raise ValidationError({"name": "请填写中心组名称"})
    group.name = name.strip()
    save_versioned(group, expected_version=expected_version, fields=["name"])
    audit_record(actor=actor, action="update", obj=group, detail={"name": group.name})
    return group


# --- people ----------------------------------------------------------------------------


def person_validate(*, name: str, gender: str, phone: str) -> None:
    errors = {}
    if not (name or "").strip():
        errors["name"] = "请填写姓名"
    elif len(name.strip()) > 40:
        errors["name"] = "姓名不能超过40个字"
    elif problem := name_problem(name):
        errors["name"] = problem
    if gender not in Person.Gender.values:
        errors["gender"] = "性别应为“男”或“女”"
    if phone and not PHONE_RE.match(phone):
        errors["phone"] = "手机号应为11位数字（或带区号的固定电话）"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def person_create(
    *,
    actor,
    unit: Unit,
    name: str,
    gender: str,
    post: str = "",
    post_category: str = "",
    rank_order: int = 100,
    phone: str = "",
) -> Person:
    person_validate(name=name, gender=gender, phone=phone)
    if post_category and post_category not in PostCategory.values:
        raise ValidationError({"post_category": "职务类别不在列表中"})
    person = Person.objects.create(
        unit=unit,
        name=name.strip(),
        gender=gender,
        post=post.strip(),
        post_category=post_category,
        rank_order=rank_order,
        phone=phone.strip(),
    )
    audit_record(actor=actor, action="create", obj=person)
    return person


@transaction.atomic
def person_update(*, actor, person: Person, expected_version: int | None = None, **data) -> Person:
    if "unit" in data:
        data["unit_id"] = data.pop("unit").pk
    data = {k: v for k, v in data.items() if k in PERSON_FIELDS}
    person_validate(
        name=data.get("name", person.name),
        gender=data.get("gender", person.gender),
        phone=data.get("phone", person.phone),
    )
    if data.get("post_category") and data["post_category"] not in PostCategory.values:
        raise ValidationError({"post_category": "职务类别不在列表中"})
    changes = _changes(person, data)
    changes.pop("phone", None) and changes.update(phone="(已修改)")
    for key, value in data.items():
        setattr(person, key, value)
    save_versioned(person, expected_version=expected_version, fields=PERSON_FIELDS)
    audit_record(actor=actor, action="update", obj=person, detail=changes)
    return person


@transaction.atomic
def person_deactivate(*, actor, person: Person, on: dt.date | None = None) -> Person:
    """A person leaves: deactivate and end their open memberships (records stay)."""
    on = on or timezone.localdate()
    figures_changed(
        groups=active_open_memberships(person=person).values_list("group_id", flat=True)
    )
    ended = active_open_memberships(person=person).update(end_date=on)
    Person.objects.filter(pk=person.pk).update(is_active=False)
    person.is_active = False
    audit_record(actor=actor, action="deactivate", obj=person, detail={"memberships_ended": ended})
    return person


def active_open_memberships(*, person: Person):
    return Membership.objects.filter(person=person, end_date__isnull=True)


# --- memberships -----------------------------------------------------------------------


def membership_validate(
    *, group: StudyGroup, person: Person, role: str, start_date, end_date=None, exclude_pk=None
) -> None:
    errors = {}
    if role not in Membership.Role.values:
        errors["role"] = "组内角色不正确，应为：组长、副组长、成员、学习秘书、联络员、列席"
    if not start_date:
        errors["start_date"] = "请填写起始日期"
    elif end_date and end_date < start_date:
        errors["end_date"] = "结束日期不能早于起始日期"
    if not person.is_active:
        errors["person"] = f"{person.name}已停用，不能加入中心组"
    if not errors:
        overlapping = Membership.objects.filter(group=group, person=person).exclude(pk=exclude_pk)
        overlapping = overlapping.filter(_overlap_q(start_date, end_date))
        if overlapping.exists():
            errors["person"] = f"{person.name}在该时段已是本中心组成员"
    if errors:
        raise ValidationError(errors)


def _overlap_q(start, end) -> Q:
    q = Q(end_date__isnull=True) | Q(end_date__gte=start)
    if end:
        q &= Q(start_date__lte=end)
    return q


@transaction.atomic
def membership_create(
    *,
    actor,
    group: StudyGroup,
    person: Person,
    role: str,
    start_date,
    end_date=None,
    note: str = "",
) -> Membership:
    membership_validate(
        group=group, person=person, role=role, start_date=start_date, end_date=end_date
    )
    m = Membership.objects.create(
        group=group,
        person=person,
        role=role,
        role_rank=Membership.rank_of(role),
        start_date=start_date,
        end_date=end_date,
        note=note,
    )
    figures_changed(group.pk)
    audit_record(actor=actor, action="create", obj=m)
    return m


@transaction.atomic
def membership_update(
    *, actor, membership: Membership, expected_version=None, **data
) -> Membership:
    m = membership
    for key in ("role", "start_date", "end_date", "note"):
        if key in data:
            setattr(m, key, data[key])
    membership_validate(
        group=m.group,
        person=m.person,
        role=m.role,
        start_date=m.start_date,
        end_date=m.end_date,
        exclude_pk=m.pk,
    )
    m.role_rank = Membership.rank_of(m.role)
    save_versioned(
        m,
        expected_version=expected_version,
        fields=["role", "role_rank", "start_date", "end_date", "note"],
    )
    figures_changed(membership.group_id)
    audit_record(actor=actor, action="update", obj=m, detail={k: str(v) for k, v in data.items()})
    return m


@transaction.atomic
def membership_end(
    *, actor, membership: Membership, end_date: dt.date, expected_version=None
) -> Membership:
    if end_date < membership.start_date:
        raise ValidationError({"end_date": "结束日期不能早于起始日期"})
    membership.end_date = end_date
    save_versioned(membership, expected_version=expected_version, fields=["end_date"])
    figures_changed(membership.group_id)
    audit_record(actor=actor, action="end", obj=membership, detail={"end_date": str(end_date)})
    return membership


# --- roster rules ----------------------------------------------------------------------


@transaction.atomic
def roster_requirement_create(
    *, actor, scope: Unit, label: str, post_category: str
) -> RosterRequirement:
    if not label.strip() or post_category not in PostCategory.values:
        raise ValidationError("请填写要求名称并选择职务类别")
    req = RosterRequirement.objects.create(
        scope=scope, label=label.strip(), post_category=post_category
    )
    audit_record(actor=actor, action="create", obj=req)
    return req


@transaction.atomic
def roster_requirement_deactivate(*, actor, requirement: RosterRequirement) -> None:
    RosterRequirement.objects.filter(pk=requirement.pk).update(is_active=False)
    audit_record(actor=actor, action="deactivate", obj=requirement)
