"""The models taken over from the scheduling app with their tables (state only; see
scheduling 0005). SessionParticipant becomes Commitment: the same rows, with its session as
a plain number (scheduling 0004 dropped the database foreign key). The PostgreSQL exclusion
constraint of scheduling 0002 keeps guarding the table."""

import django.core.validators
import django.db.models.deletion
import pairup.core.validators
from django.conf import settings
from django.db import migrations, models


# Content types (and so permissions and admin history) follow their models.
MODELS = {
    "availability": "availability",
    "weeklywindow": "weeklywindow",
    "dateoverride": "dateoverride",
    "busytime": "busytime",
    "sessionparticipant": "commitment",
}


def relabel(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for old, new in MODELS.items():
        if not ContentType.objects.using(db).filter(app_label="availability", model=new).exists():
            ContentType.objects.using(db).filter(app_label="scheduling", model=old).update(
                app_label="availability", model=new
            )


def unlabel(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for old, new in MODELS.items():
        if not ContentType.objects.using(db).filter(app_label="scheduling", model=old).exists():
            ContentType.objects.using(db).filter(app_label="availability", model=new).update(
                app_label="scheduling", model=old
            )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("scheduling", "0005_models_move_to_availability_and_sessions"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Availability",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "timezone",
                            models.CharField(
                                max_length=64, validators=[pairup.core.validators.validate_timezone]
                            ),
                        ),
                        (
                            "session_lengths",
                            models.JSONField(
                                blank=True,
                                default=list,
                                help_text="Minutes offered; empty = the program's",
                            ),
                        ),
                        (
                            "buffer_minutes",
                            models.PositiveSmallIntegerField(
                                default=10,
                                validators=[django.core.validators.MaxValueValidator(120)],
                            ),
                        ),
                        (
                            "min_notice_minutes",
                            models.PositiveIntegerField(
                                default=720,
                                validators=[django.core.validators.MaxValueValidator(20160)],
                            ),
                        ),
                        (
                            "horizon_days",
                            models.PositiveSmallIntegerField(
                                default=30,
                                validators=[
                                    django.core.validators.MinValueValidator(1),
                                    django.core.validators.MaxValueValidator(365),
                                ],
                            ),
                        ),
                        (
                            "weekly_cap",
                            models.PositiveSmallIntegerField(
                                blank=True, help_text="Sessions a week at most", null=True
                            ),
                        ),
                        (
                            "monthly_cap",
                            models.PositiveSmallIntegerField(
                                blank=True, help_text="Sessions a month at most", null=True
                            ),
                        ),
                        (
                            "busy_feed_url",
                            models.URLField(
                                blank=True,
                                help_text="Your own calendar's private ICS address",
                                max_length=500,
                            ),
                        ),
                        ("busy_feed_fetched_at", models.DateTimeField(blank=True, null=True)),
                        ("busy_feed_error", models.CharField(blank=True, max_length=300)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="availability",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "availabilities",
                        "db_table": "scheduling_availability",
                    },
                ),
                migrations.CreateModel(
                    name="DateOverride",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("date", models.DateField()),
                        ("start", models.TimeField(blank=True, null=True)),
                        ("end", models.TimeField(blank=True, null=True)),
                        (
                            "availability",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="overrides",
                                to="availability.availability",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "scheduling_dateoverride",
                        "ordering": ["date", "start"],
                    },
                ),
                migrations.CreateModel(
                    name="BusyTime",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("start", models.DateTimeField()),
                        ("end", models.DateTimeField()),
                        (
                            "availability",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="busy_times",
                                to="availability.availability",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "scheduling_busytime",
                        "ordering": ["start"],
                        "indexes": [
                            models.Index(
                                fields=["availability", "start"],
                                name="scheduling__availab_caefd0_idx",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Commitment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("session_id", models.BigIntegerField(db_index=True)),
                        (
                            "role",
                            models.CharField(
                                choices=[("mentee", "Mentee"), ("mentor", "Mentor")], max_length=6
                            ),
                        ),
                        ("start", models.DateTimeField()),
                        ("end", models.DateTimeField()),
                        ("booked", models.BooleanField(default=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="commitments",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "scheduling_sessionparticipant",
                        "indexes": [
                            models.Index(
                                fields=["user", "booked", "start"],
                                name="scheduling__user_id_440873_idx",
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("session_id", "user"), name="participant_once"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="WeeklyWindow",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "weekday",
                            models.PositiveSmallIntegerField(
                                help_text="0 = Monday",
                                validators=[django.core.validators.MaxValueValidator(6)],
                            ),
                        ),
                        ("start", models.TimeField()),
                        (
                            "end",
                            models.TimeField(
                                help_text="00:00 means midnight at the end of the day"
                            ),
                        ),
                        (
                            "availability",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="weekly",
                                to="availability.availability",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "scheduling_weeklywindow",
                        "ordering": ["weekday", "start"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("weekday__lte", 6)), name="weekly_weekday_0_6"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[migrations.RunPython(relabel, unlabel)],
        ),
    ]
