"""Idempotency keys keep a hash of their request and the response it got (idempotency.py),
instead of pointing at a session; keys may be up to 255 characters.

Existing rows are kept: each gets the booking's response as the API gave it (201 and the
session), and an empty request hash, which matches any request, as these keys did before.
They expire like every key, 24 hours after they were made.
"""

import django.db.models.deletion
from django.db import migrations, models


def _utc(value):
    text = value.isoformat()
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def fill_responses(apps, schema_editor):
    IdempotencyKey = apps.get_model("scheduling", "IdempotencyKey")
    for row in IdempotencyKey.objects.select_related("session").iterator():
        s = row.session
        row.response_status = 201
        row.response_body = {
            "id": s.pk,
            "engagement": s.engagement_id,
            "start": _utc(s.start),
            "end": _utc(s.end),
            "status": s.status,
            "video_url": s.video_url,
            "location": s.location,
            "sequence": s.sequence,
            "late_cancel": s.late_cancel,
        }
        row.save(update_fields=["response_status", "response_body"])


def point_back_at_sessions(apps, schema_editor):
    IdempotencyKey = apps.get_model("scheduling", "IdempotencyKey")
    Session = apps.get_model("scheduling", "Session")
    for row in IdempotencyKey.objects.iterator():
        session_id = (row.response_body or {}).get("id")
        if row.response_status == 201 and Session.objects.filter(pk=session_id).exists():
            row.session_id = session_id
            row.save(update_fields=["session"])
        else:
            row.delete()


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0002_no_double_booking_postgres")]

    operations = [
        migrations.AddField(
            model_name="idempotencykey",
            name="request_hash",
            field=models.CharField(
                blank=True,
                default="",
                help_text="SHA-256 of method, path and canonical body",
                max_length=64,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="idempotencykey",
            name="response_status",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="idempotencykey",
            name="response_body",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="idempotencykey",
            name="key",
            field=models.CharField(max_length=255),
        ),
        migrations.AlterField(
            model_name="idempotencykey",
            name="session",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="scheduling.session",
            ),
        ),
        migrations.RunPython(fill_responses, point_back_at_sessions),
        migrations.RemoveField(model_name="idempotencykey", name="session"),
    ]
