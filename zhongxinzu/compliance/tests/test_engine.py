import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhongxinzu.compliance import engine
from zhongxinzu.compliance.engine import AT_RISK, MET, MISSED, NA, Period, evaluate
from zhongxinzu.compliance.tests import factories as f
from zhongxinzu.rules.models import Rule
from zhongxinzu.rules.services import rule_value_set

AFTER = dt.date(2026, 1, 15)  # the 2025 period is over


@pytest.fixture
def year(world):
    return f.build_year(world, 2025)


def statuses(result):
    return {k: c.status for k, c in result.checks.items()}


def test_a_regular_group_meets_every_rule(year):
    result = engine.evaluate_group(year.good, Period.year(2025), as_of=AFTER)
    # no supervisor set a filing task here: the filing check does not apply
    assert {k: s for k, s in statuses(result).items() if s != MET} == {"filings": "na"}
    assert result.checks["sessions"].value == 12 and result.checks["sessions"].final
    assert result.checks["attendance_year"].value == pytest.approx(99.2, abs=0.1)
    assert result.worst == MET


def test_the_irregular_group_misses_each_broken_rule(year):
    result = engine.evaluate_group(year.bad, Period.year(2025), as_of=AFTER)
    got = statuses(result)
    for key in [
        "sessions", "discussions", "topical", "session_length", "first_item", "session_record",
        "attendance_session", "participation", "outputs", "makeups", "speech_review", "plan",
        "prompt_ack", "first_item_lag", "roster", "archive",
    ]:  # fmt: skip
        assert got[key] == MISSED, key
    assert result.checks["sessions"].value == 9 and result.checks["sessions"].target == 12
    assert "缺3次" in result.checks["sessions"].detail
    assert result.checks["plan"].value_text == "逾期10天报备"
    assert result.checks["roster"].value_text == "缺少党群部门负责人"
    absentee = next(m for m in result.members if m.person_id == year.bp["members"][0].pk)
    assert absentee.checks["participation"].status == MISSED and absentee.rate == 44.4
    assert absentee.checks["makeups"].status == MISSED
    no_output = next(m for m in result.members if m.person_id == year.bp["members"][1].pk)
    assert no_output.checks["outputs"].status == MISSED and no_output.written == 0
    # attendance over the year too: 40/45; filings: no task applies (na)
    assert result.missed == len(engine.CHECKS) - 1


def test_drill_down_lists_the_missing_months_and_the_members_under_the_rate(year):
    result = engine.evaluate_group(year.bad, Period.year(2025), as_of=AFTER)
    proof = engine.proving_records(result, "sessions")
    missing = [r.cells[0] for r in proof.rows if r.status == MISSED]
    assert missing == ["10月", "11月", "12月"]
    assert sum(1 for r in proof.rows if r.cells[2] != "本月无已举行的学习") == 9
    proof = engine.proving_records(result, "participation")
    assert proof.rows[0].cells[0] == year.bp["members"][0].name and proof.rows[0].status == MISSED
    assert "44.4%" in proof.rows[0].cells
    proof = engine.proving_records(result, "makeups")
    overdue = [r for r in proof.rows if r.status == MISSED]
    assert len(overdue) == 1 and overdue[0].cells[-1] == "逾期未完成"
    proof = engine.proving_records(result, "first_item_lag")
    assert proof.rows[0].cells[0] == "重要讲话甲" and proof.rows[0].status == MISSED


def test_an_ongoing_year_behind_pace_is_at_risk(world):
    group, people = f.make_group(world.units["own"])
    for month in (1, 2, 3):
        f.roll(f.session(group, f.at(2025, month, 5, 9, 0)), f.everyone(people))
    f.plan(group, 2025, filed_at=f.at(2025, 1, 10, 9, 0))
    result = engine.evaluate_group(group, Period.year(2025), as_of=dt.date(2025, 6, 30))
    sessions = result.checks["sessions"]
    assert sessions.status == AT_RISK and not sessions.final
    assert "按进度此时应不少于5次" in sessions.detail
    assert result.checks["attendance_year"].status == MET
    # on pace early in the year: green but not final
    result = engine.evaluate_group(group, Period.year(2025), as_of=dt.date(2025, 3, 10))
    assert result.checks["sessions"].status == MET
    assert result.checks["sessions"].status_label == "进度正常"


