from django.db import migrations

from pairup.topics.taxonomy import load_taxonomy


def load(apps, schema_editor):
    load_taxonomy(apps.get_model("topics", "Topic"))


class Migration(migrations.Migration):
    dependencies = [("topics", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
