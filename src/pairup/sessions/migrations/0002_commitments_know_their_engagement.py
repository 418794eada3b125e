"""Each commitment learns the engagement and program of its session (availability 0002 added
the columns), so a mentor's load can be counted per program from committed time alone."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Commitment = apps.get_model("availability", "Commitment")
    Session = apps.get_model("meetings", "Session")
    db = schema_editor.connection.alias
    session = Session.objects.using(db).filter(pk=OuterRef("session_id"))
    Commitment.objects.using(db).filter(engagement_id__isnull=True).update(
        engagement_id=Subquery(session.values("engagement_id")[:1]),
        program_id=Subquery(session.values("engagement__program_id")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0001_initial"),
        ("availability", "0002_commitment_engagement_and_program"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
