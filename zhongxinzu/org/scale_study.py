"""Three years of study activity for the scale province: the `gen_scale` steps after the org
ones (see org/scale.py), mirroring the shapes of the demo year (demo/study_year.py).

For the current year and the `years - 1` before it (the current one only up to the day before
`--today`), at 5,000 groups:

- secretaries: an account for the secretary of every group (who acknowledges prompts and
  confirms make-up study);
- first_items: the province's 第一议题 pool, 12 items a year, at the root;
- prompts: four quarterly 学习提示 a year from the root, acknowledged by almost every group
  (a few late, about one in a hundred never);
- plans: a year plan of 12 monthly topics per group and year, most filed before the rules'
  deadline, some late, some only approved or in draft, some missing;
- sessions: ~20 a group and year (≈300,000): a topical discussion (专题学习研讨) every
  quarter, discussions, lectures, a reading class, field and online study, the rest
  collective study, on working days of China's calendar; a few groups hold too few or skip a
  quarter's discussion, a few sessions are too short or recorded late or never;
- agenda: the 第一议题 (the earliest item of the pool not yet studied, else the latest again;
  a few sessions have none, a few groups skip an item) and the topic, and for discussions
  three speakers with their subtopics (分题到人);
- attendance: a row for everyone on the roster that day (≈3.5 million): ~88% present,
  then late, on leave, absent (a few members much more often), QR sign-in times from last
  year on; secretaries, liaisons and 列席 as is_attendee; a leave request for every leave;
- makeups: a make-up for every member's leave or absence, due after the rules' period:
  nearly all confirmed, some still open, a few overdue;
- outputs: the speakers' drafts (reviewed by the leader before the session, a few not),
  reflections, an article or research report per member and year for most, conversions.

Irregular cases come a few groups at a time (a group-year with a flaw), not spread over
every record: the overview shows groups red for a reason, not every group red for noise.
The numbers the rules judge (deadlines, minimum length, make-up period) come from the rule
books, never from here.

Each step reads the org build back from the database (scale_db.Province) instead of the
ScaleBuild's lists, so the steps can be added to a province built before they existed:
`done(build)` tells the command whether a step's rows are already there, and each step runs
in its own transaction. Big tables are written with `cursor.executemany` on tuples
(scale_db.Insert). At 5,000 groups all the steps take about two minutes on SQLite.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db.models import Model
from django.utils import timezone

from zhongxinzu.demo.study_year import FIRST_ITEMS, PROMPT_THEMES, TOPICS  # shared with the demo
from zhongxinzu.lib.workdays import is_workday
from zhongxinzu.meetings.models import (
    AgendaItem,
    Attendance,
    LeaveRequest,
    MakeUp,
    Speaker,
    StudySession,
)
from zhongxinzu.org.models import Membership
from zhongxinzu.org.scale_db import CORE, Clock, Insert, province
from zhongxinzu.outputs.models import Conversion, Output
from zhongxinzu.plans.models import FirstItem, PlanTopic, Prompt, PromptAck, YearPlan
from zhongxinzu.plans.selectors import plan_due_date

if TYPE_CHECKING:
    from zhongxinzu.org.scale import ScaleBuild

SECRETARY_PREFIX = "scale_sec_"
TALKERS = frozenset({Membership.Role.DEPUTY, Membership.Role.MEMBER})
LEADS = (Membership.Role.LEADER, Membership.Role.DEPUTY)
# QR sign-in came in the year before the current one; earlier years are roll-call only.
QR_YEARS_BACK = 1

# --- texts -------------------------------------------------------------------------------

TITLES = {
    "study": "{}",
    "discussion": "集中研讨：{}",
    "topical": "专题学习研讨：{}",
    "lecture": "专题辅导讲座：{}",
    "reading": "理论学习读书班：{}",
    "field": "实地调研学习：{}",
    "online": "线上专题学习：{}",
}
ROOMS = ["机关三楼会议室", "党委会议室", "第一会议室", "二楼会议室", "党员活动室", "常委会议室"]
FIELD_PLACES = ["革命传统教育基地", "基层党建示范点", "重点项目建设现场", "乡村振兴示范村"]
ONLINE_PLACE = "视频会议系统（线上）"
LEAVE_REASONS = ["外出参加上级会议", "带队外出招商", "参加党校培训", "处理突发事件", "公务出差"]
ABSENT_REASONS = ["临时处理紧急工作，未及时请假", "因病未能参加", "临时接待上级检查"]
CONTENT = "传达学习第一议题；围绕学习主题开展学习研讨，成员交流发言。"
EFFECT = "进一步统一了思想认识，明确了贯彻落实的具体举措。"
MATERIALS = "《习近平著作选读》相关篇目；学习提示所列篇目"
MINUTES = "会议由组长主持，成员围绕主题逐一发言，组长作总结讲评。"
MAKEUP_TEXT = "已自学会议材料，撰写学习笔记一篇。"
GUIDANCE = "坚持以习近平新时代中国特色社会主义思想为指导，全面落实理论学习中心组学习规则。"
FORM_BY_MONTH = {3: "topical", 6: "topical", 9: "topical", 12: "topical", 5: "reading"}


def _exists(build: ScaleBuild, model: type[Model], prefix: str) -> bool:
    """Whether the step writing `model` has run: years=0 asks for no study data at all."""
    if not build.years:
        return True
    root_path = build.root_path
    return model.objects.filter(**{f"{prefix}unit__path__startswith": root_path}).exists()


@functools.cache
def workdays(year: int, month: int) -> tuple[dt.date, ...]:
    day, out = dt.date(year, month, 1), []
    while day.month == month:
        if is_workday(day):
            out.append(day)
        day += dt.timedelta(days=1)
    return tuple(out)


def _first_workday(day: dt.date) -> dt.date:
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


# --- the steps -----------------------------------------------------------------------------


def step_secretaries(build: ScaleBuild) -> str:
    """An account for the current secretary of each group (but scale_secretary's group, whose
    secretary has that account already)."""
    from django.contrib.auth.hashers import make_password

    from zhongxinzu.accounts.models import User
    from zhongxinzu.org.models import Person

    p = province(build)
    taken = set(User.objects.filter(person__isnull=False).values_list("person_id", flat=True))
    wanted = {}
    for g in p.groups:
        for pid, role, _, end in p.rosters[g.pk]:
            if role == Membership.Role.SECRETARY and end is None and pid not in taken:
                wanted[pid] = g.unit.code.rpartition("-")[2]
                break
    names = dict(Person.objects.filter(pk__in=list(wanted)).values_list("pk", "name"))
    now = timezone.now()
    unusable = make_password(None)  # one random unusable hash: nobody signs in as these
    users = [
        User(
            username=f"{SECRETARY_PREFIX}{code}",
            first_name=names[pid],
            person_id=pid,
            password=unusable,
            password_changed_at=now,
        )
        for pid, code in wanted.items()
    ]
    User.objects.bulk_create(users, batch_size=1000)
    p._secretaries = None
    return f"{len(users)} secretary accounts ({SECRETARY_PREFIX}…)"


def secretaries_done(build: ScaleBuild) -> bool:
    from zhongxinzu.accounts.models import User

    if not build.years:
        return True
    return User.objects.filter(username__startswith=SECRETARY_PREFIX).exists()


def step_first_items(build: ScaleBuild) -> str:
    """The province's 第一议题 pool: one item a month, released in its first week (and the
    last three of the year before, so that January's sessions have something to study)."""
    rng = build.rng("first_items")
    p, clock = province(build), Clock()
    insert = Insert(
        FirstItem,
        ["owner_unit_id", "title", "kind", "released_on", "source", "summary", "created_by_id"]
        + ["created_at"],
    )
    rows = []
    months = [(p.years[0] - 1, m) for m in (10, 11, 12)] + [
        (y, m) for y in p.years for m in range(1, 13)
    ]
    for year, month in months:
        kind, title = FIRST_ITEMS[month - 1]
        released = dt.date(year, month, rng.randint(1, 7))
        if released <= p.today:
            rows.append(
                (
                    p.root.pk,
                    f"{title}（{year}年{month}月）",
                    kind,
                    clock.db_date(released),
                    "《求是》" if kind == "article" else "新华社",
                    "深刻领会精神实质，结合本单位实际研究贯彻落实措施。",
                    p.supervisor_id,
                    clock.db_at(released, 18),
                )
            )
    insert.write(rows)
    return f"{insert.count} first items in the root's pool"


