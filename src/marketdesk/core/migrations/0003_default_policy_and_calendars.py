"""Publish policy version 1 with the product's defaults and the first business calendars."""

from django.db import migrations

CALENDARS = [
    ("gb", "United Kingdom", "GB", "Europe/London"),
    ("ru", "Russia", "RU", "Europe/Moscow"),
    ("de", "Germany", "DE", "Europe/Berlin"),
    ("us", "United States", "US", "America/New_York"),
]


def forwards(apps, schema_editor):
    from marketdesk.core.policies import PolicyValues

    PolicyVersion = apps.get_model("core", "PolicyVersion")
    BusinessCalendar = apps.get_model("core", "BusinessCalendar")
    if not PolicyVersion.objects.exists():
        PolicyVersion.objects.create(version=1, values=PolicyValues().model_dump(), note="Product defaults")
    for code, name, country, tz in CALENDARS:
        BusinessCalendar.objects.get_or_create(
            code=code,
            defaults={"name": name, "country": country, "timezone": tz, "weekend_days": [5, 6]},
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0002_timeline_immutable_trigger")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
