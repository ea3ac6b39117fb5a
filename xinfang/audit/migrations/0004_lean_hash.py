# The audit record's hash as 32 raw bytes, and no stored prev_hash (ADR 0024, issue 14's disk
# budget). Every record keeps the HMAC it was written with: the hash is the same 32 bytes, and
# the HMAC covers the previous record's hash, which verify now takes from its walk of the chain
# instead of from a column. Nothing is hashed again (that would launder earlier tampering).
#
# PostgreSQL: one ALTER TABLE, one rewrite of the table (a partitioned table, ADR 0019, with all
# its attached partitions; a year archived before this is converted when it is attached,
# ops.partition_archive._conform). SQLite: the table is remade by Django's schema editor, then
# the hex text becomes bytes.
#
# First the three indexes over every record that no query reads (ADR 0024) are dropped, so the
# rewrite does not rebuild them only for them to be dropped after it (they were dropped by
# audit.0005 until the review after it; a database that ran this migration in its earlier form
# still has them, and 0005 drops them there, if they exist). The end state is the same either
# way; only the upgrade is shorter.

from django.db import migrations, models

T = "audit_auditrecord"


def _genesis_sql() -> str:
    # audit.chain.chain_genesis in SQL: chain 0 all zeros, chain c sha256("xinfang.audit.chain:c")
    return (
        "CASE WHEN r.chain = 0 THEN repeat('0', 64) ELSE "
        "encode(sha256(convert_to('xinfang.audit.chain:' || r.chain, 'UTF8')), 'hex') END"
    )


#: A stored hash that is not 64 hex characters (edited by hand) becomes its text's bytes, not an
#: error: the upgrade goes through and verify reports the record, as it did before.
TO_BYTES = (
    """CASE WHEN "hash" ~ '^[0-9a-fA-F]{64}$' THEN decode("hash", 'hex') """
    """ELSE convert_to("hash", 'UTF8') END"""
)


def _raw(h: str) -> bytes:
    try:
        return bytes.fromhex(h) if len(h) == 64 else h.encode()
    except ValueError:
        return h.encode()


def forward(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor == "postgresql":
        schema_editor.execute(
            f'ALTER TABLE "{T}" DROP COLUMN "prev_hash", '
            f'ALTER COLUMN "hash" TYPE bytea USING {TO_BYTES}'
        )
        return
    record = apps.get_model("audit", "AuditRecord")
    old = record._meta.get_field("hash")
    new = models.BinaryField(max_length=32)
    new.set_attributes_from_name("hash")
    new.model = record
    schema_editor.alter_field(record, old, new)  # the values are copied as they are: hex text
    schema_editor.remove_field(record, record._meta.get_field("prev_hash"))
    with conn.cursor() as c:
        c.execute(f'SELECT id, hash FROM "{T}"')
        rows = [(_raw(h), pk) for pk, h in c.fetchall() if isinstance(h, str)]
        c.executemany(f'UPDATE "{T}" SET hash = %s WHERE id = %s', rows)


def backward(apps, schema_editor):
    """Back to hex text with a stored prev_hash: each record's predecessor in its chain (the
    genesis for a chain's first record; a record right after an archived range gets the
    record before the range, so the old code's verify reports it until the range is back)."""
    conn = schema_editor.connection
    if conn.vendor == "postgresql":
        schema_editor.execute(
            f'ALTER TABLE "{T}" ADD COLUMN "prev_hash" varchar(64), '
            """ALTER COLUMN "hash" TYPE varchar(64) USING encode("hash", 'hex')"""
        )
        schema_editor.execute(
            f'UPDATE "{T}" AS t SET prev_hash = coalesce(p.prev, p.genesis) FROM ('
            f"SELECT r.id, r.at, lag(r.hash) OVER (PARTITION BY r.chain ORDER BY r.seq) AS prev, "
            f'{_genesis_sql()} AS genesis FROM "{T}" r) AS p WHERE p.id = t.id AND p.at = t.at'
        )
        schema_editor.execute(f'ALTER TABLE "{T}" ALTER COLUMN "prev_hash" SET NOT NULL')
        return
    import hashlib

    # SQLite: the column is remade as text first, mirroring forward, so the hex written below
    # is what the column declares (hex text left in a BLOB column is what verify reads as
    # malformed after a partial re-upgrade or a restore across versions; revA 6)
    # (``apps`` here is the state before 0004: hash a CharField, with prev_hash)
    with conn.cursor() as c:
        c.execute(f'ALTER TABLE "{T}" ADD COLUMN "prev_hash" varchar(64) NOT NULL DEFAULT \'\'')
    record = apps.get_model("audit", "AuditRecord")
    blob = models.BinaryField(max_length=32)
    blob.set_attributes_from_name("hash")
    blob.model = record
    schema_editor.alter_field(record, blob, record._meta.get_field("hash"))
    with conn.cursor() as c:
        c.execute(f'SELECT id, chain, hash FROM "{T}" ORDER BY chain, seq')
        rows = c.fetchall()
    out, chain_before, prev = [], None, ""
    for pk, chain, h in rows:
        if chain != chain_before:
            chain_before = chain
            prev = (
                "0" * 64
                if chain == 0
                else hashlib.sha256(f"xinfang.audit.chain:{chain}".encode()).hexdigest()
            )
        out.append((h if isinstance(h, str) else bytes(h).hex(), prev, pk))
        prev = out[-1][0]
    with conn.cursor() as c:
        c.executemany(f'UPDATE "{T}" SET hash = %s, prev_hash = %s WHERE id = %s', out)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_failed_login_ip_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="auditrecord", name="audit_object"),
        migrations.RemoveIndex(model_name="auditrecord", name="audit_actor"),
        migrations.RemoveIndex(model_name="auditrecord", name="audit_kind_at"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="auditrecord", name="prev_hash"),
                migrations.AlterField(
                    model_name="auditrecord",
                    name="hash",
                    field=models.BinaryField(max_length=32),
                ),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        ),
    ]
