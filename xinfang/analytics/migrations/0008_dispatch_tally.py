import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0007_rates_incremental'),
        ('directory', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='DispatchTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('accused_organ_id', models.BigIntegerField(default=0)),
                ('action', models.CharField(max_length=24)),
                ('month', models.DateField()),
                ('n', models.IntegerField(default=0)),
                ('current_organ', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='directory.organ')),
            ],
            options={
                'verbose_name': '转送交办计数',
                'verbose_name_plural': '转送交办计数',
                'indexes': [models.Index(fields=['month'], name='dispatchtally_month')],
            },
        ),
    ]
