import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhongxinzu.assessment import services
from zhongxinzu.assessment.models import AssessmentScheme, Indicator
from zhongxinzu.assessment.tests.helpers import YEAR, at, published_scheme, session
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.compliance.engine import MET, NA, Period, evaluate
from zhongxinzu.plans.models import YearPlan
from zhongxinzu.supervision.models import (
    Expert,
    ObservationVisit,
    Problem,
    Rectification,
    ScoreSheet,
    ScoreTemplate,
)


def _scheme(world, year=YEAR):
    return services.scheme_create_default(
        actor=world.users["supervisor"], owner_unit=world.units["own"], year=year
    )


def _rows(scheme, **changes):
    rows = [
        {
            "id": i.pk,
            "name": i.name,
            "weight": str(i.weight),
            "method": i.method,
            "metric": i.metric,
            "description": i.description,
        }
        for i in scheme.indicators.all()
    ]
    for row in rows:
        row.update(changes.get(row["metric"], {}))
    return rows


def test_default_scheme_has_the_six_areas_summing_to_100(world):
    scheme = _scheme(world)
    indicators = list(scheme.indicators.all())
    assert services.weight_total(indicators) == 100
    areas = {}
    for i in indicators:
        area = i.name.split("·")[0]
        areas[area] = areas.get(area, 0) + i.weight
    assert areas == {
        "计划制订": 10,
        "组织实施": 25,
        "研讨深度": 20,
        "成果转化": 20,
        "规则落实": 15,
        "档案管理": 10,
    }
    assert [g[0] for g in scheme.grades] == ["优秀", "良好", "合格", "不合格"]


def test_weights_must_sum_to_100(world):
    scheme = _scheme(world)
    rows = _rows(scheme, sessions={"weight": "12"})
    with pytest.raises(ValidationError) as e:
        services.scheme_update(
            actor=world.users["supervisor"],
            scheme=scheme,
            name=scheme.name,
            bottom_n=3,
            grades=scheme.grades,
            indicators=rows,
        )
    assert "各指标权重之和应为100分，当前为102分" in e.value.messages
    rows = _rows(scheme, sessions={"weight": "12"}, archive={"weight": "8"})
    services.scheme_update(
        actor=world.users["supervisor"],
        scheme=scheme,
        name="新名称",
        bottom_n=2,
        grades=scheme.grades,
        indicators=rows,
    )
    assert scheme.indicators.get(metric="sessions").weight == 12
    assert AuditEntry.objects.filter(action="assessment.scheme_update").exists()


def test_only_supervisors_of_the_unit_create_schemes(world):
    with pytest.raises(PermissionDenied):
        services.scheme_create_default(
            actor=world.users["supervisor"], owner_unit=world.units["parent"], year=YEAR
        )
    _scheme(world)
    with pytest.raises(ValidationError):
        _scheme(world)


def test_grades_parse_and_validate():
    assert services.parse_grades("优秀:90，良好：80,合格:60,不合格:0") == [
        ["优秀", 90],
        ["良好", 80],
        ["合格", 60],
        ["不合格", 0],
    ]
    with pytest.raises(ValidationError):
        services.parse_grades("优秀:90,合格:95,不合格:0")


def test_ranking_ties_share_a_rank():
    totals = {1: Decimal("90"), 2: Decimal("85.5"), 3: Decimal("90"), 4: Decimal("70")}
    assert services.ranks(totals, [1, 2, 3, 4]) == {1: 1, 3: 1, 2: 3, 4: 4}
    grades = [["优秀", 90], ["良好", 80], ["合格", 60], ["不合格", 0]]
    assert services.grade_for(Decimal("90"), grades) == "优秀"
    assert services.grade_for(Decimal("89.9"), grades) == "良好"
    assert services.grade_for(Decimal("0"), grades) == "不合格"


