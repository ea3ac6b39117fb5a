# After 0006 moved the digests of the seal records into their column (ADR 0026): the old row
# versions' space back to the operating system, and the indexes rebuilt, with VACUUM FULL
# (PostgreSQL: an exclusive lock while the table is rewritten, like 0004's ALTER TABLE; a
# partitioned table, ADR 0019, rewrites each attached partition). Outside a transaction, as
# VACUUM must be. SQLite: nothing (its file is compacted by VACUUM of the whole database).

from django.db import migrations


def forward(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor == "postgresql":
        with conn.cursor() as c:
            c.execute('VACUUM FULL "audit_auditrecord"')


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("audit", "0006_seal_as_bytes"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
