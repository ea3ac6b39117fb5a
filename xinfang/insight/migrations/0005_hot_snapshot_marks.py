from django.db import migrations, models
from django.db.models import F


def checked_when_computed(apps, schema_editor):
    apps.get_model("insight", "HotSnapshot").objects.update(checked_at=F("computed_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("insight", "0004_hot_snapshot"),
    ]

    operations = [
        migrations.AddField(
            model_name="hotsnapshot",
            name="checked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="核对时间"),
        ),
        migrations.AddField(
            model_name="hotsnapshot",
            name="mark",
            field=models.CharField(blank=True, max_length=64, verbose_name="所见变更"),
        ),
        migrations.AddField(
            model_name="hotsnapshot",
            name="ids",
            field=models.JSONField(default=list, verbose_name="所分析的信访事项"),
        ),
        migrations.RunPython(checked_when_computed, migrations.RunPython.noop),
    ]
