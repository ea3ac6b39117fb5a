"""Mark the organs peers already serve as ``Organ.external`` (issue 20): a transfer to them
starts no deadline here."""

from django.db import migrations


def mark(apps, schema_editor):
    RemoteOrgan = apps.get_model("federation", "RemoteOrgan")
    Organ = apps.get_model("directory", "Organ")
    ids = list(RemoteOrgan.objects.values_list("organ_id", flat=True))
    Organ.objects.filter(pk__in=ids).update(external=True)


class Migration(migrations.Migration):
    dependencies = [
        ("federation", "0001_initial"),
        ("directory", "0005_organ_external"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
