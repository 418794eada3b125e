"""The live room: the phase a pause froze, and each registration's check-in code (filled in
for the registrations already made)."""

import secrets

from django.db import migrations, models

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # models.CHECKIN_CODE_ALPHABET, frozen here


def fill_checkin_codes(apps, schema_editor):
    Registration = apps.get_model("events", "Registration")
    taken: dict[int, set[str]] = {}
    for reg in Registration.objects.filter(checkin_code="").only("pk", "event_id").iterator():
        codes = taken.setdefault(reg.event_id, set())
        code = ""
        while not code or code in codes:
            code = "".join(secrets.choice(ALPHABET) for _ in range(5))
        codes.add(code)
        Registration.objects.filter(pk=reg.pk).update(checkin_code=code)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0004_seat_mentee_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="live_paused_phase",
            field=models.CharField(
                blank=True,
                choices=[
                    ("waiting", "Not started"),
                    ("round", "Round under way"),
                    ("break", "Break"),
                    ("paused", "Paused"),
                    ("ended", "Ended"),
                ],
                default="",
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="registration",
            name="checkin_code",
            field=models.CharField(blank=True, default="", max_length=5),
        ),
        migrations.RunPython(fill_checkin_codes, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="registration",
            constraint=models.UniqueConstraint(
                condition=models.Q(("checkin_code", ""), _negated=True),
                fields=("event", "checkin_code"),
                name="registration_checkin_code_unique",
            ),
        ),
    ]
