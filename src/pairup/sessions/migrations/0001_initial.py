"""The models taken over from the scheduling app with their tables (state only; see
scheduling 0005)."""

import django.core.validators
import django.db.models.deletion
import pairup.sessions.models
from django.conf import settings
from django.db import migrations, models


# Content types (and so permissions and admin history) follow their models.
MODELS = {
    "session": "session",
    "sessionchange": "sessionchange",
    "sessionfeedback": "sessionfeedback",
    "idempotencykey": "idempotencykey",
    "reminder": "reminder",
    "calendarfeed": "calendarfeed",
}


def relabel(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for old, new in MODELS.items():
        if not ContentType.objects.using(db).filter(app_label="meetings", model=new).exists():
            ContentType.objects.using(db).filter(app_label="scheduling", model=old).update(
                app_label="meetings", model=new
            )


def unlabel(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for old, new in MODELS.items():
        if not ContentType.objects.using(db).filter(app_label="scheduling", model=old).exists():
            ContentType.objects.using(db).filter(app_label="meetings", model=new).update(
                app_label="scheduling", model=old
            )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("asks", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("scheduling", "0005_models_move_to_availability_and_sessions"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CalendarFeed",
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
                            "token",
                            models.CharField(
                                default=pairup.sessions.models.new_feed_token,
                                max_length=64,
                                unique=True,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="calendar_feed",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "scheduling_calendarfeed",
                    },
                ),
                migrations.CreateModel(
                    name="Session",
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
                            "status",
                            models.CharField(
                                choices=[
                                    ("booked", "Booked"),
                                    ("cancelled", "Cancelled"),
                                    ("held", "Held"),
                                    ("no_show_mentee", "Mentee did not come"),
                                    ("no_show_mentor", "Mentor did not come"),
                                ],
                                default="booked",
                                max_length=16,
                            ),
                        ),
                        ("uid", models.CharField(max_length=100, unique=True)),
                        ("sequence", models.PositiveIntegerField(default=0)),
                        ("video_url", models.URLField(blank=True, max_length=500)),
                        ("location", models.CharField(blank=True, max_length=200)),
                        ("cancel_reason", models.CharField(blank=True, max_length=300)),
                        ("late_cancel", models.BooleanField(default=False)),
                        ("created_at", models.DateTimeField()),
                        (
                            "booked_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "cancelled_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "engagement",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="sessions",
                                to="asks.engagement",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "scheduling_session",
                        "ordering": ["start", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="Reminder",
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
                        ("kind", models.CharField(max_length=10)),
                        ("for_start", models.DateTimeField()),
                        ("sent_at", models.DateTimeField()),
                        (
                            "session",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reminders",
                                to="meetings.session",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "scheduling_reminder",
                    },
                ),
                migrations.CreateModel(
                    name="SessionChange",
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
                        ("kind", models.CharField(max_length=16)),
                        ("old_start", models.DateTimeField(blank=True, null=True)),
                        ("new_start", models.DateTimeField(blank=True, null=True)),
                        ("note", models.CharField(blank=True, max_length=300)),
                        ("at", models.DateTimeField()),
                        (
                            "by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="changes",
                                to="meetings.session",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "scheduling_sessionchange",
                        "ordering": ["at", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="SessionFeedback",
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
                            "rating",
                            models.PositiveSmallIntegerField(
                                validators=[
                                    django.core.validators.MinValueValidator(1),
                                    django.core.validators.MaxValueValidator(5),
                                ]
                            ),
                        ),
                        ("comment", models.CharField(blank=True, max_length=500)),
                        ("created_at", models.DateTimeField()),
                        (
                            "author",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="feedback",
                                to="meetings.session",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "scheduling_sessionfeedback",
                    },
                ),
                migrations.CreateModel(
                    name="IdempotencyKey",
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
                        ("key", models.CharField(max_length=255)),
                        (
                            "request_hash",
                            models.CharField(
                                blank=True,
                                help_text="SHA-256 of method, path and canonical body",
                                max_length=64,
                            ),
                        ),
                        (
                            "response_status",
                            models.PositiveSmallIntegerField(blank=True, null=True),
                        ),
                        ("response_body", models.JSONField(blank=True, null=True)),
                        ("created_at", models.DateTimeField()),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "scheduling_idempotencykey",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("user", "key"), name="idempotency_key_once"
                            )
                        ],
                    },
                ),
                migrations.AddIndex(
                    model_name="session",
                    index=models.Index(
                        fields=["status", "start"], name="scheduling__status_8c679a_idx"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="session",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("end__gt", models.F("start"))),
                        name="session_ends_after_start",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="reminder",
                    constraint=models.UniqueConstraint(
                        fields=("session", "kind", "for_start"), name="reminder_once"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="sessionfeedback",
                    constraint=models.UniqueConstraint(
                        fields=("session", "author"), name="session_feedback_once"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="sessionfeedback",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("rating__gte", 1), ("rating__lte", 5)),
                        name="session_rating_1_5",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(relabel, unlabel)],
        ),
    ]
