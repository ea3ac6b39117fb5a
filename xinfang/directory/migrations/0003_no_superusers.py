"""Administrators are no longer Django superusers (ADR 0013): the admin site reads the permission
table. A superuser of an older installation keeps the administrator role (as a Membership) and
loses the flag that let it read every petition."""

from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    User = apps.get_model("directory", "User")
    Membership = apps.get_model("directory", "Membership")
    for user in User.objects.filter(is_superuser=True):
        Membership.objects.get_or_create(user=user, role="admin")
    User.objects.filter(is_superuser=True).update(is_superuser=False, is_staff=True)


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_organ_abbreviation")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
