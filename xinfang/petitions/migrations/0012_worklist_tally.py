import django.db.models.deletion
from django.db import migrations, models

SLOTS = 8  # models.WORKLIST_SLOTS when this migration was written


def count_open(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Count the open petitions a database already holds (later changes are counted as they
    are made, in their own transactions). One grouped query; the cells are few."""
    from datetime import date

    from django.db.models import Case, Count, IntegerField, Q, Value, When
    from django.db.models.functions import Coalesce, Mod

    Petition = apps.get_model("petitions", "Petition")
    Tally = apps.get_model("petitions", "WorklistTally")
    flags = ("major_urgent", "supervised", "leader_case", "backlog", "joint_handling")
    rows = (
        Petition.objects.filter(is_open=True)
        .annotate(
            k_due=Coalesce("next_due", Value(date(9999, 12, 31))),
            k_accused=Case(
                When(accused_organ_id__isnull=True, then=Value(0)),
                default="accused_organ_id",
                output_field=IntegerField(),
            ),
            k_slot=Mod("id", SLOTS),
        )
        .values("current_organ_id", "k_due", "k_accused", "k_slot")
        .annotate(
            c_n=Count("pk"),
            **{f"c_{f}": Count("pk", filter=Q(**{f: True})) for f in flags},
            c_unreported=Count("pk", filter=Q(major_urgent=True, major_urgent_reported=False)),
        )
        .order_by()
    )
    Tally.objects.bulk_create(
        (
            Tally(
                organ_id=r["current_organ_id"],
                next_due=r["k_due"],
                accused_organ_id=r["k_accused"],
                slot=r["k_slot"],
                n=r["c_n"],
                major_urgent_unreported=r["c_unreported"],
                **{f: r[f"c_{f}"] for f in flags},
            )
            for r in rows.iterator(chunk_size=5000)
        ),
        batch_size=5000,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0001_initial'),
        ('petitions', '0011_event_petition_index_once'),
    ]

    # Issues 14, 16: the worklist's counts (its filter badges, overdue and due soon, its total)
    # from a rollup kept in the transaction of every change, not from the organ's open petitions.
    operations = [
        migrations.CreateModel(
            name='WorklistTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('accused_organ_id', models.BigIntegerField(default=0)),
                ('next_due', models.DateField()),
                ('slot', models.SmallIntegerField(default=0)),
                ('n', models.IntegerField(default=0)),
                ('major_urgent', models.IntegerField(default=0)),
                ('supervised', models.IntegerField(default=0)),
                ('leader_case', models.IntegerField(default=0)),
                ('backlog', models.IntegerField(default=0)),
                ('joint_handling', models.IntegerField(default=0)),
                ('major_urgent_unreported', models.IntegerField(default=0)),
                ('organ', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='directory.organ')),
            ],
            options={
                'verbose_name': '待办计数',
                'verbose_name_plural': '待办计数',
                'constraints': [models.UniqueConstraint(fields=('organ', 'next_due', 'accused_organ_id', 'slot'), name='worklist_tally_key')],
            },
        ),
        migrations.RunPython(count_open, migrations.RunPython.noop),
    ]
