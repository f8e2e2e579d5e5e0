"""Supervision for the demo city, through the real services: an expert pool (the demo
`observer` account is one of the experts), four observation teams, this year's published
visit plan with visits at every stage and score sheets, problems open, closed and overdue,
and assessment results for last year (published) and this year (computed) in which one
group is at the bottom both years (约谈名单)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from zhongxinzu.assessment import services as assessment
from zhongxinzu.lib.workdays import add_working_days
from zhongxinzu.meetings.models import StudySession
from zhongxinzu.rules.services import rulebook_for
from zhongxinzu.supervision import problems, scoring
from zhongxinzu.supervision import services as supervision
from zhongxinzu.supervision.models import ObservationVisit, ScoreTemplate

BOTTOM_UNIT = "JC-SJ"  # few sessions this year; scored low by hand last year too
LATE_MATERIALS_UNIT = "JC-JT"  # sent its observation-visit materials after the deadline
EXPERTS = [
    ("周文博", "马克思主义理论", "教授", "江川市委党校"),
    ("钱思远", "中共党史", "副教授", "江川学院马克思主义学院"),
    ("孙建华", "公共管理", "研究员", "江川市社会科学院"),
    ("李晓红", "党的建设", "教授", "江川市委党校"),
    ("吴国平", "经济学", "高级经济师", "江川市发展研究中心"),
    ("郑丽娟", "法学", "副教授", "江川学院法学院"),
    ("王海燕", "哲学", "讲师", "江川市委党校"),
    ("冯志刚", "党的建设", "原市委组织部副部长", "（退休）"),
]


def build_supervision_year(city, rng: random.Random, today: dt.date) -> None:
    supervisor, root = city.accounts["supervisor"], city.units["JC"]
    experts = [
        supervision.expert_create(
            actor=supervisor,
            owner_unit=root,
            name=name,
            field=field,
            title=title,
            employer=employer,
            username="observer" if n == 0 else "",
            availability="工作日均可" if n % 2 else "周二、周四",
        )
        for n, (name, field, title, employer) in enumerate(EXPERTS)
    ]
    for n in range(4):
        team = supervision.team_create(
            actor=supervisor, owner_unit=root, year=today.year, name=f"第{'一二三四'[n]}旁听组"
        )
        for k, expert in enumerate(experts[n * 2 : n * 2 + 2]):
            supervision.team_member_add(
                actor=supervisor, team=team, expert=expert, is_leader=k == 0
            )
    plan = supervision.visit_plan_propose(
        actor=supervisor,
        owner_unit=root,
        year=today.year,
        period_start=dt.date(today.year, 1, 1),
        period_end=dt.date(today.year, 12, 31),
        title=f"{today.year}年度市直单位和区县党委（党组）理论学习中心组列席旁听计划",
    )
    # Moved while the plan is a draft: publishing tells hosts and observers the dates the
    # visits keep (moved after, the notices would announce the planner's dates instead).
    past = _backdate(today)
    supervision.visit_plan_publish(actor=supervisor, plan=plan)
    _progress_visits(city, supervisor, past)
    _problems(city, supervisor, today)
    _assessments(city, supervisor, root, today)


def _progress_visits(city, supervisor, past: list[ObservationVisit]) -> None:
    """Past visits reach different stages; the observer scores the visits of their team."""
    observer = city.accounts["observer"]
    template = ScoreTemplate.objects.filter(owner_unit=None).first()
    items = list(template.items.all())
    for n, visit in enumerate(past):
        stage = n % 4  # 0: only on-site comments, 1: + interview, 2: + summary, 3: closed
        supervision.visit_onsite_save(
            actor=supervisor,
            visit=visit,
            comments="第一议题学习及时，领学准备充分；个别发言联系实际不够紧密。",
        )
        if stage >= 1:
            supervision.visit_interview_save(
                actor=supervisor,
                visit=visit,
                notes="与学习秘书、两名成员座谈，了解学习计划落实和成果转化情况。",
            )
        if stage >= 2:
            supervision.visit_summary_submit(
                actor=supervisor,
                visit=visit,
                overall="学习组织规范，主题聚焦，研讨较为深入。",
                highlights="结合本系统重点工作开展专题研讨，形成了调研成果。",
                problems="个别成员发言准备不够充分，成果转化跟踪不够。",
            )
        if stage >= 3:
            supervision.visit_feedback_send(actor=supervisor, visit=visit)
        if scoring.observer_expert(observer, visit) is not None:
            low = visit.group.unit.code == BOTTOM_UNIT
            scores = {i.pk: Decimal(i.points) * Decimal("0.7" if low else "0.9") for i in items}
            scoring.score_sheet_save(
                actor=observer,
                visit=visit,
                scores=scores,
                overall="学习规范，研讨深入。",
                submit=True,
            )


def _backdate(today, count: int = 16) -> list[ObservationVisit]:
    """The planner plans from today on; the demo shows a year under way, so the first visits
    are moved onto each group's last recorded session, as if planned in spring."""
    visits = list(
        ObservationVisit.objects.select_related("group__unit", "team").order_by(
            "group__unit__path"
        )[:count]
    )
    for visit in visits:
        session = (
            StudySession.objects.filter(group=visit.group, status="recorded")
            .order_by("-starts_at")
            .first()
        )
        day = timezone.localtime(session.starts_at).date()
        book = rulebook_for(visit.group.unit, day.year)
        due = add_working_days(day, -book["observation_materials_working_days"])
        # Hosts send their materials a working day early; one sends them two days late.
        sent = add_working_days(due, 2 if visit.group.unit.code == LATE_MATERIALS_UNIT else -1)
        ObservationVisit.objects.filter(pk=visit.pk).update(
            session=session,
            planned_on=day,
            materials_due=due,
            materials_sent_at=timezone.make_aware(dt.datetime.combine(sent, dt.time(10))),
            summary_due=add_working_days(day, book["observation_summary_working_days"]),
        )
        visit.refresh_from_db()
    return visits