def _records(world):
    own, child = world.groups["own"], world.groups["child"]
    leader, member = world.users["leader"].person, world.users["member"].person
    other = world.people["own"]
    YearPlan.objects.create(group=own, year=YEAR, title="计划", status="filed", filed_at=at(1, 10))
    all_in = [(leader, "present"), (member, "present"), (other, "present")]
    one_out = [(leader, "present"), (member, "present"), (other, "absent")]
    session(own, 1, 10, kind="discussion", status="recorded", minutes="纪要", people=all_in)
    session(own, 4, 10, kind="discussion", status="recorded", minutes="纪要", people=one_out)
    session(own, 6, 10, status="recorded", minutes="纪要")
    for month in (7, 8, 9):
        session(own, month, 10)
    session(own, 11, 10, status="planned")
    # observation: one visit, two submitted sheets (80 and 90), one unsubmitted
    visit = ObservationVisit.objects.create(group=own, planned_on=dt.date(YEAR, 5, 1))
    template = ScoreTemplate.objects.create(name="默认")
    for n, total in enumerate((80, 90, 10)):
        expert = Expert.objects.create(owner_unit=world.units["parent"], name=f"专家{n}")
        ScoreSheet.objects.create(
            visit=visit,
            observer=expert,
            template=template,
            total=total,
            submitted_at=at(5, 1) if total > 10 else None,
        )
    # rectification: one closed on time, one overdue
    for deadline, closed in ((dt.date(YEAR, 3, 31), at(3, 20)), (dt.date(YEAR, 6, 30), None)):
        problem = Problem.objects.create(
            group=own,
            source="supervision",
            category="学习形式",
            description="问题",
            found_on=dt.date(YEAR, 2, 1),
            raised_by=world.users["supervisor"],
        )
        Rectification.objects.create(
            problem=problem,
            measures="措施",
            deadline=deadline,
            status="closed" if closed else "open",
            closed_at=closed,
        )
    return own, child


def _scores(result) -> dict:
    by_id = {str(i.pk): i.metric for i in result.scheme.indicators.all()}
    return {by_id[k]: Decimal(v["score"]) for k, v in result.breakdown.items() if k in by_id}


def test_computed_scores_match_hand_calculation(world):
    own, child = _records(world)
    scheme = _scheme(world)
    services.adjustment_add(
        actor=world.users["supervisor"],
        scheme=scheme,
        group=child,
        points_=Decimal("2"),
        reason="经验做法被推广",
        evidence="市委宣传部通报",
    )
    assert services.scheme_compute(actor=world.users["supervisor"], scheme=scheme) == 2
    results = {r.group_id: r for r in scheme.results.select_related("scheme")}
    checks = evaluate([own, child], Period.year(YEAR), as_of=dt.date(YEAR, 12, 31))

    def compliance(group, weight=5):
        applicable = [c for c in checks[group.pk].checks.values() if c.status != NA]
        met = sum(1 for c in applicable if c.status == MET)
        return services.points(Decimal(weight) * Decimal(met) / Decimal(len(applicable)))

    expected_own = {
        "plan_filed": Decimal("10"),  # filed 1-10, before 1-31
        "sessions": Decimal("5"),  # 10 × 6/12
        "attendance": Decimal("7.4"),  # 8 × (5/6 ÷ 90%)
        "participation": Decimal("4.7"),  # 7 × 2/3
        "discussions": Decimal("5"),  # 10 × 2/4 quarters
        "observation": Decimal("8.5"),  # 10 × 85/100
        "outputs": Decimal("0"),
        "conversions": Decimal("0"),
        "compliance": compliance(own),
        "first_item_lag": Decimal("5"),  # no item due: full marks
        "rectification": Decimal("2.5"),  # 5 × 1/2
        "archive": Decimal("4.6"),  # 10 × (1 + 3 + 2) / (1 + 2 × 6)
    }
    assert _scores(results[own.pk]) == expected_own
    assert results[own.pk].total == sum(expected_own.values())
    expected_child = {
        "plan_filed": Decimal("0"),
        "sessions": Decimal("0"),
        "attendance": Decimal("0"),
        "participation": Decimal("0"),
        "discussions": Decimal("0"),
        "observation": Decimal("8.5"),  # not visited: the mean of visited groups
        "outputs": Decimal("0"),
        "conversions": Decimal("0"),
        "compliance": compliance(child),
        "first_item_lag": Decimal("5"),
        "rectification": Decimal("5"),
        "archive": Decimal("0"),
    }
    assert _scores(results[child.pk]) == expected_child
    assert results[child.pk].total == sum(expected_child.values()) + 2
    assert results[own.pk].rank == 1 and results[child.pk].rank == 2
    line = results[own.pk].breakdown[str(scheme.indicators.get(metric="archive").pk)]
    assert line["formula"] == "10 × (1 + 3 + 2) ÷ (1 + 2 × 6) = 4.6"
    assert results[child.pk].breakdown["adjustments"][0]["evidence"] == "市委宣传部通报"


