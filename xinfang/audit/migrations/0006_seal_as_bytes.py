# The digest a record seals as 32 raw bytes in its own column, not 64 hex characters in its
# JSON (ADR 0026, issue 14's disk budget). Every record keeps the HMAC it was written with: the
# HMAC covers the digest as data["digest"] in hex (audit.chain.hashed_data), wherever it is
# stored, so nothing is hashed again (that would launder earlier tampering, ADR 0024).
#
# PostgreSQL: the column is added empty (no rewrite), then one UPDATE moves each digest that is
# a string of 64 lowercase hex characters (any other, edited by hand, stays in the JSON and
# verify reports its record as before). Migration 0007 gives the space of the old row versions
# back. SQLite: the column is added, the digests moved in Python. Reversible.

from django.db import migrations, models

T = "audit_auditrecord"

_MOVABLE = (
    "data ? 'digest' AND jsonb_typeof(data -> 'digest') = 'string' "
    "AND data ->> 'digest' ~ '^[0-9a-f]{64}$'"
)


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
        schema_editor.execute(
            f"""UPDATE "{T}" SET "seal" = decode(data ->> 'digest', 'hex'), """
            f"""data = data - 'digest' WHERE {_MOVABLE}"""
        )
        return
    import json
    import re

    schema_editor.add_field(record, field)
    with conn.cursor() as c:
        c.execute(f"""SELECT id, data FROM "{T}" WHERE data LIKE '%"digest"%'""")
        rows = []
        for pk, text in c.fetchall():
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
        c.executemany(f'UPDATE "{T}" SET data = %s, seal = %s WHERE id = %s', rows)


def backward(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor == "postgresql":
        schema_editor.execute(
            f"""UPDATE "{T}" SET data = data || jsonb_build_object('digest', """
            f"""encode("seal", 'hex')) WHERE "seal" IS NOT NULL"""
        )
        schema_editor.execute(f'ALTER TABLE "{T}" DROP COLUMN "seal"')
        return
    import json

    with conn.cursor() as c:
        c.execute(f'SELECT id, data, seal FROM "{T}" WHERE seal IS NOT NULL')
        rows = []
        for pk, text, seal in c.fetchall():
            data = json.loads(text)
            data["digest"] = bytes(seal).hex()
            rows.append((json.dumps(data), pk))
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
