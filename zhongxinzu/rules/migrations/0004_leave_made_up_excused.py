"""Add the rule leave_made_up_excused (issue 8): for the per-session attendance rate,
approved leave whose make-up is confirmed is not counted as due. Default on."""

from django.db import migrations

KEY = "leave_made_up_excused"


def add_rule(apps, schema_editor):
    Rule = apps.get_model("rules", "Rule")
    RuleValue = apps.get_model("rules", "RuleValue")
    rule, _ = Rule.objects.get_or_create(
        key=KEY,
        defaults={
            "label": "单次出勤率：已批准请假且补学完成的不计入应到",
            "kind": "bool",
            "unit": "",
            "source": "系统默认值",
        },
    )
    if not RuleValue.objects.filter(rule=rule, scope=None, year=None).exists():
        RuleValue.objects.create(rule=rule, scope=None, year=None, value=True)


def remove_rule(apps, schema_editor):
    Rule = apps.get_model("rules", "Rule")
    RuleValue = apps.get_model("rules", "RuleValue")
    RuleValue.objects.filter(rule__key=KEY).delete()
    Rule.objects.filter(key=KEY).delete()


class Migration(migrations.Migration):
    dependencies = [("rules", "0003_rule_source_documents")]
    operations = [migrations.RunPython(add_rule, remove_rule)]