def _problems(city, supervisor, today) -> None:
    """Open, overdue and closed rectifications. Only the demo group has a secretary account,
    so its problem is the one reported and closed (销号)."""
    groups = {code: unit.group for code, unit in city.units.items()}
    cases = [
        ("JC-SJ", "学习次数", "上半年集体学习次数不足，未按季度开展集中研讨", 20),
        ("JC-JT", "学习计划", "年度学习计划报备滞后", -30),
        ("JC-ZR", "名册管理", "党群部门负责人未列入中心组名册", 30),
        ("JC-CZ", "第一议题", "个别第一议题未及时跟进学习", -15),
        ("JC-JY", "参学率", "个别成员多次缺席集体学习，补学不及时", -40),
    ]
    for code, category, description, deadline_days in cases:
        problem = problems.problem_create(
            actor=supervisor,
            group=groups[code],
            source="observation",
            category=category,
            description=description,
            found_on=today - dt.timedelta(days=90),
            measures="制定整改方案，明确责任人和完成时限，按期报送整改情况。",
            deadline=today + dt.timedelta(days=deadline_days),
            department="办公室",
        )
        if code == "JC-JY":
            problems.rectification_report_add(
                actor=city.accounts["secretary"],
                rectification=problem.rectification,
                text="已约谈相关成员，完成补学并建立缺勤提醒制度。",
            )
            problem.rectification.refresh_from_db()
            problems.rectification_close(actor=supervisor, rectification=problem.rectification)


def _tie_at_the_cut(supervisor, scheme, bottom, tied, as_of):
    """Give one group (the same both years) the total of the last place inside the 约谈 cut,
    so the demo's talk list shows a tie at the cut: both tied groups are on it."""
    results = list(scheme.results.exclude(group=bottom).order_by("-rank", "group_id"))
    if len(results) <= scheme.bottom_n + 1:
        return tied
    if tied is None:
        tied = results[scheme.bottom_n - 1].group  # just above the cut
    mine = next(r for r in results if r.group_id == tied.pk)
    others = [r for r in results if r.group_id != tied.pk]
    target = others[scheme.bottom_n - 2].total  # the last place still inside the cut
    if mine.total != target:
        assessment.adjustment_add(
            actor=supervisor,
            scheme=scheme,
            group=tied,
            points_=target - mine.total,
            reason="学习档案抽查情况调整" if target < mine.total else "年度专项工作加分",
            evidence="市委宣传部年度抽查记录",
        )
        assessment.scheme_compute(actor=supervisor, scheme=scheme, as_of=as_of)
    return tied


def _assessments(city, supervisor, root, today) -> None:
    tied = None
    for year in (today.year - 1, today.year):
        scheme = assessment.scheme_create_default(actor=supervisor, owner_unit=root, year=year)
        manual = scheme.indicators.filter(method="manual").first()
        if manual is not None:
            scores = {
                unit.group.pk: (
                    manual.weight * Decimal("0.5" if code == BOTTOM_UNIT else "0.9"),
                    "旁听和检查中发现问题较多" if code == BOTTOM_UNIT else "学习组织规范",
                )
                for code, unit in city.units.items()
                if code != "JC"
            }
            assessment.manual_scores_set(actor=supervisor, indicator=manual, scores=scores)
        if year < today.year:
            assessment.adjustment_add(
                actor=supervisor,
                scheme=scheme,
                group=city.units[BOTTOM_UNIT].group,
                points_=Decimal("-8"),
                reason="巡察反馈的学习不规范问题整改不到位",
                evidence="市委第二巡察组反馈意见",
            )
        as_of = min(today, dt.date(year, 12, 31))
        assessment.scheme_compute(actor=supervisor, scheme=scheme, as_of=as_of)
        tied = _tie_at_the_cut(supervisor, scheme, city.units[BOTTOM_UNIT].group, tied, as_of)
        if year < today.year:
            assessment.scheme_publish(actor=supervisor, scheme=scheme)
