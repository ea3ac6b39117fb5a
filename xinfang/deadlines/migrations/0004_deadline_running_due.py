from django.db import migrations, models


class Migration(migrations.Migration):
    """The escalation ladder selects the running deadlines by due date in SQL (issue 14)."""

    dependencies = [
        ("deadlines", "0003_provisional_calendar"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(
                condition=models.Q(("outcome", "open"), ("paused", False)),
                fields=["due_date"],
                name="deadline_running_due",
            ),
        ),
    ]
