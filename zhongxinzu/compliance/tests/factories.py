"""Records of a study year made directly through the models (the compliance engine reads
models, not other apps' services)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from zhongxinzu.lib.workdays import add_working_days
from zhongxinzu.meetings.models import AgendaItem, Attendance, MakeUp, StudySession
from zhongxinzu.org.models import Membership, Person, StudyGroup, Unit
from zhongxinzu.outputs.models import Conversion, Output
from zhongxinzu.plans.models import FirstItem, Prompt, PromptAck, YearPlan
from zhongxinzu.supervision.models import ObservationVisit, VisitPlan

TZ = timezone.get_fixed_timezone(8 * 60)
_seq = itertools.count(1)


def at(*args) -> dt.datetime:
    """An aware datetime in China time: at(2025, 3, 5, 9, 0)."""
    return dt.datetime(*args, tzinfo=TZ)


def make_group(parent: Unit, *, code: str | None = None, members: int = 4, since=None):
    """A unit under `parent` with its group: 组长, `members` 成员 and a 学习秘书 (since 2020).
    Returns (group, {"leader": Person, "members": [Person], "secretary": Person})."""
    code = code or f"T{next(_seq)}"
    unit = Unit.objects.add_child(
        Unit.objects.get(pk=parent.pk), {"code": code, "name": f"测试单位{code}", "kind": "党委"}
    )
    group = StudyGroup.objects.create(unit=unit, name=f"测试单位{code}理论学习中心组")
    group = StudyGroup.objects.select_related("unit").get(pk=group.pk)
    since = since or dt.date(2020, 1, 1)

    def person(name, post, role, rank):
        p = Person.objects.create(unit=unit, name=name, gender="男", post=post, rank_order=rank)
        Membership.objects.create(
            group=group, person=p, role=role, role_rank=Membership.rank_of(role), start_date=since
        )
        return p

    people = {
        "leader": person(f"组长{code}", "党委书记", "leader", 1),
        "members": [person(f"成员{code}-{i}", "副局长", "member", 10 + i) for i in range(members)],
        "secretary": person(f"秘书{code}", "办公室主任", "secretary", 50),
    }
    return group, people


def fresh(group) -> StudyGroup:
    return StudyGroup.objects.select_related("unit").get(pk=group.pk)


def session(
    group,
    starts: dt.datetime,
    *,
    kind=StudySession.Kind.COLLECTIVE_STUDY,
    minutes=180,
    status=StudySession.Status.RECORDED,
    recorded_after=dt.timedelta(days=1),
    first_item: FirstItem | None | bool = True,
    lead_reader=None,
    title=None,
) -> StudySession:
    ends = starts + dt.timedelta(minutes=minutes)
    s = StudySession.objects.create(
        group=group,
        kind=kind,
        title=title or f"第{next(_seq)}次集体学习",
        starts_at=starts,
        ends_at=ends,
        place="会议室",
        status=status,
        lead_reader=lead_reader,
        held_at=ends if status != StudySession.Status.PLANNED else None,
        recorded_at=ends + recorded_after if status == StudySession.Status.RECORDED else None,
    )
    if first_item:
        item = first_item if isinstance(first_item, FirstItem) else None
        AgendaItem.objects.create(session=s, order=1, title="第一议题", first_item=item)
        if item is None:
            AgendaItem.objects.filter(session=s).update(first_item=_any_item(group))
    return s


def _any_item(group) -> FirstItem:
    from zhongxinzu.accounts.models import User

    user = User.objects.order_by("pk").first()
    return FirstItem.objects.create(
        owner_unit=group.unit,
        title=f"重要讲话{next(_seq)}",
        kind=FirstItem.Kind.SPEECH,
        released_on=dt.date(2000, 1, 1),  # outside every period the tests look at
        created_by=user,
    )


def roll(s: StudySession, statuses: dict) -> dict[int, Attendance]:
    """Attendance for {person: status}; absences and leave get a make-up due in 30 days."""
    out = {}
    for person, status in statuses.items():
        a = Attendance.objects.create(session=s, person=person, status=status)
        if status in (Attendance.Status.ABSENT, Attendance.Status.LEAVE):
            MakeUp.objects.create(
                attendance=a,
                due_date=timezone.localtime(s.starts_at).date() + dt.timedelta(days=30),
                status=MakeUp.Status.CONFIRMED,
                submitted_at=s.starts_at + dt.timedelta(days=3),
            )
        out[person.pk] = a
    return out


def everyone(people, status=Attendance.Status.PRESENT, **overrides) -> dict:
    """{person: status} for the leader and members, with `overrides` by Person."""
    result = dict.fromkeys([people["leader"], *people["members"]], status)
    result.update(overrides.pop("by_person", {}))
    return result


def output(group, author, *, year, kind=Output.Kind.ARTICLE, status=Output.Status.SUBMITTED,
           session=None, reviewed_at=None, submitted_at=None) -> Output:  # fmt: skip
    return Output.objects.create(
        group=group,
        author=author,
        kind=kind,
        title=f"成果{next(_seq)}",
        year=year,
        status=status,
        session=session,
        reviewed_at=reviewed_at,
        submitted_at=submitted_at or at(year, 6, 1, 9, 0),
    )


def conversion(out: Output, *, kind=Conversion.Kind.POLICY, on=dt.date(2025, 9, 1)):
    return Conversion.objects.create(
        output=out,
        kind=kind,
        title=f"转化成果{next(_seq)}",
        doc_number="X〔2025〕1号",
        issued_on=on,
    )


def plan(group, year, *, filed_at=None, status=YearPlan.Status.FILED) -> YearPlan:
    return YearPlan.objects.create(
        group=group, year=year, title=f"{year}年度学习计划", status=status, filed_at=filed_at
    )


def prompt(unit, user, issued_at) -> Prompt:
    return Prompt.objects.create(
        issuer_unit=unit,
        year=issued_at.year,
        quarter=(issued_at.month - 1) // 3 + 1,
        title=f"学习提示{next(_seq)}",
        themes="主题",
        status=Prompt.Status.ISSUED,
        issued_at=issued_at,
        created_by=user,
    )


def ack(p: Prompt, group, user, when: dt.datetime) -> PromptAck:
    a = PromptAck.objects.create(prompt=p, group=group, acknowledged_by=user)
    PromptAck.objects.filter(pk=a.pk).update(acknowledged_at=when)
    return a


def first_item(unit, user, released_on: dt.date, title=None) -> FirstItem:
    return FirstItem.objects.create(
        owner_unit=unit,
        title=title or f"重要讲话{next(_seq)}",
        kind=FirstItem.Kind.SPEECH,
        released_on=released_on,
        created_by=user,
    )


def visit(
    group,
    planned_on: dt.date,
    *,
    owner: Unit,
    by,
    sent_at: dt.datetime | None = None,
    summary_at: dt.datetime | None = None,
    published: bool = True,
    **kwargs,
) -> ObservationVisit:
    """An observation visit of a (published) plan, with its deadlines in working days as the
    default rules set them (materials 5 before, summary 10 after)."""
    plan = VisitPlan.objects.create(
        owner_unit=owner,
        year=planned_on.year,
        title=f"旁听计划{next(_seq)}",
        period_start=planned_on.replace(month=1, day=1),
        period_end=planned_on.replace(month=12, day=31),
        status=VisitPlan.Status.PUBLISHED if published else VisitPlan.Status.DRAFT,
        created_by=by,
    )
    return ObservationVisit.objects.create(
        plan=plan,
        group=group,
        planned_on=planned_on,
        materials_due=add_working_days(planned_on, -5),
        materials_sent_at=sent_at,
        summary_due=add_working_days(planned_on, 10),
        summary_submitted_at=summary_at,
        **kwargs,
    )


def build_year(world, year: int = 2025):
    """Two groups under the supervisor's unit with a full year of records: `good` meets every
    rule; `bad` breaks one record of every kind. Returns a namespace."""
    from types import SimpleNamespace

    from zhongxinzu.org.models import RosterRequirement

    supervisor = world.users["supervisor"]
    own = world.units["own"]
    good, gp = make_group(own, code="GOOD", members=9)
    bad, bp = make_group(own, code="BAD", members=4)
    RosterRequirement.objects.create(scope=bad.unit, label="党群部门负责人", keywords="党群")
    topical_months = {3, 6, 9, 12}
    item = first_item(world.units["own"], supervisor, dt.date(year, 4, 1), title="重要讲话甲")
    for month in range(1, 13):
        kind = StudySession.Kind.TOPICAL if month in topical_months else "study"
        first = item if month == 4 else True
        s = session(good, at(year, month, 15, 9, 0), kind=kind, first_item=first,
                    lead_reader=gp["leader"] if month % 2 else gp["members"][0])  # fmt: skip
        absent = {gp["members"][0]: "absent"} if month == 5 else {}
        roll(s, everyone(gp, by_person=absent))
        if kind == StudySession.Kind.TOPICAL:  # every discussion minuted (研讨记录簿)
            StudySession.objects.filter(pk=s.pk).update(minutes="研讨纪要。")
        if month == 6:
            output(good, gp["members"][1], year=year, kind="speech", status="approved",
                   session=s, reviewed_at=s.starts_at - dt.timedelta(days=1))  # fmt: skip
    for person in [gp["leader"], *gp["members"]]:
        output(good, person, year=year)
        output(good, person, year=year, kind=Output.Kind.NOTES)  # 自学笔记
    conversion(output(good, gp["leader"], year=year, kind="research"))
    plan(good, year, filed_at=at(year, 1, 20, 10, 0))
    # observed in June, materials sent before the deadline (06-09, 5 working days ahead)
    visit(good, dt.date(year, 6, 15), owner=own, by=supervisor, sent_at=at(year, 6, 6, 9, 0))
    p = prompt(world.units["own"], supervisor, at(year, 3, 1, 9, 0))
    ack(p, good, supervisor, at(year, 3, 3, 9, 0))

    # the irregular group: 9 sessions (none from October), one short, one without a first
    # item, one never recorded; one member mostly absent with an overdue make-up; no plan
    # on time, no acknowledgement, the first item never studied, a draft never reviewed,
    # the observation materials sent late.
    for month in range(1, 10):
        kind = StudySession.Kind.TOPICAL if month in topical_months else "study"
        s = session(
            bad,
            at(year, month, 10, 9, 0),
            kind=kind,
            minutes=120 if month == 2 else 180,
            first_item=month != 3,
            status="held" if month == 8 else "recorded",
        )
        by_person = {bp["members"][0]: "absent"} if month % 2 else {}
        roll(s, everyone(bp, by_person=by_person))
        if month == 7:
            output(bad, bp["members"][1], year=year, kind="speech", status="submitted", session=s)
    MakeUp.objects.filter(
        attendance__session__group=bad, attendance__session__starts_at__month=9
    ).update(status=MakeUp.Status.OPEN, submitted_at=None)
    for person in [bp["leader"], bp["members"][0], bp["members"][2], bp["members"][3]]:
        output(bad, person, year=year)
    plan(bad, year, filed_at=at(year, 2, 10, 10, 0))
    # observed in July, materials sent after the deadline (07-03)
    visit(bad, dt.date(year, 7, 10), owner=own, by=supervisor, sent_at=at(year, 7, 8, 9, 0))
    # Units keep their siblings sorted by code, so adding one may move another's path.
    good, bad = fresh(good), fresh(bad)
    return SimpleNamespace(good=good, gp=gp, bad=bad, bp=bp, item=item, prompt=p, year=year)