def test_plan_deadline_near_is_at_risk_then_missed(world):
    group, _ = f.make_group(world.units["own"])
    period = Period.year(2025)
    assert (
        engine.evaluate_group(group, period, as_of=dt.date(2024, 12, 1)).checks["plan"].status
        == MET
    )
    assert (
        engine.evaluate_group(group, period, as_of=dt.date(2025, 1, 20)).checks["plan"].status
        == AT_RISK
    )
    assert (
        engine.evaluate_group(group, period, as_of=dt.date(2025, 2, 1)).checks["plan"].status
        == MISSED
    )


def test_rule_overrides_change_the_verdict(year, world):
    rule = Rule.objects.get(key="sessions_per_year")
    rule_value_set(actor=None, rule=rule, scope=world.units["own"], year=2025, value=9)
    result = engine.evaluate_group(year.bad, Period.year(2025), as_of=AFTER)
    assert result.checks["sessions"].status == MET
    assert result.checks["sessions"].source == "市教育局党委（2025年）"
    rule_value_set(
        actor=None, rule=Rule.objects.get(key="first_item_every_session"),
        scope=year.bad.unit, year=None, value="否",
    )  # fmt: skip
    result = engine.evaluate_group(year.bad, Period.year(2025), as_of=AFTER)
    assert result.checks["first_item"].status == NA


def test_a_quarter_prorates_the_yearly_targets(year):
    q1 = Period.quarter(2025, 1)
    result = engine.evaluate_group(year.bad, q1, as_of=AFTER)
    assert result.checks["sessions"].target == 3 and result.checks["sessions"].status == MET
    assert result.checks["topical"].target == 1
    assert [name for name, _ in q1.quarters()] == ["一季度"]


def test_makeup_due_soon_is_at_risk(world):
    group, people = f.make_group(world.units["own"])
    s = f.session(group, f.at(2025, 5, 5, 9, 0))
    rows = f.roll(s, f.everyone(people, by_person={people["members"][0]: "leave"}))
    from zhongxinzu.meetings.models import MakeUp

    MakeUp.objects.filter(attendance_id=rows[people["members"][0].pk].pk).update(
        status=MakeUp.Status.OPEN, submitted_at=None
    )
    result = engine.evaluate_group(group, Period.year(2025), as_of=dt.date(2025, 6, 1))
    assert result.checks["makeups"].status == AT_RISK
    result = engine.evaluate_group(group, Period.year(2025), as_of=dt.date(2025, 6, 5))
    assert result.checks["makeups"].status == MISSED


def test_unrecorded_session_is_at_risk_before_the_deadline(world):
    group, people = f.make_group(world.units["own"])
    f.session(group, f.at(2025, 5, 5, 9, 0), status="held")
    result = engine.evaluate_group(group, Period.year(2025), as_of=dt.date(2025, 5, 11))
    assert result.checks["session_record"].status == AT_RISK
    result = engine.evaluate_group(group, Period.year(2025), as_of=dt.date(2025, 5, 13))
    assert result.checks["session_record"].status == MISSED


def test_attendees_do_not_count_in_rates(world):
    from zhongxinzu.meetings.models import Attendance
    from zhongxinzu.org.models import Person

    group, people = f.make_group(world.units["own"])
    s = f.session(group, f.at(2025, 5, 5, 9, 0))
    f.roll(s, f.everyone(people))
    guest = Person.objects.create(unit=group.unit, name="列席人", gender="女")
    Attendance.objects.create(session=s, person=guest, status="absent", is_attendee=True)
    result = engine.evaluate_group(group, Period.year(2025), as_of=AFTER)
    assert result.checks["attendance_session"].status == MET


def test_evaluation_costs_the_same_number_of_queries_for_one_or_many_groups(year, world):
    def count(groups):
        with CaptureQueriesContext(connection) as ctx:
            evaluate(groups, Period.year(2025), as_of=AFTER)
        return len(ctx.captured_queries)

    one = count([year.bad])
    more_groups = [f.make_group(world.units["child"])[0] for _ in range(3)]
    more_groups = [f.fresh(g) for g in more_groups]
    for g in more_groups:
        f.session(g, f.at(2025, 3, 3, 9, 0))
    assert count([year.good, year.bad, *more_groups]) == one
    # the visits hosted: one query (visit_checks.load_visits); the three registers: three
    # (archive_checks.register_counts); the filings owed upward: one (filings.checks)
    assert one <= 21


def test_period_helpers():
    p = Period(dt.date(2025, 2, 1), dt.date(2025, 5, 31))
    assert [n for n, _ in p.quarters()] == ["一季度", "二季度"]
    assert not p.is_year and Period.year(2025).is_year
    assert Period.year(2025).fraction(dt.date(2025, 7, 2)) == pytest.approx(0.5, abs=0.01)
    with pytest.raises(ValueError):
        Period(dt.date(2025, 2, 1), dt.date(2025, 1, 1))