def test_manual_scores_need_a_reason_and_stay_within_the_weight(world):
    scheme = _scheme(world)
    ind = Indicator.objects.filter(scheme=scheme, metric="archive").get()
    Indicator.objects.filter(pk=ind.pk).update(method="manual", metric="")
    ind.refresh_from_db()
    own = world.groups["own"]
    with pytest.raises(ValidationError) as e:
        services.manual_scores_set(
            actor=world.users["supervisor"], indicator=ind, scores={own.pk: (Decimal(8), "")}
        )
    assert "人工评分须填写理由" in e.value.messages
    with pytest.raises(ValidationError):
        services.manual_scores_set(
            actor=world.users["supervisor"], indicator=ind, scores={own.pk: (Decimal(11), "好")}
        )
    services.manual_scores_set(
        actor=world.users["supervisor"],
        indicator=ind,
        scores={own.pk: (Decimal(8), "档案齐全，目录规范")},
    )
    services.scheme_compute(actor=world.users["supervisor"], scheme=scheme)
    result = scheme.results.get(group=own)
    line = result.breakdown[str(ind.pk)]
    assert line["score"] == "8" and "档案齐全，目录规范" in line["formula"]


def test_publish_locks_and_a_change_makes_a_new_edition(world):
    actor = world.users["supervisor"]
    scheme = _scheme(world)
    with pytest.raises(ValidationError):
        services.scheme_publish(actor=actor, scheme=scheme)  # nothing computed yet
    services.scheme_compute(actor=actor, scheme=scheme)
    services.scheme_publish(actor=actor, scheme=scheme)
    scheme.refresh_from_db()
    assert scheme.status == AssessmentScheme.Status.PUBLISHED
    with pytest.raises(ValidationError):
        services.scheme_compute(actor=actor, scheme=scheme)

    adj = services.adjustment_add(
        actor=actor,
        scheme=scheme,
        group=world.groups["own"],
        points_=Decimal("-3"),
        reason="材料弄虚作假",
        evidence="督查通报",
    )
    draft = adj.scheme
    assert draft.pk != scheme.pk and draft.edition == 2 and draft.previous_id == scheme.pk
    assert draft.status == AssessmentScheme.Status.DRAFT
    assert draft.indicators.count() == scheme.indicators.count()
    assert scheme.adjustments.count() == 0  # the published edition is untouched
    assert scheme.results.count() == 2
    # the draft edition is the one to change from now on
    assert services.scheme_new_edition(actor=actor, scheme=scheme).pk == draft.pk
    with pytest.raises(ValidationError):
        services.adjustment_add(
            actor=actor,
            scheme=scheme,
            group=world.groups["own"],
            points_=Decimal("1"),
            reason="x",
            evidence="y",
        )

    services.scheme_compute(actor=actor, scheme=draft)
    services.scheme_publish(actor=actor, scheme=draft)
    scheme.refresh_from_db()
    assert scheme.status == AssessmentScheme.Status.SUPERSEDED
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"assessment.publish", "assessment.new_edition", "assessment.compute"} <= actions
    with pytest.raises(ValidationError):
        services.adjustment_add(
            actor=actor,
            scheme=scheme,
            group=world.groups["own"],
            points_=Decimal("1"),
            reason="x",
            evidence="y",
        )


