"""Replace internal references in Rule.source ("样本002、004", "地方规定（某高校2026）")
with the kind of document the default comes from (issue 8). Only rows still holding the
old shipped text are touched; a source edited since is left alone."""

import json
from pathlib import Path

from django.db import migrations

DEFAULTS = Path(__file__).resolve().parent.parent / "defaults.json"

OLD = {
    "sessions_per_year": "地方规定（丹阳、市社）；样本002、004",
    "discussions_per_quarter": "地方规定（铜陵2024）",
    "topical_per_year": "样本002；默认值",
    "session_min_minutes": "地方通行做法（半天）",
    "attendance_rate": "地方规定（乡镇）",
    "participation_rate": "地方规定",
    "outputs_per_member": "中央规则（表述待核）",
    "plan_due": "地方规定（省直某局）",
    "leave_before_session": "地方通行做法",
    "makeup_days": "默认值",
    "speech_review_before_session": "样本001",
    "first_item_every_session": "地方通行做法",
    "first_item_lag_days": "默认值",
    "session_record_days": "默认值",
    "prompt_ack_days": "默认值",
    "observation_materials_working_days": "地方规定（某高校2026）",
    "observation_summary_chars": "地方规定",
    "observation_summary_working_days": "地方规定",
    "observation_visits_per_year": "样本001（115个党委、24个旁听组）",
}


def forward(apps, schema_editor):
    Rule = apps.get_model("rules", "Rule")
    new = {item["key"]: item["source"] for item in json.loads(DEFAULTS.read_text(encoding="utf-8"))}
    for key, old in OLD.items():
        if key in new:
            Rule.objects.filter(key=key, source=old).update(source=new[key])


def backward(apps, schema_editor):
    Rule = apps.get_model("rules", "Rule")
    new = {item["key"]: item["source"] for item in json.loads(DEFAULTS.read_text(encoding="utf-8"))}
    for key, old in OLD.items():
        if key in new:
            Rule.objects.filter(key=key, source=new[key]).update(source=old)


class Migration(migrations.Migration):
    dependencies = [("rules", "0002_default_values")]
    operations = [migrations.RunPython(forward, backward)]
