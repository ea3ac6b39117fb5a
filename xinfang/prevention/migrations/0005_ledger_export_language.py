# The language of the request that asked for a ledger export (issue 16): the worker writes in it.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("prevention", "0004_ledger_month_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="ledgerexport",
            name="language",
            field=models.CharField(default="zh-hans", max_length=10),
        ),
    ]
