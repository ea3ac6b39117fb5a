# The rate rollup kept by the tick without reading every petition (issue 18): the rows to come
# (RatePending), the last day a running row counts (RateFact.until), the queue of petitions
# changed (RateDirty), one RateTally row a key. The rollup is emptied and, where there are
# petitions, built again in SQL (``rollup.rates_rebuild``): the first build is the migration's
# (or ``xinfang manage rates_rebuild``), not the daily tick's.

import django.db.models.deletion
from django.db import migrations, models


def empty(apps, schema_editor):
    for name in ("RateTally", "RateFact", "RatesAsOf"):
        apps.get_model("analytics", name).objects.all().delete()


def build(apps, schema_editor):
    if not apps.get_model("petitions", "Petition").objects.exists():
        return  # a new installation: the first tick builds it from nothing, at once
    from xinfang.analytics.rollup import rates_rebuild

    rates_rebuild()


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0006_rates_watermarks'),
        ('directory', '0005_organ_external'),
        ('petitions', '0009_event_dispatch_index'),
        ('feedback', '0001_initial'),
        ('deadlines', '0003_provisional_calendar'),
    ]

    operations = [
        migrations.RunPython(empty, migrations.RunPython.noop),
        migrations.AddField(
            model_name='ratefact',
            name='until',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='ratefact',
            index=models.Index(condition=models.Q(('until__isnull', False)), fields=['until'], name='ratefact_until'),
        ),
        migrations.AddConstraint(
            model_name='ratetally',
            constraint=models.UniqueConstraint(fields=['current_organ', 'accused_organ_id', 'region', 'channel', 'category', 'metric', 'organ', 'month', 'outcome', 'days'], name='ratetally_key'),
        ),
        migrations.CreateModel(
            name='RateDirty',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('petition_id', models.BigIntegerField()),
            ],
            options={
                'verbose_name': '考核指标待重算',
                'verbose_name_plural': '考核指标待重算',
            },
        ),
        migrations.CreateModel(
            name='RatePending',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('accused_organ_id', models.BigIntegerField(default=0)),
                ('channel', models.CharField(max_length=10)),
                ('category', models.CharField(blank=True, max_length=12)),
                ('metric', models.CharField(max_length=12)),
                ('month', models.DateField()),
                ('outcome', models.CharField(max_length=14)),
                ('days', models.IntegerField(default=0)),
                ('since', models.DateField()),
                ('current_organ', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='directory.organ')),
                ('organ', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='directory.organ')),
                ('petition', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='petitions.petition')),
                ('region', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='directory.region')),
            ],
            options={
                'verbose_name': '考核指标待计明细',
                'verbose_name_plural': '考核指标待计明细',
                'indexes': [models.Index(fields=['since'], name='ratepending_since'), models.Index(fields=['petition'], name='ratepending_petition')],
            },
        ),
        migrations.RunPython(build, migrations.RunPython.noop, elidable=True),
    ]