def test_two_year_bottom_list(world):
    from zhongxinzu.assessment.tests.helpers import add_groups

    own = world.units["own"]
    a, b, c = add_groups(own, 3)
    base = {world.groups["own"]: 95, world.groups["child"]: 90}
    last_year = published_scheme(world, own, YEAR - 1, {**base, a: 70, b: 65, c: 85})
    this_year = published_scheme(world, own, YEAR, {**base, a: 88, b: 60, c: 62})
    for s in (last_year, this_year):
        AssessmentScheme.objects.filter(pk=s.pk).update(bottom_n=2)
        s.refresh_from_db()
    # last year bottom 2: a, b; this year bottom 2: b, c → b both years
    assert services.talk_list(scheme=this_year) == [b]
    # the lowest grade counts too: a is 不合格 this year and was in last year's bottom 2
    AssessmentScheme.objects.filter(pk=this_year.pk).update(bottom_n=1)
    this_year.refresh_from_db()
    this_year.results.filter(group=a).update(grade="不合格")
    assert set(services.talk_list(scheme=this_year)) == {a, b}
    # no published previous year: no list
    assert services.talk_list(scheme=last_year) == []


def test_first_item_lag_counts_items_due_and_studied_in_time(world):
    from zhongxinzu.assessment import metrics
    from zhongxinzu.meetings.models import AgendaItem
    from zhongxinzu.plans.models import FirstItem

    own = world.groups["own"]

    def item(unit, month, day):
        return FirstItem.objects.create(
            owner_unit=unit,
            title=f"议题{month}-{day}",
            kind="speech",
            released_on=dt.date(YEAR, month, day),
            created_by=world.users["supervisor"],
        )

    on_time = item(world.units["parent"], 1, 5)  # from above, studied after 5 days
    late = item(world.units["own"], 3, 1)  # studied after 40 days
    item(world.units["own"], 6, 1)  # never studied: overdue
    item(world.units["sibling"], 2, 1)  # another branch: not the group's
    for it, (month, day) in ((on_time, (1, 10)), (late, (4, 10))):
        s = session(own, month, day)
        AgendaItem.objects.create(session=s, order=1, title=it.title, first_item=it)
    ctx = metrics.Context(services.subtree_groups(world.units["own"]), YEAR)
    scored = metrics.first_item_lag(ctx)[own.pk]
    assert scored.calc == "1 ÷ 3"
    assert scored.value == "3项中1项在发布后30天内学习，平均22.5天后学习"


def test_compliance_metric_reads_a_fresh_snapshot_like_the_live_engine(world):
    from zhongxinzu.assessment import metrics
    from zhongxinzu.compliance.services import snapshot_refresh

    _records(world)
    groups = list(services.subtree_groups(world.units["own"]))
    live = metrics.compliance(metrics.Context(groups, YEAR))
    snapshot_refresh(year=YEAR, as_of=dt.date(YEAR, 12, 31), root=world.units["own"])
    ctx = metrics.Context(groups, YEAR)
    cached = metrics.compliance(ctx)
    assert {g: (s.ratio, s.value) for g, s in cached.items()} == {
        g: (s.ratio, s.value) for g, s in live.items()
    }


def test_groups_tied_at_the_cut_are_all_on_the_talk_list(world):
    from zhongxinzu.assessment.tests.helpers import add_groups

    own = world.units["own"]
    a, b, c = add_groups(own, 3)
    base = {world.groups["own"]: 95, world.groups["child"]: 90}
    last_year = published_scheme(world, own, YEAR - 1, {**base, a: 60, b: 60, c: 60})
    this_year = published_scheme(world, own, YEAR, {**base, a: 70, b: 70, c: 80})
    for s in (last_year, this_year):
        AssessmentScheme.objects.filter(pk=s.pk).update(bottom_n=1, grades=[])
        s.refresh_from_db()
    # a and b share the last place this year; a, b, c share it last year
    assert set(services.talk_list(scheme=this_year)) == {a, b}


def test_default_scheme_shows_no_internal_references(world):
    scheme = _scheme(world)
    texts = [t for i in scheme.indicators.all() for t in (i.name, i.description)]
    assert texts and not [t for t in texts if "DOMAIN" in t or "§" in t or "样本" in t]
    assert "组织实施类指标（共25分）" in texts
