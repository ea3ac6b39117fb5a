"""A transfer taken back before the other installation acknowledged it (issue 20): the outbox's
``withdrawn`` status and the tick's claim on a message it is sending; the link's withdrawal."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("federation", "0002_remote_organs_external")]

    operations = [
        migrations.AddField(
            model_name="link",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="outboundmessage",
            name="sending_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="outboundmessage",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "待发送"),
                    ("delivered", "已送达"),
                    ("refused", "被拒收"),
                    ("withdrawn", "已撤回"),
                ],
                default="pending",
                max_length=10,
            ),
        ),
    ]
