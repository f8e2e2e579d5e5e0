"""The compliance engine gained the check "archive" (one more letter in GroupCompliance.codes).

Unlike a check about records that did not exist before, the three registers are judged from
sessions, attendance and study notes that every stored snapshot already covers, so "na"
would be untrue: the check is computed for each snapshot's group, year and as_of date (three
GROUP BY queries per 500 snapshots of one year and date) and added to `statuses`,
`worst`, `missed` and `at_risk`; `codes` is rebuilt in the order of engine.CHECKS where the
statuses hold every check (rows still lacking a check added meanwhile by another app keep
their codes, which the overview reads as a prefix until the hourly refresh rewrites them)."""

from collections import defaultdict

from django.db import migrations

CHUNK = 500


def add_archive(apps, schema_editor):
    from zhongxinzu.compliance.archive_checks import archive_verdict, register_counts
    from zhongxinzu.compliance.engine import CHECKS, SEVERITY, STATUS_CODES, Period

    GroupCompliance = apps.get_model("compliance", "GroupCompliance")
    keys = [c.key for c in CHECKS]
    todo = defaultdict(list)
    for snap in GroupCompliance.objects.all().iterator(chunk_size=1000):
        if "archive" not in (snap.statuses or {}):
            todo[(snap.year, snap.as_of)].append(snap)
    for (year, as_of), snaps in todo.items():
        period = Period.year(year)
        for start in range(0, len(snaps), CHUNK):
            chunk = snaps[start : start + CHUNK]
            counts = register_counts([s.group_id for s in chunk], period, as_of)
            for snap in chunk:
                status, _ = archive_verdict(counts[snap.group_id], period, as_of)
                snap.statuses = {**(snap.statuses or {}), "archive": status}
                snap.missed += status == "missed"
                snap.at_risk += status == "at_risk"
                if SEVERITY[status] > SEVERITY.get(snap.worst, 0):
                    snap.worst = status
                if all(k in snap.statuses for k in keys):
                    snap.codes = "".join(STATUS_CODES[snap.statuses[k]] for k in keys)
            GroupCompliance.objects.bulk_update(
                chunk, ["statuses", "codes", "worst", "missed", "at_risk"]
            )


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0001_initial"),
        ("compliance", "0002_annualreporttext_groupcompliance"),
        ("meetings", "0004_chinese_model_names"),
        ("outputs", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_archive, migrations.RunPython.noop)]
