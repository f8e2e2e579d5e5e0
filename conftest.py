"""Shared fixtures: a small tree with one user per role, and one object per relation.

    R 市委宣传部 (parent) ─┬─ A 市教育局党委 (own) ── A1 市第一中学党委 (child)
                          └─ B 市卫健委党组 (sibling)
    X 外省某单位 (unrelated root)

Every role except observer and the admins is held at A: supervisor (granted A),
secretary / leader / member (on A's roster).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

ROLES = [
    "anonymous",
    "supervisor",
    "secretary",
    "leader",
    "member",
    "observer",
    "sys_admin",
    "sec_admin",
    "audit_admin",
]
RELATIONS = ["own", "child", "parent", "sibling", "unrelated"]
PASSWORD = "Zxz@2026test"


@dataclass
class World:
    units: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)  # relation -> an ordinary member Person
    memberships: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    devices: dict = field(default_factory=dict)

    def login(self, client, role: str):
        """Log `client` in as `role` (admins also pass the TOTP step)."""
        if role == "anonymous":
            return client
        user = self.users[role]
        client.force_login(user, backend="zhongxinzu.accounts.backends.PolicyModelBackend")
        session = client.session
        # As the login view does, so a test's first page view writes no session either.
        session["login_at"] = session["renewed_at"] = time.time()
        if role in self.devices:
            session["otp_device_id"] = self.devices[role].persistent_id
        session.save()
        return client


def build_world() -> World:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from zhongxinzu.accounts.models import Role, RoleGrant, User
    from zhongxinzu.org.models import Membership, Person, StudyGroup, Unit

    w = World()
    today = timezone.localdate()
    start = today - dt.timedelta(days=365)

    def unit(parent, code, name, kind="党委"):
        fields = dict(code=code, name=name, kind=kind)
        u = (
            Unit.objects.add_root(fields)
            if parent is None
            else Unit.objects.add_child(Unit.objects.get(pk=parent.pk), fields)
        )
        StudyGroup.objects.create(unit=u, name=f"{name}理论学习中心组")
        return Unit.objects.get(pk=u.pk)

    w.units["parent"] = unit(None, "R", "市委宣传部", "部门")
    w.units["own"] = unit(w.units["parent"], "A", "市教育局党委")
    w.units["child"] = unit(w.units["own"], "A1", "市第一中学党委")
    w.units["sibling"] = unit(w.units["parent"], "B", "市卫健委党组", "党组")
    w.units["unrelated"] = unit(None, "X", "外省某单位党委")
    for rel, u in w.units.items():
        w.groups[rel] = StudyGroup.objects.get(unit=u)
        person = Person.objects.create(
            unit=u, name=f"成员{rel}", gender="男", post="副局长", rank_order=5, phone="13800000001"
        )
        w.people[rel] = person
        w.memberships[rel] = Membership.objects.create(
            group=w.groups[rel], person=person, role="member", role_rank=2, start_date=start
        )

    def user(username, person=None):
        u = User.objects.create_user(
            username,
            password=PASSWORD,
            first_name=username,
            person=person,
            password_changed_at=timezone.now(),
        )
        w.users[username] = u
        return u

    own_group, own_unit = w.groups["own"], w.units["own"]
    for role, mrole, post in [
        ("secretary", "secretary", "办公室主任"),
        ("leader", "leader", "党委书记"),
        ("member", "member", "副局长"),
    ]:
        person = Person.objects.create(
            unit=own_unit,
            name=f"{role}人",
            gender="女",
            post=post,
            rank_order=1,
            phone="13900000002",
        )
        Membership.objects.create(
            group=own_group,
            person=person,
            role=mrole,
            role_rank=Membership.rank_of(mrole),
            start_date=start,
        )
        user(role, person)
    RoleGrant.objects.create(user=user("supervisor"), role=Role.SUPERVISOR, unit=own_unit)
    RoleGrant.objects.create(user=user("observer"), role=Role.OBSERVER)
    for role in ("sys_admin", "sec_admin", "audit_admin"):
        RoleGrant.objects.create(user=user(role), role=role)
        w.devices[role] = TOTPDevice.objects.create(user=w.users[role], name="test", confirmed=True)
    return w


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _entered_calendar_days(request):
    """lib.workdays keeps the entered holidays per process: every test starts from the
    database (the rolled-back rows of an earlier test must not linger), and a test without
    database access sees none, so pure functions that count working days stay pure."""
    from zhongxinzu.lib import workdays

    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    )
    previous = None if uses_db else workdays.use_entered_days(lambda year: {})
    workdays.forget_entered_days()
    yield
    if previous is not None:
        workdays.use_entered_days(previous)
    workdays.forget_entered_days()
