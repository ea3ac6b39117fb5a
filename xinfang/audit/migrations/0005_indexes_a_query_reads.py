# The two queries of the trail by object read partial indexes of their own rows (ADR 0024):
# a user name's login attempts (the throttle) and the partitions' archive manifests.
#
# Built without locking out writers (xinfang.core.online_ddl): on PostgreSQL CREATE INDEX
# CONCURRENTLY (each partition's first on a partitioned trail, ADR 0019), so registrations go on
# during the build; hence atomic = False. Until the review after it this migration also dropped
# the three indexes over every record that no query reads, after 0004 had rebuilt them in its
# rewrite; 0004 now drops them first. A database that ran 0004 in its earlier form still has
# them: dropped here if they exist (the state has them gone since 0004 either way).

from django.db import migrations, models

from xinfang.core.online_ddl import AddIndexOnline, index_drop_online

LEFT_BY_THE_EARLIER_0004 = ("audit_object", "audit_actor", "audit_kind_at")


def drop_leftovers(apps, schema_editor):
    record = apps.get_model("audit", "AuditRecord")
    for name in LEFT_BY_THE_EARLIER_0004:
        index_drop_online(schema_editor, record, name)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("audit", "0004_lean_hash"),
    ]

    operations = [
        migrations.RunPython(drop_leftovers, migrations.RunPython.noop, elidable=True),
        AddIndexOnline(
            model_name="auditrecord",
            index=models.Index(
                condition=models.Q(("object_type", "login")),
                fields=["object_id", "seq"],
                name="audit_login_attempts",
            ),
        ),
        AddIndexOnline(
            model_name="auditrecord",
            index=models.Index(
                condition=models.Q(("object_type", "partition")),
                fields=["object_id"],
                name="audit_partition",
            ),
        ),
    ]
