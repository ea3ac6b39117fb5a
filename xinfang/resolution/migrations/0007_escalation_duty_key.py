# An escalation step on a petition's deadline keeps the duty's key (petition, limit, start) and
# outlives the deadline row: a fold that no longer has the duty deletes the row, and the step's
# record (who was told, when) stays, its link set to NULL instead of deleted with it.
#
# At 10^7 petitions (one escalation or more for every overdue duty) the plain form was unsafe:
# one transaction added the foreign key to the petitions (a SHARE ROW EXCLUSIVE lock on
# petitions_petition: no registration, no step), filled every step with one UPDATE, validated
# the new check under ACCESS EXCLUSIVE and built the petition index with a plain CREATE INDEX,
# every lock held to the end. On PostgreSQL it is now done online (atomic = False):
#   1. the three columns added (catalog changes), the foreign key added NOT VALID (no scan), the
#      index built CONCURRENTLY;
#   2. the key copied from each step's deadline BATCH steps a transaction, in id order;
#   3. the old check dropped and the new one added NOT VALID, the steps written meanwhile by a
#      tick of the old code filled, then both constraints VALIDATEd (a SHARE UPDATE EXCLUSIVE
#      lock: reads and writes go on).
# Same end state as the plain form (the constraint and index names Django gives them). SQLite
# (one writer, an embedded installation): Django's plain operations.
#
# Reversible as long as no step has outlived its row: a step whose deadline row is gone is
# linked again to a row of the same duty (petition, limit, start) if the fold has one; if any
# is left, the reverse stops and says how many (the schema before this migration cannot hold
# them: it would have to delete who was told what).

import django.db.models.deletion
from django.db import migrations, models, transaction
from django.db.migrations.exceptions import IrreversibleError
from django.db.migrations.operations.base import Operation

from xinfang.core.online_ddl import index_create_online

E = "resolution_escalation"
#: the names Django gives the petition link's constraint and index (as the plain form made them)
FK = "resolution_escalatio_petition_id_2e2c4cf1_fk_petitions"
IX = "resolution_escalation_petition_id_2e2c4cf1"
#: steps filled a transaction
BATCH = 5000


def key_from_deadline(apps, schema_editor):
    """The key of every step recorded so far, from its deadline (one UPDATE: SQLite's form)."""
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


def key_fill_batched(conn) -> int:  # type: ignore[no-untyped-def]
    """Copy the key of the steps that lack it from their deadline, ``BATCH`` steps a
    transaction (keyset over the id); the number of steps filled."""
    last, filled = 0, 0
    while True:
        with transaction.atomic(using=conn.alias), conn.cursor() as c:
            c.execute(
                f'SELECT id FROM "{E}" WHERE id > %s AND "deadline_id" IS NOT NULL '
                f'AND "petition_id" IS NULL ORDER BY id LIMIT %s',
                [last, BATCH],
            )
            ids = [r[0] for r in c.fetchall()]
            if not ids:
                return filled
            c.execute(
                f'UPDATE "{E}" AS e SET "petition_id" = d."petition_id", "code" = d."code", '
                f'"start_date" = d."start_date" FROM "deadlines_deadline" AS d '
                f'WHERE d."id" = e."deadline_id" AND e."id" = ANY(%s)',
                [ids],
            )
            filled += c.rowcount
        last = ids[-1]


def steps_relink(conn) -> int:  # type: ignore[no-untyped-def]
    """For the reverse: link each step whose deadline row is gone to a row of the same duty if
    the fold has one (and it has no such step yet); the number of steps left without a row."""
    with conn.cursor() as c:
        c.execute(
            f'UPDATE "{E}" AS e SET "deadline_id" = d."id" FROM "deadlines_deadline" AS d '
            f'WHERE e."deadline_id" IS NULL AND e."notice_id" IS NULL '
            f'AND d."petition_id" = e."petition_id" AND d."code" = e."code" '
            f'AND d."start_date" = e."start_date" AND NOT EXISTS (SELECT 1 FROM "{E}" AS o '
            f'WHERE o."deadline_id" = d."id" AND o."step" = e."step")'
        )
        c.execute(f'SELECT count(*) FROM "{E}" WHERE "deadline_id" IS NULL AND "notice_id" IS NULL')
        return c.fetchone()[0]


