from django.db import migrations, models

from pairup.topics.taxonomy import load_synonyms


def load(apps, schema_editor):
    load_synonyms(apps.get_model("topics", "Topic"))


class Migration(migrations.Migration):
    dependencies = [("topics", "0002_taxonomy")]
    operations = [
        migrations.AddField(
            model_name="topic",
            name="synonyms",
            field=models.CharField(
                blank=True,
                help_text="Other words people use for this topic, separated by commas; topics "
                "are suggested from a question's words through them.",
                max_length=300,
            ),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