def step_prompts(build: ScaleBuild) -> str:
    """Quarterly prompts from the root and each group's acknowledgement."""
    rng = build.rng("prompts")
    p, clock = province(build), Clock()
    insert = Insert(
        Prompt,
        [
            "issuer_unit_id",
            "year",
            "quarter",
            "title",
            "themes",
            "discussion_focus",
            "readings",
            "expected_outputs",
            "status",
            "issued_at",
            "created_by_id",
        ],
    )
    rows, issued_on = [], {}
    for year in p.years:
        for quarter in range(1, 5):
            issued = _first_workday(dt.date(year, 3 * quarter - 2, 5))
            if issued > p.today:
                break
            issued_on[(year, quarter)] = issued
            rows.append(
                (
                    p.root.pk,
                    year,
                    quarter,
                    f"{year}年第{quarter}季度党委（党组）理论学习中心组学习提示",
                    PROMPT_THEMES[quarter],
                    "围绕学习主题，联系分管领域实际，每人撰写研讨发言提纲。",
                    "《习近平著作选读》相关篇目；《习近平谈治国理政》相关篇目",
                    "每名成员提交心得体会1篇；每季度至少开展1次集中研讨。",
                    Prompt.Status.ISSUED,
                    clock.db_at(issued, 10),
                    p.supervisor_id,
                )
            )
    insert.write(rows)
    prompts = Prompt.objects.filter(issuer_unit=p.root).order_by("id")
    secretaries = p.secretaries()
    acks = Insert(PromptAck, ["prompt_id", "group_id", "acknowledged_by_id", "acknowledged_at"])
    rows = []
    for prompt_id, year, quarter in prompts.values_list("id", "year", "quarter"):
        issued = issued_on.get((year, quarter))
        if issued is None:
            continue
        for g in p.groups:
            ack_days = p.book(g, year)["prompt_ack_days"]
            roll = rng.random()
            if roll < 0.005:
                continue  # never acknowledged
            late = roll < 0.02
            delay = rng.randint(ack_days + 1, ack_days + 20) if late else rng.randint(1, 5)
            day = issued + dt.timedelta(days=delay)
            if day <= p.today:
                rows.append((prompt_id, g.pk, secretaries[g.pk], clock.db_at(day, 15)))
    acks.write(rows)
    return f"{insert.count} prompts, {acks.count} acknowledgements"


