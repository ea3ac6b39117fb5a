# The digest a record seals as 32 raw bytes in its own column, not 64 hex characters in its
# JSON (ADR 0026, issue 14's disk budget). Every record keeps the HMAC it was written with: the
# HMAC covers the digest as data["digest"] in hex (audit.chain.hashed_data), wherever it is
# stored, so nothing is hashed again (that would launder earlier tampering, ADR 0024).
#
# PostgreSQL: the column is added empty (a catalog change, no rewrite); migration 0007 moves
# each digest that is a string of 64 lowercase hex characters in one rewrite of the table (any
# other, edited by hand, stays in the JSON and verify reports its record as before). Until the
# review after ADR 0026 this migration moved them with one UPDATE, which left an old version of
# every seal record behind for 0007 to free; a database that ran that form has them moved, and
# 0007 frees the space. SQLite: the column is added, the digests moved in Python, in batches.
# Reversible.

from django.db import migrations, models

T = "audit_auditrecord"

#: SQLite: records read and rewritten a batch at a time (a trail of 10^7 records is not held
#: in memory at once)
BATCH = 2000


def _field():
    f = models.BinaryField("封存摘要", max_length=32, null=True, blank=True)
    f.set_attributes_from_name("seal")
    return f


def forward(apps, schema_editor):
    conn = schema_editor.connection
    record = apps.get_model("audit", "AuditRecord")
    field = _field()
    field.model = record
    if conn.vendor == "postgresql":
        schema_editor.execute(f'ALTER TABLE "{T}" ADD COLUMN "seal" bytea NULL')
        return  # the digests are moved by 0007's rewrite
    import json
    import re

    schema_editor.add_field(record, field)
    for batch in _batches(conn, f"""SELECT id, data FROM "{T}" WHERE data LIKE '%%"digest"%%'"""):
        rows = []
        for pk, text in batch:
            try:
                data = json.loads(text)
            except (TypeError, ValueError):
                continue
            d = data.get("digest") if isinstance(data, dict) else None
            if not (isinstance(d, str) and re.fullmatch(r"[0-9a-f]{64}", d)):
                continue  # edited by hand: stays, and verify reports it as before
            raw = bytes.fromhex(d)
            del data["digest"]
            rows.append((json.dumps(data), raw, pk))
        with conn.cursor() as c:
            c.executemany(f'UPDATE "{T}" SET data = %s, seal = %s WHERE id = %s', rows)


def _batches(conn, select: str):  # type: ignore[no-untyped-def]
    """The rows of ``select`` (its first column the id) in batches of ``BATCH``, in id order,
    each batch read after the previous one was written (keyset: ``id`` above the last)."""
    last = 0
    while True:
        with conn.cursor() as c:
            c.execute(f"{select} AND id > %s ORDER BY id LIMIT %s", [last, BATCH])
            batch = c.fetchall()
        if not batch:
            return
        yield batch
        last = batch[-1][0]


def backward(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor == "postgresql":
        # one rewrite, as 0007's forward (no old row version of every seal record left behind)
        schema_editor.execute(
            f'ALTER TABLE "{T}" ALTER COLUMN "data" TYPE jsonb USING CASE WHEN "seal" IS NULL '
            """THEN "data" ELSE "data" || jsonb_build_object('digest', encode("seal", 'hex')) END"""
        )
        schema_editor.execute(f'ALTER TABLE "{T}" DROP COLUMN "seal"')
        return
    import json

    for batch in _batches(conn, f'SELECT id, data, seal FROM "{T}" WHERE seal IS NOT NULL'):
        rows = []
        for pk, text, seal in batch:
            data = json.loads(text)
            data["digest"] = bytes(seal).hex()
            rows.append((json.dumps(data), pk))
        with conn.cursor() as c:
            c.executemany(f'UPDATE "{T}" SET data = %s WHERE id = %s', rows)
    record = apps.get_model("audit", "AuditRecord")  # the state before 0006: no seal field
    field = _field()
    field.model = record
    schema_editor.remove_field(record, field)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_indexes_a_query_reads"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="auditrecord",
                    name="seal",
                    field=models.BinaryField(
                        blank=True, max_length=32, null=True, verbose_name="封存摘要"
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        ),
    ]