class EscalationKeyOnline(Operation):
    """The database side of this migration (the state side is PLAIN, below)."""

    reversible = True

    def state_forwards(self, app_label, state):  # type: ignore[no-untyped-def]
        pass

    def _states(self, app_label, from_state):  # type: ignore[no-untyped-def]
        states = [from_state]
        for op in PLAIN:
            s = states[-1].clone()
            op.state_forwards(app_label, s)
            states.append(s)
        return states

    def database_forwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        conn = schema_editor.connection
        states = self._states(app_label, from_state)
        if conn.vendor != "postgresql":
            with transaction.atomic(using=conn.alias):
                for op, a, b in zip(PLAIN, states[:-1], states[1:], strict=True):
                    op.database_forwards(app_label, schema_editor, a, b)
            return
        model = states[-1].apps.get_model(app_label, "Escalation")
        old_check, new_check = PLAIN[-2], PLAIN[-1]
        ex = schema_editor.execute
        ex(
            f'ALTER TABLE "{E}" ADD COLUMN IF NOT EXISTS "petition_id" bigint NULL, '
            f"ADD COLUMN IF NOT EXISTS \"code\" varchar(4) DEFAULT '' NOT NULL, "
            f'ADD COLUMN IF NOT EXISTS "start_date" date NULL'
        )
        ex(f'ALTER TABLE "{E}" ALTER COLUMN "code" DROP DEFAULT')
        ex(
            f'ALTER TABLE "{E}" ADD CONSTRAINT "{FK}" FOREIGN KEY ("petition_id") '
            f'REFERENCES "petitions_petition" ("id") DEFERRABLE INITIALLY DEFERRED NOT VALID'
        )
        index_create_online(schema_editor, model, models.Index(fields=["petition"], name=IX))
        key_fill_batched(conn)
        with transaction.atomic(using=conn.alias):
            ex(f'ALTER TABLE "{E}" DROP CONSTRAINT IF EXISTS "{old_check.name}"')
            ex(f"{new_check.constraint.create_sql(model, schema_editor)} NOT VALID")
        key_fill_batched(conn)  # steps a tick of the old code wrote meanwhile
        ex(f'ALTER TABLE "{E}" VALIDATE CONSTRAINT "{new_check.constraint.name}"')
        ex(f'ALTER TABLE "{E}" VALIDATE CONSTRAINT "{FK}"')

    def database_backwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        # here from_state is the state after this migration, to_state the one before
        conn = schema_editor.connection
        states = self._states(app_label, to_state)
        with transaction.atomic(using=conn.alias):
            left = steps_relink(conn)
            if left:
                raise IrreversibleError(
                    f"resolution.0007 cannot be reversed: {left} escalation step(s) outlived "
                    "their deadline row and the schema before it cannot hold them (it would "
                    "delete who was told what, Arts. 40, 43, 45)"
                )
            if conn.vendor != "postgresql":
                for op, a, b in reversed(list(zip(PLAIN, states[:-1], states[1:], strict=True))):
                    op.database_backwards(app_label, schema_editor, b, a)
                return
            schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the relinks' FK checks
            before = to_state.apps.get_model(app_label, "Escalation")
            old = PLAIN[-2]
            new = PLAIN[-1].constraint.name
            old_constraint = to_state.models[app_label, "escalation"].get_constraint_by_name(
                old.name
            )
            schema_editor.execute(f'ALTER TABLE "{E}" DROP CONSTRAINT IF EXISTS "{new}"')
            schema_editor.execute(f"{old_constraint.create_sql(before, schema_editor)} NOT VALID")
            schema_editor.execute(
                f'ALTER TABLE "{E}" DROP COLUMN "petition_id", DROP COLUMN "code", '
                f'DROP COLUMN "start_date"'
            )
        schema_editor.execute(f'ALTER TABLE "{E}" VALIDATE CONSTRAINT "{old.name}"')

    def describe(self) -> str:
        return "Escalation's duty key, added online (PostgreSQL)"


PLAIN = [
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
    migrations.AlterField(  # on_delete only: nothing changes in the database
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


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("resolution", "0006_backlog_re_reviewed"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=PLAIN,
            database_operations=[EscalationKeyOnline()],
        ),
    ]
