from django.db import migrations


def requeue_voided(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Voided registrations counted as 超期未办 in 及时受理率 until ``rates.NO_ACCEPTANCE`` named
    the voiding step: queue them so the next tick computes their rows again (none, now)."""
    Petition = apps.get_model("petitions", "Petition")
    RateDirty = apps.get_model("analytics", "RateDirty")
    ids = Petition.objects.filter(state="voided").values_list("pk", flat=True).iterator(chunk_size=2000)
    batch: list = []
    for pk in ids:
        batch.append(RateDirty(petition_id=pk))
        if len(batch) >= 2000:
            RateDirty.objects.bulk_create(batch)
            batch = []
    RateDirty.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0011_dispatch_incremental"),
        ("petitions", "0007_void"),
    ]

    operations = [migrations.RunPython(requeue_voided, migrations.RunPython.noop)]
