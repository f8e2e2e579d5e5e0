import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.lib import workdays
from zhongxinzu.rules.models import Rule, RuleValue
from zhongxinzu.rules.services import rule_value_clear, rule_value_set, rulebook_for, rulebooks_for

DEFAULTS = json.loads((Path(__file__).parents[1] / "defaults.json").read_text(encoding="utf-8"))


def test_every_default_is_loaded_as_data(db):
    for item in DEFAULTS:
        value = RuleValue.objects.get(rule__key=item["key"], scope=None, year=None)
        assert value.value == item["value"]


def test_nearest_override_up_the_tree_wins_and_year_beats_general(world):
    actor = world.users["supervisor"]
    rule = Rule.objects.get(key="sessions_per_year")
    rule_value_set(actor=actor, rule=rule, scope=world.units["parent"], year=None, value=10)
    rule_value_set(actor=actor, rule=rule, scope=world.units["own"], year=None, value=14)
    rule_value_set(actor=actor, rule=rule, scope=world.units["own"], year=2026, value=16)
    assert rulebook_for(world.units["child"], 2026)["sessions_per_year"] == 16
    assert rulebook_for(world.units["child"], 2025)["sessions_per_year"] == 14
    book = rulebook_for(world.units["sibling"], 2026)
    assert book["sessions_per_year"] == 10 and book.source("sessions_per_year") == "市委宣传部"
    assert rulebook_for(world.units["unrelated"], 2026)["sessions_per_year"] == 12


def test_many_rulebooks_in_one_query(world, django_assert_num_queries):
    units = list(world.units.values())
    with django_assert_num_queries(1):
        books = rulebooks_for(units, 2026)
    assert all(b["attendance_rate"] == 90 for b in books.values())


def test_change_is_validated_and_audited(world):
    actor = world.users["supervisor"]
    rule = Rule.objects.get(key="attendance_rate")
    with pytest.raises(ValidationError):
        rule_value_set(actor=actor, rule=rule, scope=world.units["own"], year=None, value=120)
    value = rule_value_set(actor=actor, rule=rule, scope=world.units["own"], year=None, value="85")
    entry = AuditEntry.objects.get(action="rule_change")
    assert entry.detail["old"] is None and entry.detail["new"] == 85
    rule_value_clear(actor=actor, value=value)
    assert rulebook_for(world.units["own"], 2026)["attendance_rate"] == 90
    with pytest.raises(ValidationError):
        rule_value_clear(actor=actor, value=RuleValue.objects.get(rule=rule, scope=None))


def test_month_day_rule_is_checked(world):
    rule = Rule.objects.get(key="plan_due")
    with pytest.raises(ValidationError):
        rule_value_set(actor=None, rule=rule, scope=None, year=2027, value="02-30")
    rule_value_set(actor=None, rule=rule, scope=None, year=2027, value="02-28")


def test_working_days_follow_the_official_calendar():
    # Saturday 2026-02-14 is a make-up working day; the National Day holiday is skipped.
    assert workdays.is_workday(dt.date(2026, 2, 14))
    assert not workdays.is_workday(dt.date(2026, 10, 1))
    after = workdays.add_working_days(dt.date(2026, 9, 30), 1)
    assert after > dt.date(2026, 10, 7) and workdays.is_workday(after)
    assert workdays.working_days_between(dt.date(2026, 9, 30), after) == 1


def test_years_without_official_data_fall_back_to_weekdays():
    assert workdays.is_official(2026)
    assert not workdays.is_official(2099)
    assert workdays.add_working_days(dt.date(2099, 1, 2), 1) == dt.date(2099, 1, 5)
