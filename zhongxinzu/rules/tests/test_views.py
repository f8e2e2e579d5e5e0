import pytest
from django.test import Client
from django.urls import reverse

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.rules.models import Rule, RuleValue
from zhongxinzu.rules.services import rule_value_set, rulebook_for


@pytest.fixture
def supervisor(world):
    return world.login(Client(), "supervisor")


def test_rule_list_shows_value_in_force_and_its_source(world, supervisor):
    rule = Rule.objects.get(key="sessions_per_year")
    rule_value_set(actor=None, rule=rule, scope=world.units["own"], year=None, value=14)
    response = supervisor.get(reverse("rules:rule_list"), {"unit": world.units["child"].pk})
    html = response.content.decode()
    assert response.status_code == 200
    row = html[html.index("每年集体学习次数") :]
    row = row[: row.index("</tr>")]
    assert "14 次" in row and "市教育局党委" in row
    attendance = html[html.index("每次及全年出勤率") :]
    assert "90%" in attendance[: attendance.index("</tr>")]
    assert "全国/通用默认" in html


def test_rule_list_finds_unit_by_code_within_subtree_only(world, supervisor):
    response = supervisor.get(reverse("rules:rule_list"), {"code": "A1"})
    assert "市第一中学党委（" in response.content.decode()
    response = supervisor.get(reverse("rules:rule_list"), {"code": "B"})
    html = response.content.decode()
    assert "没有编码为“B”的单位" in html and "市卫健委党组" not in html


def test_supervisor_sets_a_yearly_override_which_is_audited(world, supervisor):
    child = world.units["child"]
    response = supervisor.post(
        reverse("rules:value_set", args=[child.pk]),
        {"rule": "attendance_rate", "year": "2026", "value": "85", "note": "市里细则"},
    )
    assert response.status_code == 302
    assert rulebook_for(child, 2026)["attendance_rate"] == 85
    assert rulebook_for(child, 2025)["attendance_rate"] == 90
    entry = AuditEntry.objects.get(action="rule_change")
    assert entry.detail["new"] == 85 and entry.username == "supervisor"


def test_bad_value_shows_chinese_error_and_changes_nothing(world, supervisor):
    response = supervisor.post(
        reverse("rules:value_set", args=[world.units["own"].pk]),
        {"rule": "attendance_rate", "value": "120"},
    )
    assert response.status_code == 200
    assert "应在0到100之间" in response.content.decode()
    assert not RuleValue.objects.filter(scope__isnull=False).exists()
    response = supervisor.post(
        reverse("rules:value_set", args=[world.units["own"].pk]),
        {"rule": "plan_due", "value": "02-30"},
    )
    assert "月-日" in response.content.decode()


def test_clearing_restores_the_value_from_further_up(world, supervisor):
    rule = Rule.objects.get(key="makeup_days")
    rule_value_set(actor=None, rule=rule, scope=world.units["own"], year=None, value=20)
    value = rule_value_set(actor=None, rule=rule, scope=world.units["child"], year=None, value=10)
    response = supervisor.post(reverse("rules:value_clear", args=[value.pk]))
    assert response.status_code == 302
    assert rulebook_for(world.units["child"], 2026)["makeup_days"] == 20
    assert AuditEntry.objects.filter(action="rule_change", detail__new=None).exists()


def test_national_default_cannot_be_cleared_or_changed_by_a_supervisor(world, supervisor):
    default = RuleValue.objects.get(rule__key="makeup_days", scope=None, year=None)
    assert supervisor.post(reverse("rules:value_clear", args=[default.pk])).status_code == 404
    parent = world.units["parent"]
    response = supervisor.post(
        reverse("rules:value_set", args=[parent.pk]), {"rule": "makeup_days", "value": "5"}
    )
    assert response.status_code == 404
    assert RuleValue.objects.get(pk=default.pk).value == 30


def test_rule_list_query_count_does_not_grow_with_overrides(world, supervisor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert supervisor.get(reverse("rules:rule_list")).status_code == 200
        return len(ctx.captured_queries)

    rule_value_set(
        actor=None,
        rule=Rule.objects.get(key="makeup_days"),
        scope=world.units["own"],
        year=None,
        value=20,
    )
    small = count()
    for key in ("sessions_per_year", "attendance_rate", "topical_per_year"):
        rule_value_set(
            actor=None,
            rule=Rule.objects.get(key=key),
            scope=world.units["child"],
            year=2026,
            value=50,
        )
    assert count() == small


def test_all_year_override_of_the_unit_is_listed_and_can_be_cleared(world, supervisor):
    rule = Rule.objects.get(key="sessions_per_year")
    value = rule_value_set(actor=None, rule=rule, scope=world.units["own"], year=None, value=14)
    response = supervisor.get(reverse("rules:rule_list"), {"unit": world.units["own"].pk})
    html = response.content.decode()
    row = html[html.index("每年集体学习次数") :]
    row = row[: row.index("</tr>")]
    assert '<span class="tag">通用</span>' in row
    assert reverse("rules:value_clear", args=[value.pk]) in row


def test_rule_list_basis_names_documents_not_internal_samples(world, supervisor):
    html = supervisor.get(reverse("rules:rule_list")).content.decode()
    assert "样本" not in html and "某高校" not in html and "个党委" not in html
    row = html[html.index("每名成员每年文章或调研报告") :]
    assert "《中国共产党党委（党组）理论学习中心组学习规则》" in row[: row.index("</tr>")]


def test_source_migration_rewrites_only_untouched_rows(db):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("zhongxinzu.rules.migrations.0003_rule_source_documents")
    Rule.objects.filter(key="speech_review_before_session").update(source="样本001")
    Rule.objects.filter(key="plan_due").update(source="省委组织部通知")
    migration.forward(apps, None)
    assert Rule.objects.get(key="speech_review_before_session").source == "地方实施办法"
    assert Rule.objects.get(key="plan_due").source == "省委组织部通知"
