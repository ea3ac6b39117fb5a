# An escalation step on a petition's deadline keeps the duty's key (petition, limit, start) and
# outlives the deadline row: a fold that no longer has the duty deletes the row, and the step's
# record (who was told, when) stays, its link set to NULL instead of deleted with it.

import django.db.models.deletion
from django.db import migrations, models


def key_from_deadline(apps, schema_editor):
    """The key of every step recorded so far, from its deadline (one UPDATE, both engines)."""
    e = apps.get_model("resolution", "Escalation")._meta.db_table
    d = apps.get_model("deadlines", "Deadline")._meta.db_table
    q = schema_editor.quote_name
    of = f'FROM {q(d)} WHERE {q(d)}."id" = {q(e)}."deadline_id"'
    schema_editor.execute(
        f'UPDATE {q(e)} SET "petition_id" = (SELECT {q(d)}."petition_id" {of}), '
        f'"code" = (SELECT {q(d)}."code" {of}), '
        f'"start_date" = (SELECT {q(d)}."start_date" {of}) '
        f'WHERE "deadline_id" IS NOT NULL'
    )


class Migration(migrations.Migration):
    dependencies = [
        ("resolution", "0006_backlog_re_reviewed"),
    ]

    operations = [
        migrations.AddField(
            model_name="escalation",
            name="petition",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="petitions.petition",
            ),
        ),
        migrations.AddField(
            model_name="escalation",
            name="code",
            field=models.CharField(blank=True, default="", max_length=4, verbose_name="期限"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="escalation",
            name="start_date",
            field=models.DateField(blank=True, null=True, verbose_name="起算日"),
        ),
        migrations.RunPython(key_from_deadline, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="escalation",
            name="deadline",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="deadlines.deadline",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="escalation",
            name="escalation_one_subject",
        ),
        migrations.AddConstraint(
            model_name="escalation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("deadline__isnull", True),
                        ("notice__isnull", False),
                        ("petition__isnull", True),
                    ),
                    models.Q(
                        ("notice__isnull", True),
                        ("petition__isnull", False),
                        ("start_date__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="escalation_one_subject_key",
            ),
        ),
    ]
