"""Drop the database foreign key from a participant row to its session, keeping the column
and its index. The rows become availability's `Commitment` (migration 0005), which names its
session by number only: availability sits below sessions, so its table must not point up at
theirs. The sessions app deletes a session's commitments with it (a pre_delete receiver).
The PostgreSQL exclusion constraint of 0002 is untouched."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0003_idempotency_key_stores_request_and_response")]

    operations = [
        migrations.AlterField(
            model_name="sessionparticipant",
            name="session",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="participants",
                to="scheduling.session",
            ),
        ),
    ]