def test_a_leap_day_deadline_falls_on_february_28_in_a_common_year(world):
    rule_value_set(
        actor=None, rule=Rule.objects.get(key="plan_due"), scope=None, year=None, value="02-29"
    )
    assert engine.month_day("02-29", 2025) == dt.date(2025, 2, 28)
    group, _ = f.make_group(world.units["own"])
    result = engine.evaluate_group(group, Period.year(2025), as_of=dt.date(2025, 3, 1))
    assert (
        result.checks["plan"].status == MISSED and result.checks["plan"].target_text == "2月28日前"
    )


def test_as_dict_is_json_ready(year):
    import json

    result = engine.evaluate_group(year.bad, Period.year(2025), as_of=AFTER)
    data = json.loads(json.dumps(engine.as_dict(result)))
    assert data["worst"] == MISSED and len(data["checks"]) == len(engine.CHECKS)
    plan = next(c for c in data["checks"] if c["key"] == "plan")
    assert plan["target"] == "2025-01-31" and plan["value"] == "2025-02-10"
    assert {m["name"] for m in data["members"]} >= {year.bp["leader"].name}


def test_speech_draft_awaiting_review_is_at_risk_before_the_session(world):
    group, people = f.make_group(world.units["own"])
    s = f.session(group, f.at(2025, 5, 10, 9, 0), status="planned")
    f.output(group, people["members"][0], year=2025, kind="speech", status="submitted", session=s)
    period = Period.year(2025)
    check = engine.evaluate_group(group, period, as_of=dt.date(2025, 5, 8)).checks
    assert check["speech_review"].status == AT_RISK
    check = engine.evaluate_group(group, period, as_of=dt.date(2025, 5, 11)).checks
    assert check["speech_review"].status == MISSED


def test_deadlines_before_a_group_was_established_do_not_apply(year):
    # the irregular group misses the plan (31 Jan), a prompt (March) and a 第一议题 (April)
    bad = year.bad
    before = statuses(engine.evaluate_group(bad, Period.year(2025), as_of=AFTER))
    assert before["plan"] == before["prompt_ack"] == before["first_item_lag"] == MISSED
    bad.established_on = dt.date(2025, 6, 1)
    bad.save(update_fields=["established_on"])
    result = engine.evaluate_group(bad, Period.year(2025), as_of=AFTER)
    assert result.checks["plan"].status == NA
    assert result.checks["prompt_ack"].status == NA
    assert result.checks["first_item_lag"].status == NA
    assert "成立" in result.checks["plan"].value_text
    # a deadline after the founding still counts
    bad.established_on = dt.date(2025, 1, 10)
    bad.save(update_fields=["established_on"])
    result = engine.evaluate_group(bad, Period.year(2025), as_of=AFTER)
    assert result.checks["plan"].status == MISSED


def test_a_group_created_through_the_service_records_its_founding_day(world):
    from django.utils import timezone

    from zhongxinzu.org.services import unit_create

    unit = unit_create(
        actor=None, parent=world.units["own"], name="新设单位", code="NEW1", kind="党委"
    )
    assert unit.group.established_on == timezone.localdate()


def test_one_made_up_leave_does_not_turn_a_session_red_but_counts_for_the_year(world):
    group, people = f.make_group(world.units["own"], members=7)  # leader + 7 members
    s = f.session(group, f.at(2025, 3, 15, 9, 0))
    away = people["members"][0]
    f.roll(s, f.everyone(people, by_person={away: "leave"}))  # make-up confirmed
    result = engine.evaluate_group(group, Period.year(2025), as_of=AFTER)
    assert result.checks["attendance_session"].status == MET
    assert result.checks["attendance_year"].value == pytest.approx(87.5)
    assert result.checks["attendance_year"].status == MISSED

    # a make-up still open does not excuse the leave
    MakeUp = f.MakeUp
    MakeUp.objects.filter(attendance__person=away).update(status=MakeUp.Status.OPEN)
    result = engine.evaluate_group(group, Period.year(2025), as_of=AFTER)
    assert result.checks["attendance_session"].status == MISSED

    # the rule can be switched off locally
    MakeUp.objects.filter(attendance__person=away).update(status=MakeUp.Status.CONFIRMED)
    rule = Rule.objects.get(key="leave_made_up_excused")
    rule_value_set(actor=None, rule=rule, scope=world.units["own"], year=None, value=False)
    result = engine.evaluate_group(group, Period.year(2025), as_of=AFTER)
    assert result.checks["attendance_session"].status == MISSED
