# The language of the request that asked for a 台账 export (issue 16): the worker writes in it.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0009_dispatch_named"),
    ]

    operations = [
        migrations.AddField(
            model_name="listexport",
            name="language",
            field=models.CharField(default="zh-hans", max_length=10),
        ),
    ]
