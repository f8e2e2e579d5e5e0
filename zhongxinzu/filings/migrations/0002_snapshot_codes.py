"""The compliance engine gained the check "filings" (one more letter in GroupCompliance.codes).

No filing task existed before this app's tables, so every snapshot taken before is "na"
(不适用) for the new check: add it to every row's `statuses`, and rebuild `codes` in the order
of engine.CHECKS where the statuses hold every check. Rows still lacking another check added
meanwhile (archive's migration, whichever runs last completes them) keep their codes; the
overview reads them as a prefix and the hourly refresh (manage.py refresh_compliance)
rewrites them. Worst, missed and at_risk are unchanged
by an "na"."""

from django.db import migrations


def pad_snapshots(apps, schema_editor):
    from zhongxinzu.compliance.engine import CHECKS, STATUS_CODES

    GroupCompliance = apps.get_model("compliance", "GroupCompliance")
    keys = [c.key for c in CHECKS]
    changed = []
    for snap in GroupCompliance.objects.only("pk", "statuses", "codes").iterator(chunk_size=1000):
        statuses = dict(snap.statuses or {})
        if "filings" in statuses:
            continue
        statuses["filings"] = "na"
        snap.statuses = statuses
        if all(k in statuses for k in keys):
            snap.codes = "".join(STATUS_CODES[statuses[k]] for k in keys)
        changed.append(snap)
        if len(changed) >= 1000:
            GroupCompliance.objects.bulk_update(changed, ["statuses", "codes"])
            changed = []
    if changed:
        GroupCompliance.objects.bulk_update(changed, ["statuses", "codes"])


class Migration(migrations.Migration):
    dependencies = [
        ("filings", "0001_initial"),
        ("compliance", "0002_annualreporttext_groupcompliance"),
    ]

    operations = [migrations.RunPython(pad_snapshots, migrations.RunPython.noop)]
