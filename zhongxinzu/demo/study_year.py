"""Two years of study activity for the demo city: prompts and acknowledgements, the
first-item pool, year plans, monthly sessions with attendance, leave and make-up study,
outputs and conversions — including the irregular cases the rules must catch:

- JC-SJ held too few sessions this year;
- the demo `member` (市教育局) is under the participation rate and owes an overdue make-up;
- JC-JT filed this year's plan late;
- JC-NY never acknowledged this year's third-quarter prompt;
- JC-CZ never studied one first item;
- JC-GA held a session and has not recorded it;
- one of JC-WJ's sessions was shorter than the minimum length;
- the demo group has an upcoming session with a speech draft waiting for the leader.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from zhongxinzu.lib.workdays import is_workday
from zhongxinzu.meetings.models import (
    AgendaItem,
    Attendance,
    LeaveRequest,
    MakeUp,
    Speaker,
    StudySession,
)
from zhongxinzu.meetings.selectors import CORE_ROLES
from zhongxinzu.org.models import StudyGroup
from zhongxinzu.org.selectors import roster
from zhongxinzu.outputs.models import Conversion, Output
from zhongxinzu.plans.models import FirstItem, PlanTopic, Prompt, PromptAck, YearPlan
from zhongxinzu.rules.services import rulebook_for

FEW_SESSIONS_UNIT = "JC-SJ"
LATE_PLAN_UNIT = "JC-JT"
NO_ACK_UNIT, NO_ACK_QUARTER = "JC-NY", 3
SKIPPED_ITEM_UNIT, SKIPPED_ITEM_INDEX = "JC-CZ", 4
UNRECORDED_UNIT = "JC-GA"
SHORT_SESSION_UNIT = "JC-WJ"
DEMO_GROUP = "JC-JY"

FIRST_ITEMS = [
    ("speech", "习近平总书记在中央经济工作会议上的重要讲话"),
    ("speech", "习近平总书记在中央纪委全会上的重要讲话"),
    ("speech", "习近平总书记在全国两会期间的重要讲话"),
    ("article", "《求是》杂志发表习近平总书记关于党的自我革命的重要文章"),
    ("speech", "习近平总书记在中央政治局集体学习时的重要讲话"),
    ("instruction", "习近平总书记对安全生产工作作出的重要指示"),
    ("speech", "习近平总书记在庆祝中国共产党成立纪念大会上的重要讲话"),
    ("speech", "习近平总书记考察调研时的重要讲话"),
    ("decision", "中共中央关于进一步全面深化改革的重要部署"),
    ("instruction", "习近平总书记对宣传思想文化工作作出的重要指示"),
    ("speech", "习近平总书记在中央全面深化改革委员会会议上的重要讲话"),
    ("article", "《求是》杂志发表习近平总书记关于生态文明建设的重要文章"),
]
TOPICS = [
    "深入学习贯彻习近平新时代中国特色社会主义思想",
    "学习贯彻中央经济工作会议精神",
    "党的创新理论与高质量发展",
    "学习党章党规党纪，严明政治纪律",
    "全面深化改革的重大部署",
    "树立和践行正确政绩观",
    "党的历史与伟大建党精神",
    "意识形态工作责任制",
    "法治建设与依法行政",
    "铸牢中华民族共同体意识",
    "统筹发展和安全",
    "年度学习总结与研讨",
]
PROMPT_THEMES = {
    1: "学习贯彻中央经济工作会议精神；学习党章党规党纪",
    2: "学习贯彻全国两会精神；党的创新理论与高质量发展",
    3: "学习伟大建党精神；全面深化改革的重大部署",
    4: "意识形态工作；统筹发展和安全；年度学习总结",
}
KIND_BY_MONTH = {
    3: "topical",
    6: "topical",
    9: "topical",
    12: "topical",
    5: "reading",
    8: "field",
    10: "lecture",
}


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _workday(year: int, month: int, rng: random.Random) -> dt.date:
    day = dt.date(year, month, rng.randint(8, 22))
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def build_study_years(city, rng: random.Random, today: dt.date) -> None:
    supervisor = city.accounts["supervisor"]
    # Tree order, so the random draws (and the data) are the same on every database.
    groups = {
        g.unit.code: g for g in StudyGroup.objects.select_related("unit").order_by("unit__path")
    }
    for year in (today.year - 1, today.year):
        items = _first_items(city, year, today, supervisor)
        _prompts(city, groups, year, today, supervisor, rng)
        for code, group in groups.items():
            book = rulebook_for(group.unit, year)
            _plan(group, year, today, rng, late=(code == LATE_PLAN_UNIT and year == today.year))
            _sessions(city, group, code, year, today, items, book, rng)
    _upcoming_session(city, groups[DEMO_GROUP], today, rng)


def _first_items(city, year, today, supervisor) -> list[FirstItem]:
    items = []
    for month, (kind, title) in enumerate(FIRST_ITEMS, start=1):
        released = dt.date(year, month, 3)
        if released > today:
            break
        items.append(
            FirstItem.objects.create(
                owner_unit=city.units["JC"],
                title=f"{title}（{year}年{month}月）",
                kind=kind,
                released_on=released,
                source="新华社" if kind != "article" else "《求是》",
                summary="深刻领会精神实质，结合本单位实际研究贯彻落实措施。",
                created_by=supervisor,
            )
        )
    return items


def _prompts(city, groups, year, today, supervisor, rng) -> None:
    for quarter in range(1, 5):
        issued = dt.date(year, 3 * quarter - 2, 5)
        if issued > today:
            break
        prompt = Prompt.objects.create(
            issuer_unit=city.units["JC"],
            year=year,
            quarter=quarter,
            title=f"{year}年第{quarter}季度党委（党组）理论学习中心组学习提示",
            themes=PROMPT_THEMES[quarter],
            discussion_focus="围绕学习主题，联系分管领域实际，每人撰写研讨发言提纲。",
            readings="《习近平著作选读》相关篇目；《习近平谈治国理政》相关篇目",
            expected_outputs="每名成员提交心得体会1篇；每季度至少开展1次集中研讨。",
            status=Prompt.Status.ISSUED,
            issued_at=_at(issued, 10),
            created_by=supervisor,
        )
        for code, group in groups.items():
            if code == NO_ACK_UNIT and year == today.year and quarter == NO_ACK_QUARTER:
                continue
            ack = PromptAck.objects.create(prompt=prompt, group=group, acknowledged_by=supervisor)
            PromptAck.objects.filter(pk=ack.pk).update(
                acknowledged_at=_at(issued + dt.timedelta(days=rng.randint(1, 5)), 15)
            )


def _plan(group, year, today, rng, *, late: bool) -> None:
    filed = dt.date(year, 2, 12) if late else dt.date(year, 1, rng.randint(12, 27))
    plan = YearPlan.objects.create(
        group=group,
        year=year,
        title=f"{group.unit.name}{year}年理论学习中心组学习计划",
        guidance="坚持以习近平新时代中国特色社会主义思想为指导，全面落实理论学习中心组学习规则。",
        status=YearPlan.Status.FILED if filed <= today else YearPlan.Status.DRAFT,
        submitted_at=_at(filed - dt.timedelta(days=6), 9),
        approved_at=_at(filed - dt.timedelta(days=3), 9),
        filed_at=_at(filed, 16),
    )
    members = list(roster(group, on=dt.date(year, 1, 10)))
    leaders = [m.person for m in members if m.role in ("leader", "deputy")] or [None]
    PlanTopic.objects.bulk_create(
        PlanTopic(
            plan=plan,
            order=i,
            title=title,
            month=i,
            quarter=(i - 1) // 3 + 1,
            form=StudySession.Kind(KIND_BY_MONTH.get(i, "study")).label,
            lead=leaders[0] if i % 3 else leaders[-1],
        )
        for i, title in enumerate(TOPICS, start=1)
    )


def _sessions(city, group, code, year, today, items, book, rng) -> None:
    topics = {t.month: t for t in PlanTopic.objects.filter(plan__group=group, plan__year=year)}
    studied = set()
    last_month = 12 if year < today.year else today.month - (1 if today.day < 20 else 0)
    days = []
    for month in range(1, last_month + 1):
        if code == FEW_SESSIONS_UNIT and year == today.year and month in (2, 3, 5, 6, 8, 10):
            continue
        day = _workday(year, month, rng)
        if day < today:
            days.append((month, day))
    # The irregular case: this group's latest session of the year was held but never recorded.
    unrecorded_month = days[-1][0] if code == UNRECORDED_UNIT and year == today.year else None
    for month, day in days:
        members = list(roster(group, on=day))
        leader = next((m.person for m in members if m.role == "leader"), None)
        deputy = next((m.person for m in members if m.role == "deputy"), leader)
        short = code == SHORT_SESSION_UNIT and year == today.year and month == 4
        kind = KIND_BY_MONTH.get(month, "study")
        topic = topics.get(month)
        unrecorded = month == unrecorded_month
        session = StudySession.objects.create(
            group=group,
            kind=kind,
            title=topic.title if topic else TOPICS[month - 1],
            topic=topic,
            starts_at=_at(day, 9),
            ends_at=_at(day, 10, 30) if short else _at(day, 12),
            place="机关三楼会议室",
            chair=leader,
            lead_reader=leader if rng.random() < 0.75 else deputy,
            content=f"传达学习第一议题；围绕“{topic.title if topic else ''}”开展学习研讨。",
            effect="" if unrecorded else "进一步统一了思想认识，明确了贯彻落实的具体举措。",
            materials="《习近平著作选读》相关篇目；学习提示所列篇目",
            minutes="" if unrecorded else "会议由组长主持，成员围绕主题逐一发言，组长作总结讲评。",
            status=StudySession.Status.HELD if unrecorded else StudySession.Status.RECORDED,
            held_at=_at(day, 12),
            recorded_at=None if unrecorded else _at(day + dt.timedelta(days=2), 16),
        )
        _agenda(session, code, day, items, studied, year, today)
        speakers = [m.person for m in members if m.role in ("member", "deputy")][:]
        rng.shuffle(speakers)
        for order, person in enumerate(speakers[:3], start=1):
            Speaker.objects.create(
                session=session,
                person=person,
                order=order,
                subtopic=f"结合分管工作谈{session.title}的体会",
            )
            Output.objects.create(
                group=group,
                author=person,
                session=session,
                kind=Output.Kind.SPEECH_DRAFT,
                title=f"关于{session.title}的研讨发言",
                body="（发言提纲）",
                year=year,
                status=Output.Status.APPROVED,
                submitted_at=_at(day - dt.timedelta(days=4), 10),
                reviewed_by=city.accounts["leader"] if code == DEMO_GROUP else None,
                reviewed_at=_at(day - dt.timedelta(days=2), 10),
            )
        if not unrecorded:
            _attendance(city, session, members, code, day, today, book, rng)
    _written_outputs(group, code, year, today, rng)


def _agenda(session, code, day, items, studied, year, today) -> None:
    pending = [
        i
        for n, i in enumerate(items)
        if i.released_on < day
        and i.pk not in studied
        and not (code == SKIPPED_ITEM_UNIT and year == today.year and n == SKIPPED_ITEM_INDEX)
    ]
    first = pending[-1] if pending else None
    if first:
        studied.add(first.pk)
        AgendaItem.objects.create(
            session=session, order=1, title=f"第一议题：学习{first.title}", first_item=first
        )
    AgendaItem.objects.create(session=session, order=2, title=f"专题学习：{session.title}")


def _attendance(city, session, members, code, day, today, book, rng) -> None:
    demo_member = city.accounts["member"].person_id
    rows, makeups = [], []
    for m in members:
        if m.role not in CORE_ROLES:  # secretary, liaison, 列席: present, not counted
            rows.append(
                Attendance(session=session, person=m.person, status="present", is_attendee=True)
            )
            continue
        roll = rng.random()
        status = (
            "present"
            if roll < 0.99
            else "late"
            if roll < 0.996
            else "leave"
            if roll < 0.999
            else "absent"
        )
        if m.person_id == demo_member and day.year == today.year and day.month in (3, 6, 8, 9):
            status = "absent" if day.month in (6, 9) else "leave"
        reason = {"leave": "外出参加上级会议", "absent": "临时处理紧急工作，未及时请假"}.get(
            status, ""
        )
        rows.append(Attendance(session=session, person=m.person, status=status, reason=reason))
        if status == "leave":
            LeaveRequest.objects.create(
                session=session,
                person=m.person,
                reason=reason,
                status="approved",
                decided_by=city.accounts["leader"] if code == DEMO_GROUP else None,
                decided_at=_at(day - dt.timedelta(days=1), 17),
            )
    Attendance.objects.bulk_create(rows)
    due_days = book["makeup_days"]
    for a in Attendance.objects.filter(session=session, status__in=["leave", "absent"]):
        due = day + dt.timedelta(days=due_days)
        overdue = a.person_id == demo_member and (day.year, day.month) == (today.year, 9)
        if overdue or due >= today:
            makeups.append(MakeUp(attendance=a, due_date=due))
        else:
            makeups.append(
                MakeUp(
                    attendance=a,
                    due_date=due,
                    status=MakeUp.Status.CONFIRMED,
                    evidence_text="已自学会议材料并撰写学习笔记。",
                    submitted_at=_at(due - dt.timedelta(days=8), 10),
                    confirmed_by=city.accounts["secretary"] if code == DEMO_GROUP else None,
                    confirmed_at=_at(due - dt.timedelta(days=6), 10),
                )
            )
    MakeUp.objects.bulk_create(makeups)


def _written_outputs(group, code, year, today, rng) -> None:
    members = [
        m.person for m in roster(group, on=min(today, dt.date(year, 11, 1))) if m.role in CORE_ROLES
    ]
    skip = set(rng.sample(range(len(members)), k=min(2, len(members))))
    for n, person in enumerate(members):
        if n in skip and year == today.year:
            continue
        kind = Output.Kind.RESEARCH_REPORT if n % 2 else Output.Kind.ARTICLE
        submitted = dt.date(year, rng.randint(4, 10), rng.randint(1, 28))
        if submitted > today:
            continue
        output = Output.objects.create(
            group=group,
            author=person,
            kind=kind,
            year=year,
            status=Output.Status.APPROVED,
            title=f"关于{rng.choice(TOPICS)}的{'调研报告' if n % 2 else '思考'}",
            body="（正文略）",
            submitted_at=_at(submitted, 10),
        )
        Output.objects.create(
            group=group,
            author=person,
            kind=Output.Kind.REFLECTION,
            year=year,
            title="学习心得体会",
            body="（正文略）",
            status=Output.Status.APPROVED,
            submitted_at=_at(submitted + dt.timedelta(days=3), 10),
        )
        if kind == Output.Kind.RESEARCH_REPORT and rng.random() < 0.4:
            Conversion.objects.create(
                output=output,
                kind=rng.choice(list(Conversion.Kind)),
                title=f"{group.unit.name}关于{output.title[2:12]}的实施意见",
                doc_number=f"江{group.unit.code[-2:]}发〔{year}〕{rng.randint(3, 40)}号",
                issued_on=submitted + dt.timedelta(days=30),
                description="调研成果转化为制度文件。",
            )


def _upcoming_session(city, group, today, rng) -> None:
    """A planned session in a few days, with a speech draft the leader has not reviewed."""
    day = today + dt.timedelta(days=3)
    while not is_workday(day):
        day += dt.timedelta(days=1)
    members = list(roster(group, on=today))
    leader = next(m.person for m in members if m.role == "leader")
    session = StudySession.objects.create(
        group=group,
        kind="topical",
        title="学习贯彻党的创新理论，推动教育高质量发展",
        starts_at=_at(day, 14, 30),
        ends_at=_at(day, 17, 30),
        place="局机关二楼会议室",
        chair=leader,
        lead_reader=leader,
        content="",
        materials="学习提示所列篇目",
    )
    AgendaItem.objects.create(session=session, order=1, title="专题研讨")
    speaker = next(m.person for m in members if m.role == "member")
    Speaker.objects.create(session=session, person=speaker, order=1, subtopic="结合教育工作谈体会")
    Output.objects.create(
        group=group,
        author=speaker,
        session=session,
        kind=Output.Kind.SPEECH_DRAFT,
        title="推动教育高质量发展的几点思考",
        body="（发言提纲）",
        year=today.year,
        status=Output.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
