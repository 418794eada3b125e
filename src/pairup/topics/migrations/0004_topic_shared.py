from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("topics", "0003_topic_synonyms")]

    operations = [
        migrations.AddField(
            model_name="topic",
            name="shared",
            field=models.BooleanField(default=True),
        ),
    ]
