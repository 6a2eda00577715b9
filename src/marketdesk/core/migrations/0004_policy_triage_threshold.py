"""Publish a policy version with the triage confidence threshold (chosen by `make eval-triage`)."""

from django.db import migrations

# Frozen here: the model's default may move later, this version's value must not.
TRIAGE_MIN_CONFIDENCE_BP = 6000


def forwards(apps, schema_editor):
    PolicyVersion = apps.get_model("core", "PolicyVersion")
    latest = PolicyVersion.objects.order_by("-version").first()
    if latest is None or "triage_min_confidence_bp" in latest.values:
        return
    PolicyVersion.objects.create(
        version=latest.version + 1,
        values={**latest.values, "triage_min_confidence_bp": TRIAGE_MIN_CONFIDENCE_BP},
        note="Triage: below this confidence the buyer picks the reason",
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0003_default_policy_and_calendars")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
