"""Publish the triage threshold `make model` chose for the model that reads transliterated Russian, 2026-12-06.

Only where the policy still holds the earlier chosen value: an administrator's own choice stays.
"""

from django.db import migrations

# Frozen here: the model's default may move later, this version's value must not.
EARLIER_BP = 5000
TRIAGE_MIN_CONFIDENCE_BP = 5500


def forwards(apps, schema_editor):
    PolicyVersion = apps.get_model("core", "PolicyVersion")
    latest = PolicyVersion.objects.order_by("-version").first()
    if latest is None or latest.values.get("triage_min_confidence_bp") != EARLIER_BP:
        return
    PolicyVersion.objects.create(
        version=latest.version + 1,
        values={**latest.values, "triage_min_confidence_bp": TRIAGE_MIN_CONFIDENCE_BP},
        note="Triage: the threshold chosen for the model that reads transliterated and mixed Russian",
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0007_outbox_claim_lease")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
