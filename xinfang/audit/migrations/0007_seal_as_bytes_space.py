# The digests of the seal records moved into their column (ADR 0026) by one rewriting ALTER
# TABLE, which copies only the live rows into a new file whatever else is open in the database,
# so the table ends no larger than it was and the indexes are rebuilt with it.
#
# Until the review after ADR 0026: 0006 moved the digests with an UPDATE (an old version of
# every seal record left behind) and this migration ran VACUUM FULL to give that space back.
# VACUUM FULL copies every row version an open snapshot may still see: at 10^6 (bench/README.md,
# "The seal in the step record") autovacuum analysing other tables kept 4.86 M old versions and
# the table grew by 1.2 GB. ALTER TABLE's rewrite is not bound by other snapshots (PostgreSQL
# documents it as not MVCC-safe: a transaction that began before it sees the table empty, and
# the application is stopped for the upgrade anyway).
#
# The same statement serves both histories: on a database that ran 0006's UPDATE nothing is left
# to move (the expressions keep each row as it is) and the rewrite drops the old versions; on
# one that ran 0006's present form (the column added empty) it moves each digest that is a
# string of 64 lowercase hex characters (any other, edited by hand, stays in the JSON and verify
# reports its record, as before). An ACCESS EXCLUSIVE lock while the table is rewritten, as
# audit.0004's: the upgrade's maintenance window. A partitioned trail (ADR 0019) has each
# attached partition rewritten. SQLite: nothing (0006 moved the digests; the file is compacted
# by a VACUUM of the whole database). The reverse is 0006's.

from django.db import migrations

T = "audit_auditrecord"

_MOVABLE = (
    "data ? 'digest' AND jsonb_typeof(data -> 'digest') = 'string' "
    "AND data ->> 'digest' ~ '^[0-9a-f]{64}$'"
)

#: one statement, one rewrite: both USING expressions read the row as it was
REWRITE = (
    f'ALTER TABLE "{T}" '
    f"""ALTER COLUMN "seal" TYPE bytea USING CASE WHEN {_MOVABLE} """
    """THEN decode(data ->> 'digest', 'hex') ELSE "seal" END, """
    f"""ALTER COLUMN "data" TYPE jsonb USING CASE WHEN {_MOVABLE} """
    """THEN data - 'digest' ELSE data END"""
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REWRITE)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0006_seal_as_bytes"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
