"""Load the default rule values (DOMAIN.md §2) from rules/defaults.json."""

import json
from pathlib import Path

from django.db import migrations

DEFAULTS = Path(__file__).resolve().parent.parent / "defaults.json"


def load(apps, schema_editor):
    Rule = apps.get_model("rules", "Rule")
    RuleValue = apps.get_model("rules", "RuleValue")
    for item in json.loads(DEFAULTS.read_text(encoding="utf-8")):
        rule, _ = Rule.objects.update_or_create(
            key=item["key"],
            defaults={
                "label": item["label"],
                "kind": item["kind"],
                "unit": item["unit"],
                "source": item["source"],
            },
        )
        if not RuleValue.objects.filter(rule=rule, scope=None, year=None).exists():
            RuleValue.objects.create(rule=rule, scope=None, year=None, value=item["value"])


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
