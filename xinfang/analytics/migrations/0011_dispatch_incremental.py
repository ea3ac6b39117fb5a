from django.db import migrations, models


class Migration(migrations.Migration):
    """The transfers rollup moved by the differences the petition steps queue, folded in by the
    tick (issue 16), instead of a whole recount every hour. No ``DispatchAsOf`` row yet: the
    first tick builds it whole."""

    dependencies = [
        ("analytics", "0010_list_export_language"),
    ]

    operations = [
        migrations.CreateModel(
            name="DispatchAsOf",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("counted_at", models.DateTimeField()),
                ("built_at", models.DateTimeField()),
            ],
        ),
        migrations.CreateModel(
            name="DispatchDelta",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("user_id", models.BigIntegerField(null=True)),
                ("current_organ_id", models.BigIntegerField()),
                ("accused_organ_id", models.BigIntegerField(default=0)),
                ("action", models.CharField(max_length=24)),
                ("month", models.DateField()),
                ("n", models.IntegerField()),
            ],
            options={
                "verbose_name": "转送交办计数待计",
                "verbose_name_plural": "转送交办计数待计",
            },
        ),
        migrations.AddConstraint(
            model_name="dispatchtally",
            constraint=models.UniqueConstraint(
                fields=("current_organ", "accused_organ_id", "action", "month"),
                name="dispatchtally_key",
            ),
        ),
        migrations.AddConstraint(
            model_name="dispatchnamed",
            constraint=models.UniqueConstraint(
                fields=("user_id", "current_organ", "accused_organ_id", "action", "month"),
                name="dispatchnamed_key",
            ),
        ),
    ]
