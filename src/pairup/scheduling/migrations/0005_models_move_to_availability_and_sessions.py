"""The scheduling app's models move, with their tables, to `availability` (Availability,
WeeklyWindow, DateOverride, BusyTime, and SessionParticipant as Commitment) and to
`sessions`, label `meetings` (Session, SessionChange, SessionFeedback, IdempotencyKey,
Reminder, CalendarFeed). State only: no table is touched. Their first migrations take the
models over with the same table names (`db_table`)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0004_participant_session_without_db_constraint")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name=name)
                for name in (
                    "SessionParticipant",
                    "Reminder",
                    "SessionChange",
                    "SessionFeedback",
                    "IdempotencyKey",
                    "CalendarFeed",
                    "Session",
                    "BusyTime",
                    "DateOverride",
                    "WeeklyWindow",
                    "Availability",
                )
            ],
            database_operations=[],
        ),
    ]
