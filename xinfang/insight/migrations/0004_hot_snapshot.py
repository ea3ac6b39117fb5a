from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('insight', '0003_matters'),
    ]

    operations = [
        migrations.CreateModel(
            name='HotSnapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scope', models.CharField(max_length=48, verbose_name='范围')),
                ('weeks', models.SmallIntegerField(verbose_name='周数')),
                ('computed_at', models.DateTimeField(blank=True, null=True, verbose_name='计算时间')),
                ('fingerprint', models.CharField(blank=True, max_length=96, verbose_name='所据信访事项')),
                ('petitions', models.IntegerField(default=0, verbose_name='分析件数')),
                ('rows', models.JSONField(default=list, verbose_name='热点问题')),
                ('asked_at', models.DateTimeField(blank=True, null=True, verbose_name='最近查看')),
            ],
            options={
                'verbose_name': '热点问题（预先计算）',
                'verbose_name_plural': '热点问题（预先计算）',
                'constraints': [models.UniqueConstraint(fields=('scope', 'weeks'), name='hotsnapshot_scope_weeks')],
            },
        ),
    ]
