"""Supervision at province scale: the `gen_scale` steps after the study ones (org/scale.py,
org/scale_study.py), in the shapes of the demo's supervision year (demo/supervision_year.py).
At 5,000 groups:

- experts: the root's pool (专家库) of about 1,200: members of the units' groups (a team
  never visits their unit) and outside experts (party school, universities, retired cadres);
- teams: 200 observation teams (旁听组) of the root for the current year, 4–7 experts each;
  and for Seed 001's case (115 groups, 24 teams) 24 teams of the smallest city with at least
  115 groups below it (the benchmark plans that city);
- visits: the root's published plan for the current year: every group below the root
  visited as often as the rules ask, the teams assigned by the planner's own function
  (planning.propose_team_visits: no team at a member's unit, balanced loads), each visit on
  a session the group held (visits past) or on a planned working day (visits to come), at
  the stage its date and the team's pace give it; 2–3 score sheets on the default template
  for every visit held;
- problems: ~1.5 a group from visits, inspections (巡察), supervision checks and
  self-checks, each with its rectification: closed on time or late, reported, returned or
  open, some overdue; the secretaries' progress reports;
- assessment: the root's default scheme for last year (computed and published) and this
  year (computed, a draft), with three groups marked down to 不合格 in both (the 约谈名单),
  after the compliance snapshot is refreshed as cron would.

Like the study steps, each step reads the province back from the database (scale_db), runs
in its own transaction, draws from its own seeded RNG over ordered rows and is skipped when
its records are there, so a bench database built before these steps gains them alone.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Model
from django.db.models.functions import Length

from zhongxinzu.accounts.models import User
from zhongxinzu.assessment import services as assessment
from zhongxinzu.assessment.models import AssessmentScheme
from zhongxinzu.compliance.engine import CHECKS
from zhongxinzu.compliance.models import GroupCompliance
from zhongxinzu.compliance.services import snapshot_refresh
from zhongxinzu.lib.workdays import add_working_days, is_workday
from zhongxinzu.meetings.models import StudySession
from zhongxinzu.org.models import Membership, Person, StudyGroup, Unit
from zhongxinzu.org.scale import SUPERVISOR_USERNAME, person_name
from zhongxinzu.org.scale_db import Clock, Insert, Province, province
from zhongxinzu.rules.services import rulebook_for
from zhongxinzu.supervision import planning, scoring
from zhongxinzu.supervision import services as supervision
from zhongxinzu.supervision.models import (
    Expert,
    ObservationTeam,
    ObservationVisit,
    Problem,
    Rectification,
    RectificationReport,
    ScoreEntry,
    ScoreSheet,
    ScoreTemplate,
    TeamMember,
    VisitPlan,
)
from zhongxinzu.supervision.selectors import CHECKLIST_ITEMS

if TYPE_CHECKING:
    from zhongxinzu.org.scale import ScaleBuild

GROUPS_PER_TEAM = 25  # 5,000 groups → 200 teams
EXPERTS_PER_TEAM = 6  # the pool: 1,200 for 200 teams, a few left off every team
TEAM_SIZES = (4, 5, 5, 6, 6, 7)
SUBTREE_GROUPS, SUBTREE_TEAMS = 115, 24  # Seed 001: 115 Party committees, 24 teams
MARKED_DOWN = 3  # groups marked down in both years' assessment
Stage = ObservationVisit.Stage
RStatus = Rectification.Status

# --- texts -------------------------------------------------------------------------------

FIELDS = ["马克思主义理论", "中共党史", "党的建设", "公共管理", "经济学", "法学", "哲学"]
OUTSIDE = [  # (employer, titles): the first two are units of the province when it has them
    ("省委党校", ("教授", "副教授", "讲师")),
    ("省社科院", ("研究员", "副研究员")),
    ("省师范大学马克思主义学院", ("教授", "副教授")),
    ("省委讲师团", ("团长", "副团长", "讲师")),
    ("省委党史研究室", ("研究员", "副主任")),
    ("（退休）", ("原市委组织部副部长", "原县委书记", "原省直机关处长")),
]
AVAILABILITY = ["工作日均可", "周二、周四", "每月上旬", "提前一周约定", ""]
ONSITE = [
    "第一议题学习及时，领学准备充分；个别发言联系实际不够紧密。",
    "学习组织规范，研讨主题聚焦，主持人总结提出了明确要求。",
    "发言人准备较充分，但个别成员照稿宣读，互动交流不够。",
]
INTERVIEW = "与学习秘书、两名成员座谈，了解学习计划落实和成果转化情况。"
SUMMARY = (
    "学习组织规范，主题聚焦，研讨较为深入。",
    "结合本系统重点工作开展专题研讨，形成了调研成果。",
    "个别成员发言准备不够充分，成果转化跟踪不够。",
)
SHEET_REMARKS = [
    "学习规范，研讨深入。",
    "准备较充分，联系实际有待加强。",
    "组织有序，发言质量一般。",
]
PROBLEMS = [
    ("学习次数", "集体学习次数不足，未按季度开展集中研讨"),
    ("第一议题", "第一议题学习不及时，个别议题未跟进学习"),
    ("研讨质量", "研讨发言照本宣科，联系分管工作实际不够"),
    ("参学率", "个别成员多次缺席集体学习，补学不及时"),
    ("学习计划", "年度学习计划报备滞后，专题安排不够具体"),
    ("档案管理", "学习记录不完整，会议纪要归档不规范"),
    ("成果转化", "调研成果转化运用不够，缺少制度性成果"),
    ("领学", "领学人准备不充分，领读解读不到位"),
    ("发言准备", "研讨发言稿未经组长审核"),
]
MEASURES = "制定整改方案，明确责任人和完成时限，按期报送整改情况。"
DEPARTMENTS = ["办公室", "组织人事科", "宣传科", "党建工作部", "机关党委"]
REPORT_TEXT = "已召开专题会议研究整改，完成补学并建立提醒制度，相关材料已归档。"
RETURN_NOTE = "整改佐证材料不充分，请补充会议纪要和学习记录后重新报送。"
DEDUCTIONS = [
    ("-25", "巡察反馈中心组学习流于形式，以会代学", "省委第{n}巡察组{year}年反馈意见"),
    ("-20", "列席旁听和督导检查发现的问题整改不到位", "{year}年理论学习中心组学习督导检查通报"),
]
SOURCES = [  # the sources other than observation, with their weights and evidence
    (Problem.Source.INSPECTION, 3, "省委第{n}巡察组反馈意见"),
    (Problem.Source.SUPERVISION, 4, "{year}年理论学习中心组学习督导检查通报"),
    (Problem.Source.SELF_CHECK, 3, "中心组自查报告"),
]


def _exists(build: ScaleBuild, model: type[Model], prefix: str) -> bool:
    """Whether the step writing `model` has run: years=0 asks for no activity at all."""
    if not build.years:
        return True
    return model.objects.filter(**{f"{prefix}unit__path__startswith": build.root_path}).exists()


def _below(p: Province) -> list[StudyGroup]:
    """The groups the root's plan visits: every active one but the root's own, path order."""
    return [g for g in p.groups if g.unit_id != p.root.pk and g.is_active and g.unit.is_active]


def _workday_on_or_after(day: dt.date, last: dt.date) -> dt.date:
    while day < last and not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def subtree_unit(root: Unit) -> tuple[Unit, int]:
    """The unit of Seed 001's case: the smallest one directly under the root with at least
    SUBTREE_GROUPS groups below it (else the largest), with that number of groups."""
    counts = []
    for unit in Unit.objects.filter(path__startswith=root.path, depth=root.depth + 1).order_by(
        "path"
    ):
        n = StudyGroup.objects.filter(unit__path__startswith=unit.path).exclude(unit=unit).count()
        counts.append((n, unit))
    big = [c for c in counts if c[0] >= SUBTREE_GROUPS]
    n, unit = min(big, key=lambda c: c[0]) if big else max(counts, key=lambda c: c[0])
    return unit, n


# --- the steps -----------------------------------------------------------------------------


def step_experts(build: ScaleBuild) -> str:
    """The root's pool: a little over half members of the units' groups, the rest from
    outside (those at the province's party school or academy have it as their unit)."""
    rng = build.rng("experts")
    p = province(build)
    wanted = max(3, round(len(_below(p)) / GROUPS_PER_TEAM)) * EXPERTS_PER_TEAM
    candidates = [
        pid
        for g in p.groups
        for pid, role, _, end in p.rosters[g.pk]
        if role == Membership.Role.MEMBER and end is None
    ]
    chosen = rng.sample(candidates, min(len(candidates), round(wanted * 0.55)))
    people = {
        pk: (name, post, unit_id, unit_name)
        for pk, name, post, unit_id, unit_name in Person.objects.filter(pk__in=chosen)
        .order_by("pk")
        .values_list("pk", "name", "post", "unit_id", "unit__name")
    }
    in_tree = {
        name.removesuffix("党委").removesuffix("党组"): pk
        for pk, name in Unit.objects.filter(
            path__startswith=p.root.path, depth=p.root.depth + 1
        ).values_list("pk", "name")
    }
    experts = []
    for pid in chosen:
        name, post, unit_id, unit_name = people[pid]
        experts.append(
            Expert(
                owner_unit=p.root,
                person_id=pid,
                name=name,
                field=rng.choice(FIELDS),
                title=post[:100],
                employer=unit_name[:100],
                home_unit_id=unit_id,
                availability=rng.choice(AVAILABILITY),
            )
        )
    while len(experts) < wanted:
        employer, titles = rng.choice(OUTSIDE)
        gender = "女" if rng.random() < 0.3 else "男"
        experts.append(
            Expert(
                owner_unit=p.root,
                name=person_name(rng, gender),
                field=rng.choice(FIELDS),
                title=rng.choice(titles),
                employer=employer,
                home_unit_id=in_tree.get(employer),
                availability=rng.choice(AVAILABILITY),
            )
        )
    rng.shuffle(experts)
    Expert.objects.bulk_create(experts, batch_size=1000)
    inside = sum(1 for e in experts if e.person_id)
    return f"{len(experts)} experts ({inside} from the units' groups)"


def step_teams(build: ScaleBuild) -> str:
    """The root's teams of the year, each expert on one of them; and Seed 001's case: a
    city's own teams, drawn from the same pool."""
    rng = build.rng("teams")
    p = province(build)
    year = p.today.year
    pool = list(
        Expert.objects.filter(owner_unit=p.root, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    count = max(3, round(len(_below(p)) / GROUPS_PER_TEAM))
    city, below = subtree_unit(p.root)
    city_count = max(2, round(SUBTREE_TEAMS * min(below, SUBTREE_GROUPS) / SUBTREE_GROUPS))
    teams = [
        ObservationTeam(owner_unit=p.root, year=year, name=f"省委第{n}旁听组")
        for n in range(1, count + 1)
    ]
    short = city.name.removesuffix("市委").removesuffix("党委")
    teams += [
        ObservationTeam(owner_unit=city, year=year, name=f"{short}市第{n}旁听组")
        for n in range(1, city_count + 1)
    ]
    teams = ObservationTeam.objects.bulk_create(teams, batch_size=1000)
    members, left = [], list(pool)
    for team in teams[:count]:
        take = left[: rng.choice(TEAM_SIZES)] or rng.sample(pool, 4)
        left = left[len(take) :]
        members += [
            TeamMember(team=team, expert_id=e, is_leader=i == 0) for i, e in enumerate(take)
        ]
    for team in teams[count:]:
        take = rng.sample(pool, min(len(pool), rng.choice(TEAM_SIZES)))
        members += [
            TeamMember(team=team, expert_id=e, is_leader=i == 0) for i, e in enumerate(take)
        ]
    TeamMember.objects.bulk_create(members, batch_size=1000)
    return (
        f"{count} teams of the root, {city_count} of {city.name} ({below} groups below it), "
        f"{len(members)} team members"
    )


def _held_sessions(p: Province, year: int) -> dict[int, list[tuple[int, dt.date]]]:
    """group id -> (session id, day) of its sessions this year before today, in date order."""
    out: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
    clock = Clock()
    for sid, gid, starts in (
        StudySession.objects.filter(
            **p.in_province("group__"),
            starts_at__gte=clock.at(dt.date(year, 1, 1), 0),
            starts_at__lt=clock.at(p.today, 0),
        )
        .order_by("starts_at", "pk")
        .values_list("pk", "group_id", "starts_at")
    ):
        out[gid].append((sid, starts.astimezone(clock.tz).date()))
    return out


def _slots(rng: random.Random, p: Province, year: int) -> list[planning.GroupSlot]:
    """Every group below the root with the one day the planner should put its visit on: the
    first session it held on or after a day drawn from the year (else its last one), or, for
    a day still to come, that working day (its session is not scheduled in the data yet)."""
    held = _held_sessions(p, year)
    first, last = dt.date(year, 1, 15), dt.date(year, 12, 20)
    slots = []
    for g in _below(p):
        target = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
        sessions = held.get(g.pk, [])
        if target < p.today and sessions:
            slot = next((s for s in sessions if s[1] >= target), sessions[-1])
        else:
            end = dt.date(year, 12, 31)
            later = min(max(target, p.today + dt.timedelta(days=1)), end)
            slot = (None, _workday_on_or_after(later, end))
        step = Unit.steplen
        slots.append(planning.GroupSlot(g.pk, g.unit_id, g.unit.path[:-step], (slot,)))
    return slots


def _progress(rng: random.Random, v: ObservationVisit, today: dt.date, clock: Clock) -> None:
    """Move a visit to the stage its date and the team's pace give it, with the records of
    each stage (the same fields the visit services fill)."""
    yesterday = today - dt.timedelta(days=1)

    def at(day: dt.date, hour: int) -> dt.datetime:
        return clock.at(min(day, yesterday), hour)

    def checklist(day: dt.date) -> dict:
        items = {k: True for k, _ in CHECKLIST_ITEMS}
        if rng.random() < 0.1:
            items[rng.choice(CHECKLIST_ITEMS)[0]] = False
        checked = at(day, 15).isoformat(timespec="seconds")
        note = "" if all(items.values()) else "发言材料尚未全部报送"
        return {
            "items": items,
            "note": note,
            "checked_by": SUPERVISOR_USERNAME,
            "checked_at": checked,
        }

    due = v.materials_due
    if v.planned_on >= today:
        if due <= today and rng.random() < 0.8:
            v.stage = Stage.BEFORE
            v.materials_sent_at = at(due - dt.timedelta(days=rng.randint(0, 3)), 16)
            if rng.random() < 0.5:
                v.checklist = checklist(v.materials_sent_at.date() + dt.timedelta(days=1))
        return
    roll = rng.random()
    if roll < 0.88:
        v.materials_sent_at = at(due - dt.timedelta(days=rng.randint(0, 2)), 16)
    elif roll < 0.96:
        v.materials_sent_at = at(min(due + dt.timedelta(days=2), v.planned_on), 11)
    if rng.random() < 0.92:
        v.checklist = checklist(min(due + dt.timedelta(days=1), v.planned_on))
    v.onsite_comments = rng.choice(ONSITE)
    roll = rng.random()
    if today <= v.summary_due:  # the summary is not due yet
        stage = Stage.DURING if roll < 0.35 else Stage.AFTER if roll < 0.75 else Stage.FEEDBACK
    else:
        stage = (
            Stage.DURING
            if roll < 0.03
            else Stage.AFTER
            if roll < 0.08
            else Stage.FEEDBACK
            if roll < 0.18
            else Stage.CLOSED
        )
    if stage != Stage.DURING:
        v.interview_notes = INTERVIEW
    if stage in (Stage.FEEDBACK, Stage.CLOSED):
        late = rng.random() < 0.1
        span = (v.summary_due - v.planned_on).days
        submitted = v.planned_on + dt.timedelta(
            days=rng.randint(span + 1, span + 10) if late else rng.randint(1, max(1, span))
        )
        v.summary_overall, v.summary_highlights, v.summary_problems = SUMMARY
        v.summary_submitted_at = at(submitted, 17)
        sent = v.summary_submitted_at.date() + dt.timedelta(days=rng.randint(1, 10))
        if stage == Stage.CLOSED and sent <= yesterday:
            v.feedback_sent_at = at(sent, 10)
        else:
            stage = Stage.FEEDBACK
    v.stage = stage


def _sheets(rng: random.Random, visits: list[ObservationVisit], today: dt.date) -> tuple[int, int]:
    """2–3 score sheets of the team's members for every visit held; scores per item of the
    default template around the group's level; total = sum of the entries."""
    template = (
        ScoreTemplate.objects.filter(owner_unit__isnull=True, is_active=True).order_by("pk").first()
    )
    if template is None:
        raise RuntimeError("the default score template (supervision migration 0002) is missing")
    items = list(template.items.order_by("order", "pk"))
    members: dict[int, list[int]] = defaultdict(list)
    for team_id, expert_id in (
        TeamMember.objects.filter(team_id__in={v.team_id for v in visits})
        .order_by("team_id", "-is_leader", "pk")
        .values_list("team_id", "expert_id")
    ):
        members[team_id].append(expert_id)
    clock, yesterday = Clock(), today - dt.timedelta(days=1)
    level: dict[int, float] = {}
    sheets, scores = [], []
    for v in visits:
        if v.stage in (Stage.PLANNED, Stage.BEFORE) or not members[v.team_id]:
            continue
        if v.group_id not in level:  # most groups do well, some are visibly weaker
            level[v.group_id] = rng.choices([0.93, 0.86, 0.74], [6, 3, 1])[0]
        draft = v.stage == Stage.DURING and rng.random() < 0.5
        team = members[v.team_id]
        for expert_id in [team[0], *rng.sample(team[1:], min(len(team) - 1, rng.choice((1, 2))))]:
            bias = rng.uniform(-0.04, 0.04)
            values = []
            for item in items:
                share = min(1.0, max(0.3, level[v.group_id] + bias + rng.gauss(0, 0.06)))
                values.append(Decimal(f"{round(item.points * share * 2) / 2:.1f}"))
            total = sum(values, Decimal(0))
            day = min(v.planned_on + dt.timedelta(days=rng.randint(0, 2)), yesterday)
            sheets.append(
                ScoreSheet(
                    visit=v,
                    observer_id=expert_id,
                    template=template,
                    remarks=rng.choice(SHEET_REMARKS),
                    total=total,
                    grade="" if draft else scoring.grade_for(total, template.grades),
                    submitted_at=None if draft else clock.at(day, 20),
                )
            )
            scores.append(values)
    ScoreSheet.objects.bulk_create(sheets, batch_size=1000)
    entries = Insert(ScoreEntry, ["sheet_id", "item_id", "score", "remark"])
    entries.write(
        (sheet.pk, item.pk, str(value), "")
        for sheet, values in zip(sheets, scores, strict=True)
        for item, value in zip(items, values, strict=True)
    )
    return len(sheets), entries.count


def step_visits(build: ScaleBuild) -> str:
    """The root's published plan for the year, its visits at every stage, the score sheets."""
    rng = build.rng("visits")
    p, clock = province(build), Clock()
    year = p.today.year
    per_year = int(rulebook_for(p.root, year)["observation_visits_per_year"])
    slots = _slots(rng, p, year)
    proposal = planning.propose_team_visits(
        slots,
        supervision.planning_teams(p.root, year),
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        visits_per_group=per_year,
    )
    published = _workday_on_or_after(dt.date(year, 1, 6), dt.date(year, 12, 31))
    plan = VisitPlan.objects.create(
        owner_unit=p.root,
        year=year,
        title=f"{year}年度全省党委（党组）理论学习中心组列席旁听计划",
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        status=VisitPlan.Status.PUBLISHED,
        uncovered=proposal.uncovered,
        created_by_id=p.supervisor_id,
        published_at=clock.at(min(published, p.today), 10),
    )
    groups = {g.pk: g for g in p.groups}
    visits = []
    for pv in proposal.visits:
        book = p.book(groups[pv.group_id], year)
        v = ObservationVisit(
            plan=plan,
            group_id=pv.group_id,
            team_id=pv.team_id,
            session_id=pv.session_id,
            planned_on=pv.planned_on,
            materials_due=add_working_days(
                pv.planned_on, -int(book["observation_materials_working_days"])
            ),
            summary_due=add_working_days(
                pv.planned_on, int(book["observation_summary_working_days"])
            ),
        )
        _progress(rng, v, p.today, clock)
        visits.append(v)
    ObservationVisit.objects.bulk_create(visits, batch_size=1000)
    sheets, entries = _sheets(rng, visits, p.today)
    stages = defaultdict(int)
    for v in visits:
        stages[v.stage] += 1
    shown = ", ".join(f"{stages[s]} {s}" for s in Stage.values if stages[s])
    return (
        f"plan of {len(visits)} visits ({shown}), {len(proposal.uncovered)} uncovered; "
        f"{sheets} score sheets, {entries} entries"
    )


def _status(rng: random.Random, found: dt.date, deadline: dt.date, today: dt.date):
    """(status, closed on) of a rectification; overdue = deadline passed, not closed."""
    yesterday = today - dt.timedelta(days=1)
    roll = rng.random()
    if found >= yesterday:
        return RStatus.OPEN, None
    if deadline < today:
        if roll < 0.70:
            span = max(0, (deadline - found).days - 10)
            return RStatus.CLOSED, found + dt.timedelta(days=10 + rng.randint(0, span))
        if roll < 0.80:
            return RStatus.CLOSED, min(deadline + dt.timedelta(days=rng.randint(1, 30)), yesterday)
        status = RStatus.REPORTED if roll < 0.88 else RStatus.RETURNED if roll < 0.93 else None
        return status or RStatus.OPEN, None
    if roll < 0.15:
        return RStatus.CLOSED, found + dt.timedelta(days=rng.randint(1, (yesterday - found).days))
    status = RStatus.REPORTED if roll < 0.45 else RStatus.RETURNED if roll < 0.5 else None
    return status or RStatus.OPEN, None


def step_problems(build: ScaleBuild) -> str:
    """~1.5 problems a group, each with its rectification and the group's reports."""
    rng = build.rng("problems")
    p, clock = province(build), Clock()
    year, today = p.today.year, p.today
    yesterday = today - dt.timedelta(days=1)
    summarised = {
        gid: (vid, submitted)
        for vid, gid, submitted in ObservationVisit.objects.filter(
            plan__owner_unit=p.root, plan__year=year, summary_submitted_at__isnull=False
        )
        .order_by("pk")
        .values_list("pk", "group_id", "summary_submitted_at")
    }
    secretaries = p.secretaries()
    weights = [w for _, w, _ in SOURCES]
    first = min(dt.date(year, 1, 10), yesterday)
    problems, plans = [], []  # plans: (deadline, status, closed on, owner)
    for g in _below(p):
        for _ in range(rng.choices((0, 1, 2, 3, 4), (20, 35, 25, 13, 7))[0]):
            category, description = rng.choice(PROBLEMS)
            visit = None
            if g.pk in summarised and rng.random() < 0.5:
                visit, submitted = summarised[g.pk]
                source, evidence = Problem.Source.OBSERVATION, "列席旁听反馈意见"
                found = submitted.astimezone(clock.tz).date()
            else:
                source, _, text = rng.choices(SOURCES, weights)[0]
                evidence = text.format(n=rng.randint(1, 8), year=year)
                found = first + dt.timedelta(days=rng.randrange((yesterday - first).days + 1))
            deadline = found + dt.timedelta(days=rng.choice((30, 45, 60, 90)))
            on = p.roster_on(g.pk, found)
            # The owner (责任人): a deputy of the group, else whoever leads its roster.
            leads = [pid for pid, role in on if role == Membership.Role.DEPUTY]
            owner = rng.choice(leads) if leads else (on[0][0] if on else None)
            raiser = secretaries[g.pk] if source == Problem.Source.SELF_CHECK else p.supervisor_id
            problems.append(
                Problem(
                    group_id=g.pk,
                    source=source,
                    visit_id=visit,
                    category=category,
                    description=description,
                    evidence=evidence,
                    found_on=found,
                    raised_by_id=raiser,
                )
            )
            status, closed = _status(rng, found, deadline, today)
            plans.append((deadline, status, closed, owner))
    Problem.objects.bulk_create(problems, batch_size=1000)
    rects = [
        Rectification(
            problem=problem,
            measures=MEASURES,
            owner_id=owner,
            department=rng.choice(DEPARTMENTS),
            deadline=deadline,
            status=status,
            closed_by_id=p.supervisor_id if closed else None,
            closed_at=clock.at(closed, 17) if closed else None,
            return_note=RETURN_NOTE if status == RStatus.RETURNED else "",
        )
        for problem, (deadline, status, closed, owner) in zip(problems, plans, strict=True)
    ]
    Rectification.objects.bulk_create(rects, batch_size=1000)
    reports = Insert(
        RectificationReport, ["rectification_id", "text", "reported_by_id"] + ["reported_at"]
    )

    def rows():
        for problem, r in zip(problems, rects, strict=True):
            if r.status == RStatus.OPEN:
                continue
            last = r.closed_at.date() if r.closed_at else yesterday
            day = problem.found_on + dt.timedelta(
                days=rng.randint(0, (last - problem.found_on).days)
            )
            yield (r.pk, REPORT_TEXT, secretaries[problem.group_id], clock.db_at(day, 11))

    reports.write(rows())
    overdue = sum(1 for r in rects if r.status != RStatus.CLOSED and r.deadline < today)
    closed = sum(1 for r in rects if r.status == RStatus.CLOSED)
    return (
        f"{len(problems)} problems ({closed} closed, {overdue} overdue), "
        f"{reports.count} rectification reports"
    )


def step_assessment(build: ScaleBuild) -> str:
    """The root's default scheme for last year (published) and this year (computed draft),
    after the compliance snapshot they read is refreshed (what cron does every night)."""
    rng = build.rng("assessment")
    p = province(build)
    supervisor = User.objects.get(pk=p.supervisor_id)
    marked = rng.sample(_below(p), min(MARKED_DOWN, len(_below(p))))
    out = []
    for year in (p.today.year - 1, p.today.year):
        fresh = (
            GroupCompliance.objects.filter(
                year=year, as_of__gte=p.today, **p.in_province("group__")
            )
            .annotate(checks=Length("codes"))
            .filter(checks=len(CHECKS))
            .count()
        )
        if fresh < len(p.groups):
            snapshot_refresh(year=year, as_of=p.today, root=p.root)
        scheme = assessment.scheme_create_default(actor=supervisor, owner_unit=p.root, year=year)
        for g in marked:  # both deductions on each: 不合格 whatever the records give
            for points, reason, evidence in DEDUCTIONS:
                assessment.adjustment_add(
                    actor=supervisor,
                    scheme=scheme,
                    group=g,
                    points_=Decimal(points),
                    reason=reason,
                    evidence=evidence.format(n=rng.randint(1, 8), year=year),
                )
        n = assessment.scheme_compute(
            actor=supervisor, scheme=scheme, as_of=min(p.today, dt.date(year, 12, 31))
        )
        if year < p.today.year:
            assessment.scheme_publish(actor=supervisor, scheme=scheme)
        out.append(f"{year} {'published' if year < p.today.year else 'computed'} ({n} groups)")
    return "schemes " + ", ".join(out)


Step = Callable[["ScaleBuild"], str]
Done = Callable[["ScaleBuild"], bool]
STEPS: list[tuple[str, Step, Done]] = [
    ("experts", step_experts, lambda b: _exists(b, Expert, "owner_")),
    ("teams", step_teams, lambda b: _exists(b, ObservationTeam, "owner_")),
    ("visits", step_visits, lambda b: _exists(b, VisitPlan, "owner_")),
    ("problems", step_problems, lambda b: _exists(b, Problem, "group__")),
    ("assessment", step_assessment, lambda b: _exists(b, AssessmentScheme, "owner_")),
]
