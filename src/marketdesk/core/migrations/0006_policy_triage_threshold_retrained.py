"""Publish the triage threshold `make model` chose for the retrained model (held-out v2), 2026-11-26.

Only where the policy still holds the earlier chosen value: an administrator's own choice stays.
"""

from django.db import migrations

# Frozen here: the model's default may move later, this version's value must not.
EARLIER_BP = 6000
TRIAGE_MIN_CONFIDENCE_BP = 5000


def forwards(apps, schema_editor):
    PolicyVersion = apps.get_model("core", "PolicyVersion")
    latest = PolicyVersion.objects.order_by("-version").first()
    if latest is None or latest.values.get("triage_min_confidence_bp") != EARLIER_BP:
        return
    PolicyVersion.objects.create(
        version=latest.version + 1,
        values={**latest.values, "triage_min_confidence_bp": TRIAGE_MIN_CONFIDENCE_BP},
        note="Triage: the threshold chosen for the retrained model",
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0005_periodic_run")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
