"""PostgreSQL only: nobody can hold two overlapping booked sessions, in any role.

SQLite has no exclusion constraints; there bookings run in IMMEDIATE transactions (one
writer at a time) after the same overlap check, see scheduling.services.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE scheduling_sessionparticipant
  ADD CONSTRAINT participant_no_overlap
  EXCLUDE USING gist (user_id WITH =, tstzrange(start, "end", '[)') WITH &&)
  WHERE (booked);
"""
DROP = "ALTER TABLE scheduling_sessionparticipant DROP CONSTRAINT IF EXISTS participant_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
