"""Add the articles written after the first seed (customs holds, closing protection windows, seller standards)."""

from django.db import migrations

from marketdesk.helpcenter.content.loader import seed_load


class Migration(migrations.Migration):
    dependencies = [("helpcenter", "0003_seed_articles")]

    # Nothing to undo separately: reversing 0003 removes every seeded article.
    operations = [migrations.RunPython(seed_load, migrations.RunPython.noop)]