def step_plans(build: ScaleBuild) -> str:
    """A year plan of 12 monthly topics per group and year: most filed by the deadline."""
    rng = build.rng("plans")
    p, clock = province(build), Clock()
    insert = Insert(
        YearPlan,
        ["group_id", "year", "title", "guidance", "status", "submitted_at", "approved_at"]
        + ["filed_at"],
    )
    rows = []
    for g in p.groups:
        for year in p.years:
            due = plan_due_date(p.book(g, year), year)
            roll = rng.random()
            if roll < 0.02:
                continue  # no plan at all
            filed = due - dt.timedelta(days=rng.randint(3, 22))
            if roll >= 0.96:
                filed = due + dt.timedelta(days=rng.randint(3, 45))  # late
            submitted = filed - dt.timedelta(days=rng.randint(4, 8))
            approved = filed - dt.timedelta(days=rng.randint(1, 3))
            status = YearPlan.Status.FILED
            if roll < 0.03 or submitted > p.today:
                status, submitted = YearPlan.Status.DRAFT, None
            elif roll < 0.05 or filed > p.today:
                status = YearPlan.Status.APPROVED
            filed_ok = status == YearPlan.Status.FILED
            rows.append(
                (
                    g.pk,
                    year,
                    f"{g.unit.name}{year}年理论学习中心组学习计划",
                    GUIDANCE,
                    status,
                    clock.db_at(submitted, 9) if submitted else None,
                    clock.db_at(approved, 9) if status != YearPlan.Status.DRAFT else None,
                    clock.db_at(filed, 16) if filed_ok else None,
                )
            )
    insert.write(rows)
    topics = Insert(PlanTopic, ["plan_id", "order", "title", "month", "quarter", "form", "lead_id"])
    out = []
    for plan_id, gid, year in (
        YearPlan.objects.filter(**p.in_province("group__"))
        .order_by("id")
        .values_list("id", "group_id", "year")
    ):
        on = p.roster_on(gid, dt.date(year, 1, 10))
        leads = [pid for pid, role in on if role in LEADS] or [None]
        for month, title in enumerate(TOPICS, start=1):
            form = StudySession.Kind(FORM_BY_MONTH.get(month, "study")).label
            lead = leads[0] if month % 3 else leads[-1]
            out.append((plan_id, month, title, month, (month - 1) // 3 + 1, form, lead))
    topics.write(out)
    return f"{insert.count} year plans, {topics.count} plan topics"


# The kinds beyond the monthly study and the quarterly topical discussion, in the order a
# group adds them as its year grows from 13 to 19 sessions; beyond, collective study.
EXTRA_KINDS = ["discussion", "lecture", "reading", "discussion", "field", "online", "lecture"]
EXTRA_MONTHS = {"reading": range(3, 8), "field": range(4, 11)}


def _calendar(rng: random.Random, year: int, today: dt.date) -> list[tuple[dt.date, str]]:
    """(day, kind) of one group's sessions in `year` before `today`, in date order: the
    month's main session in its second to fourth week (after the month's 第一议题 is out),
    the others on any working day."""
    n = min(25, max(16, round(rng.gauss(21, 2))))
    kinds: dict[int, list[str]] = {m: ["study"] for m in range(1, 13)}
    for q in range(4):  # a topical discussion a quarter, most often in its last month
        kinds[3 * q + rng.choices((1, 2, 3), (1, 2, 5))[0]][0] = "topical"
    extras = rng.sample(EXTRA_KINDS, len(EXTRA_KINDS))[: n - 12]
    extras += ["study"] * (n - 12 - len(extras))
    for kind in extras:
        kinds[rng.choice(EXTRA_MONTHS.get(kind, range(1, 13)))].append(kind)
    irregular = rng.random()
    if irregular < 0.03:  # a quarter without any discussion
        quarter = rng.randrange(4)
        for m in range(3 * quarter + 1, 3 * quarter + 4):
            kinds[m] = ["study" if k in StudySession.DISCUSSION_KINDS else k for k in kinds[m]]
    out = []
    for month in range(1, 13):
        days = workdays(year, month)
        mains = [d for d in days if 8 <= d.day <= 28]
        main = rng.choice(mains)
        others = [d for d in days if d != main]
        picked = [main, *rng.sample(others, min(len(others), len(kinds[month]) - 1))]
        out += [(d, k) for d, k in zip(picked, kinds[month], strict=False) if d < today]
    out.sort()
    if 0.03 <= irregular < 0.06:  # too few sessions: a group that stopped meeting regularly
        keep = sorted(rng.sample(range(len(out)), min(len(out), rng.randint(6, 11))))
        out = [out[i] for i in keep]
    return out


def _some(rng: random.Random, n: int, share: float, most: int) -> set[int]:
    """With probability `share`, 1 to `most` of range(n) (a group-year with a flaw)."""
    if n and rng.random() < share:
        return set(rng.sample(range(n), min(n, rng.randint(1, most))))
    return set()


def step_sessions(build: ScaleBuild) -> str:
    """~20 sessions a group and year with the five in place; recorded a few days later."""
    rng = build.rng("sessions")
    p, clock = province(build), Clock()
    topic_ids = {
        (gid, year, month): tid
        for tid, gid, year, month in PlanTopic.objects.filter(
            **p.in_province("plan__group__")
        ).values_list("id", "plan__group_id", "plan__year", "month")
    }
    insert = Insert(
        StudySession,
        [
            "group_id",
            "kind",
            "title",
            "topic_id",
            "starts_at",
            "ends_at",
            "place",
            "chair_id",
            "lead_reader_id",
            "content",
            "effect",
            "materials",
            "minutes",
            "status",
            "held_at",
            "recorded_at",
        ],
    )
    recorded_status, held_status = StudySession.Status.RECORDED, StudySession.Status.HELD
    linked = {"study", "discussion", "topical"}

    def rows():
        for g in p.groups:
            for year in p.years:
                book = p.book(g, year)
                minimum, record_days = book["session_min_minutes"], book["session_record_days"]
                leader_share = rng.uniform(0.55, 0.95)
                days = _calendar(rng, year, p.today)
                # A few groups a year break a rule now and then, most never: sessions cut
                # short, recorded late, or one held and never recorded.
                short = _some(rng, len(days), 0.04, 2)
                late = _some(rng, len(days), 0.05, 3)
                never = _some(rng, len(days), 0.02, 1)
                for n, (day, kind) in enumerate(days):
                    on = p.roster_on(g.pk, day)
                    leader = next((pid for pid, r in on if r == Membership.Role.LEADER), None)
                    deputies = [pid for pid, r in on if r == Membership.Role.DEPUTY]
                    chair = leader or (deputies[0] if deputies else None)
                    lead = leader if rng.random() < leader_share else None
                    lead = lead or (rng.choice(deputies) if deputies else leader)
                    if kind == "reading":
                        start, minutes = clock.at(day, 9), max(minimum, 480)
                    elif rng.random() < 0.6:
                        start, minutes = clock.at(day, 9), max(minimum, 180)
                    else:
                        start, minutes = clock.at(day, 14, 30), max(minimum, 180)
                    if n in short:
                        minutes = max(30, minimum - 60)
                    end = start + dt.timedelta(minutes=minutes)
                    if n in late:
                        delay = rng.randint(record_days + 1, record_days + 10)
                    else:
                        delay = rng.randint(1, 3) if rng.random() < 0.9 else record_days
                    recorded = day + dt.timedelta(days=delay)
                    done = recorded < p.today and n not in never
                    topic = TOPICS[day.month - 1]
                    place = (
                        ONLINE_PLACE
                        if kind == "online"
                        else rng.choice(FIELD_PLACES)
                        if kind == "field"
                        else rng.choice(ROOMS)
                    )
                    yield (
                        g.pk,
                        kind,
                        TITLES[kind].format(topic),
                        topic_ids.get((g.pk, year, day.month)) if kind in linked else None,
                        clock.db(start),
                        clock.db(end),
                        place,
                        chair,
                        lead,
                        CONTENT,
                        EFFECT if done else "",
                        MATERIALS,
                        MINUTES if done else "",
                        recorded_status if done else held_status,
                        clock.db(end),
                        clock.db_at(recorded, 16) if done else None,
                    )

    insert.write(rows())
    p._sessions = None
    years = len(p.years)
    return (
        f"{insert.count} sessions ({insert.count / max(1, len(p.groups) * years):.1f} a group-year)"
    )


def step_agenda(build: ScaleBuild) -> str:
    """The 第一议题 and topic of every session; three speakers for every discussion."""
    rng = build.rng("agenda")
    p = province(build)
    pool = list(
        FirstItem.objects.filter(owner_unit=p.root)
        .order_by("released_on", "id")
        .values_list("id", "released_on", "title")
    )
    agenda = Insert(AgendaItem, ["session_id", "order", "title", "first_item_id"])
    speakers = Insert(Speaker, ["session_id", "person_id", "subtopic", "order"])
    talks: list[tuple] = []
    discussion_kinds = StudySession.DISCUSSION_KINDS

    first_day = dt.date(p.years[0], 1, 1)
    before = sum(1 for _, day, _ in pool if day < first_day)  # studied before the first year

    def rows():
        group, pending, skipped, forgot, next_item = None, [], set(), set(), before
        for s in p.sessions():
            if s.group_id != group:
                group, pending, skipped, forgot, next_item = s.group_id, [], set(), set(), before
                for year in p.years:
                    # One group-year in fifty never studies one item, one in thirty forgets
                    # the first item at one session.
                    of_year = [i for i, day, _ in pool if day.year == year]
                    if of_year and rng.random() < 0.02:
                        skipped.add(rng.choice(of_year))
                    if rng.random() < 0.03:
                        forgot.add((year, rng.randint(1, 12)))
            while next_item < len(pool) and pool[next_item][1] < s.day:  # released since
                if pool[next_item][0] not in skipped:
                    pending.append(pool[next_item])
                next_item += 1
            order = 1
            if next_item and (s.day.year, s.day.month) not in forgot:
                if pending:  # the earliest released item not yet studied
                    item, _, title = pending.pop(0)
                    text = f"第一议题：学习{title}"
                else:  # nothing new: the latest item again
                    item, _, title = pool[next_item - 1]
                    text = f"第一议题：重温{title}"
                yield (s.id, order, text, item)
                order += 1
            else:
                forgot.discard((s.day.year, s.day.month))  # only the month's first session
            yield (s.id, order, f"专题学习：{TOPICS[s.day.month - 1]}", None)
            if s.kind in discussion_kinds:
                on = [pid for pid, role in p.roster_on(s.group_id, s.day) if role in TALKERS]
                short = TOPICS[s.day.month - 1][:12]
                for n, pid in enumerate(rng.sample(on, min(3, len(on))), start=1):
                    talks.append((s.id, pid, f"结合分管工作谈{short}的体会", n))

    agenda.write(rows())
    speakers.write(talks)
    return f"{agenda.count} agenda items, {speakers.count} speakers"


# Cumulative thresholds of (present, late, leave) for a roll of random(); the rest is
# absent. By group, with weights: most groups miss almost nobody, some miss more (overall
# ~88% present); and about one member in a hundred is away far more often than the rules allow.
GROUP_PROFILES = [
    (0.80, (0.895, 0.995, 0.999)),
    (0.15, (0.86, 0.95, 0.985)),
    (0.05, (0.78, 0.88, 0.96)),
]
OFTEN_AWAY, OFTEN_AWAY_SHARE = (0.62, 0.70, 0.88), 0.008
PRESENT_BEFORE = (2, 5, 10, 15, 20, 25)  # minutes before the start a QR sign-in came in
LATE_AFTER = (12, 15, 20, 30, 45)


def step_attendance(build: ScaleBuild) -> str:
    """A row for everyone on the roster of every session, and the leave requests."""
    rng = build.rng("attendance")
    p, clock = province(build), Clock()
    weights = [w for w, _ in GROUP_PROFILES]
    profile: dict[int, tuple[float, float, float]] = {}
    for g in p.groups:
        usual = rng.choices(GROUP_PROFILES, weights)[0][1]
        for pid, role, _, _ in p.rosters[g.pk]:
            if role in CORE and pid not in profile:
                profile[pid] = OFTEN_AWAY if rng.random() < OFTEN_AWAY_SHARE else usual
    insert = Insert(
        Attendance,
        ["session_id", "person_id", "status", "reason", "method", "signed_in_at", "is_attendee"],
    )
    leaves = Insert(
        LeaveRequest,
        ["session_id", "person_id", "reason", "status", "requested_at", "is_late", "decided_at"],
    )
    present, late = Attendance.Status.PRESENT, Attendance.Status.LATE
    leave, absent = Attendance.Status.LEAVE, Attendance.Status.ABSENT
    roll_call, qr = Attendance.Method.ROLL_CALL, Attendance.Method.QR
    approved = LeaveRequest.Status.APPROVED
    qr_from = p.today.year - QR_YEARS_BACK
    leave_rows: list[tuple] = []
    random_ = rng.random
    choice = rng.choice
    db = clock.db
    minute = dt.timedelta(minutes=1)

    def rows():
        for s in p.sessions():
            with_qr = s.day.year >= qr_from
            for pid, role in p.roster_on(s.group_id, s.day):
                counted = role in CORE
                roll = random_()
                if counted:
                    to_present, to_late, to_leave = profile[pid]
                    status = (
                        present
                        if roll < to_present
                        else late
                        if roll < to_late
                        else leave
                        if roll < to_leave
                        else absent
                    )
                else:
                    status = present if roll < 0.97 else leave
                reason, method, signed = "", roll_call, None
                if status is leave:
                    reason = choice(LEAVE_REASONS)
                    asked_late = random_() < 0.04
                    asked = (
                        s.start + 60 * minute
                        if asked_late
                        else clock.at(s.day - dt.timedelta(days=choice((1, 2, 3))), 10)
                    )
                    decided = asked + 120 * minute
                    leave_rows.append(
                        (s.id, pid, reason, approved, db(asked), asked_late, db(decided))
                    )
                elif status is absent:
                    reason = choice(ABSENT_REASONS)
                elif with_qr and random_() < 0.65:
                    method = qr
                    if status is present:
                        signed = db(s.start - choice(PRESENT_BEFORE) * minute)
                    else:
                        signed = db(s.start + choice(LATE_AFTER) * minute)
                yield (s.id, pid, status, reason, method, signed, not counted)

    insert.write(rows())
    leaves.write(leave_rows)
    return f"{insert.count} attendance rows, {leaves.count} leave requests"


def step_makeups(build: ScaleBuild) -> str:
    """A make-up for every member's leave or absence, due after the rules' period."""
    rng = build.rng("makeups")
    p, clock = province(build), Clock()
    sessions = {s.id: s for s in p.sessions()}
    groups = {g.pk: g for g in p.groups}
    secretaries = p.secretaries()
    insert = Insert(
        MakeUp,
        [
            "attendance_id",
            "due_date",
            "status",
            "evidence_text",
            "submitted_at",
            "confirmed_by_id",
            "confirmed_at",
        ],
    )
    first, last = min(sessions, default=0), max(sessions, default=0)
    owed = list(
        Attendance.objects.filter(
            session_id__gte=first,
            session_id__lte=last,
            is_attendee=False,
            status__in=[Attendance.Status.LEAVE, Attendance.Status.ABSENT],
        )
        .order_by("id")
        .values_list("id", "session_id")
    )
    overdue_share: dict[int, float] = {}
    open_, submitted_, done_ = (
        MakeUp.Status.OPEN,
        MakeUp.Status.SUBMITTED,
        MakeUp.Status.CONFIRMED,
    )
    yesterday = p.today - dt.timedelta(days=1)

    def rows():
        for attendance_id, session_id in owed:
            s = sessions.get(session_id)
            if s is None:  # a session of another province in the same database
                continue
            group = groups[s.group_id]
            due = s.day + dt.timedelta(days=p.book(group, s.day.year)["makeup_days"])
            if group.pk not in overdue_share:  # one group in twenty lets make-ups lapse
                overdue_share[group.pk] = 0.25 if rng.random() < 0.05 else 0.005
            roll = rng.random()
            if due < p.today:
                share = overdue_share[group.pk]
                status = open_ if roll < share else submitted_ if roll < share + 0.02 else done_
            else:
                status = open_ if roll < 0.4 else submitted_ if roll < 0.7 else done_
            if s.day + dt.timedelta(days=3) > yesterday:
                status = open_
            submitted = confirmed = None
            if status != open_:
                latest = min(due, yesterday)
                span = max(0, (latest - s.day).days - 3)
                submitted = s.day + dt.timedelta(days=3 + rng.randint(0, span))
                if status == done_:
                    confirmed = min(submitted + dt.timedelta(days=rng.randint(0, 3)), yesterday)
                    confirmed = max(confirmed, submitted)
            yield (
                attendance_id,
                clock.db_date(due),
                status,
                MAKEUP_TEXT if submitted else "",
                clock.db_at(submitted, 10) if submitted else None,
                secretaries[s.group_id] if confirmed else None,
                clock.db_at(confirmed, 17) if confirmed else None,
            )

    insert.write(rows())
    return f"{insert.count} make-ups"


def step_outputs(build: ScaleBuild) -> str:
    """Speech drafts of the speakers, reflections, written outputs and their conversions."""
    rng = build.rng("outputs")
    p, clock = province(build), Clock()
    sessions = {s.id: s for s in p.sessions()}
    insert = Insert(
        Output,
        [
            "group_id",
            "author_id",
            "session_id",
            "kind",
            "title",
            "body",
            "year",
            "status",
            "submitted_at",
            "reviewed_at",
        ],
    )
    K, S = Output.Kind, Output.Status

    def speeches():
        # One group-year in twenty has a draft or two the leader did not review in time.
        flawed: dict[tuple[int, int], int] = {}
        for session_id, person_id in (
            Speaker.objects.filter(session__group__unit__path__startswith=p.root.path)
            .order_by("id")
            .values_list("session_id", "person_id")
        ):
            s = sessions[session_id]
            key = (s.group_id, s.day.year)
            if key not in flawed:
                flawed[key] = rng.randint(1, 2) if rng.random() < 0.05 else 0
            submitted = s.day - dt.timedelta(days=rng.randint(3, 7))
            status, reviewed = S.APPROVED, s.day - dt.timedelta(days=rng.randint(1, 2))
            if flawed[key] and rng.random() < 0.3:
                flawed[key] -= 1
                if rng.random() < 0.5:  # reviewed only after the session
                    reviewed = s.day + dt.timedelta(days=rng.randint(1, 5))
                else:
                    status, reviewed = S.SUBMITTED, None  # never reviewed
            yield (
                s.group_id,
                person_id,
                s.id,
                K.SPEECH_DRAFT,
                f"关于{s.title[-16:]}的研讨发言",
                "（发言提纲）",
                s.day.year,
                status,
                clock.db_at(submitted, 10),
                clock.db_at(reviewed, 17) if reviewed else None,
            )

    def written():
        for g in p.groups:
            for year in p.years:
                members = p.members_in(g.pk, year)
                # Most groups' members all write an article or report; some groups' not.
                silent = _some(rng, len(members), 0.08, 3)
                for n, pid in enumerate(members):
                    for half in range(rng.choice((1, 2, 2))):  # reflections
                        day = dt.date(year, 6 * half + rng.randint(1, 6), rng.randint(1, 28))
                        if day < p.today:
                            yield (
                                g.pk,
                                pid,
                                None,
                                K.REFLECTION,
                                "学习心得体会",
                                "（正文略）",
                                year,
                                S.SUBMITTED,
                                clock.db_at(day, 10),
                                None,
                            )
                    if n in silent:
                        continue
                    day = dt.date(year, rng.randint(3, 11), rng.randint(1, 28))
                    if day >= p.today:
                        continue
                    research = rng.random() < 0.5
                    yield (
                        g.pk,
                        pid,
                        None,
                        K.RESEARCH_REPORT if research else K.ARTICLE,
                        f"关于{rng.choice(TOPICS)}的{'调研报告' if research else '思考'}",
                        "（正文略）",
                        year,
                        S.SUBMITTED,
                        clock.db_at(day, 10),
                        None,
                    )

    insert.write(speeches())
    insert.write(written())
    conversions = Insert(
        Conversion, ["output_id", "kind", "title", "doc_number", "issued_on", "description"]
    )
    names = {g.pk: (g.unit.name, g.unit.code[-3:]) for g in p.groups}
    tz = timezone.get_default_timezone()

    def converted():
        for output_id, gid, title, year, submitted in (
            Output.objects.filter(kind=K.RESEARCH_REPORT, group__unit__path__startswith=p.root.path)
            .order_by("id")
            .values_list("id", "group_id", "title", "year", "submitted_at")
        ):
            if rng.random() >= 0.15:
                continue
            issued = submitted.astimezone(tz).date() + dt.timedelta(days=rng.randint(20, 60))
            if issued >= p.today:
                continue
            unit, code = names[gid]
            yield (
                output_id,
                rng.choice(list(Conversion.Kind)),
                f"{unit}关于{title[2:14]}的实施意见",
                f"{code}发〔{year}〕{rng.randint(3, 60)}号",
                clock.db_date(issued),
                "调研成果转化为制度文件。",
            )

    conversions.write(converted())
    return f"{insert.count} outputs, {conversions.count} conversions"


Step = Callable[["ScaleBuild"], str]
Done = Callable[["ScaleBuild"], bool]
STEPS: list[tuple[str, Step, Done]] = [
    ("secretaries", step_secretaries, secretaries_done),
    ("first_items", step_first_items, lambda b: _exists(b, FirstItem, "owner_")),
    ("prompts", step_prompts, lambda b: _exists(b, Prompt, "issuer_")),
    ("plans", step_plans, lambda b: _exists(b, YearPlan, "group__")),
    ("sessions", step_sessions, lambda b: _exists(b, StudySession, "group__")),
    ("agenda", step_agenda, lambda b: _exists(b, AgendaItem, "session__group__")),
    ("attendance", step_attendance, lambda b: _exists(b, Attendance, "session__group__")),
    ("makeups", step_makeups, lambda b: _exists(b, MakeUp, "attendance__session__group__")),
    ("outputs", step_outputs, lambda b: _exists(b, Output, "group__")),
]
