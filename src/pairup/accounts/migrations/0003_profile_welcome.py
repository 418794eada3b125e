from django.db import migrations, models
from django.utils import timezone


def people_so_far_are_welcomed(apps, schema_editor):
    # Everyone who signed up before the first-run guide existed has used PairUp already:
    # the guide is for people who sign up from now on.
    Profile = apps.get_model("accounts", "Profile")
    Profile.objects.filter(welcomed_at__isnull=True).update(welcomed_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_profile_photo"),
    ]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="welcome_step",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name="profile",
            name="welcomed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(people_so_far_are_welcomed, migrations.RunPython.noop),
    ]
