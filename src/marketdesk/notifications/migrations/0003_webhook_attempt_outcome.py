"""Each webhook attempt says what came of it; attempts logged before were all recorded after their request."""

from django.db import migrations, models


def outcomes_of_recorded_attempts(apps, schema_editor):
    attempt = apps.get_model("notifications", "WebhookAttempt")
    attempt.objects.filter(status_code__gte=200, status_code__lt=300).update(outcome="delivered")
    attempt.objects.filter(status_code__isnull=False, outcome="sending").update(outcome="refused")
    attempt.objects.filter(status_code__isnull=True).update(outcome="no_answer")


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_in_app_notifications"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhookattempt",
            name="outbox_message_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="webhookattempt",
            name="outcome",
            field=models.CharField(
                choices=[
                    ("sending", "Being sent"),
                    ("delivered", "Accepted by the receiver"),
                    ("refused", "Refused by the receiver"),
                    ("no_answer", "No answer"),
                    ("unknown", "Outcome unknown (the worker stopped)"),
                ],
                default="sending",
                max_length=16,
                verbose_name="outcome",
            ),
        ),
        migrations.RunPython(outcomes_of_recorded_attempts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="webhookattempt",
            constraint=models.CheckConstraint(
                condition=models.Q(("outcome__in", ["sending", "delivered", "refused", "no_answer", "unknown"])),
                name="webhook_attempt_outcome_valid",
            ),
        ),
    ]
