"""Indexes built and dropped without locking out writers, for migrations of large tables.

A plain ``CREATE INDEX`` holds a lock that blocks every insert, update and delete of the table
until the build ends: minutes on an audit trail of 10^8 records, during which nothing can be
registered (every step writes an audit record). On PostgreSQL ``CREATE INDEX CONCURRENTLY``
builds while the application writes; it cannot run inside a transaction, so a migration using
:class:`AddIndexOnline` says ``atomic = False``. A partitioned table (ADR 0019) cannot be indexed
concurrently as a whole: each partition's index is built concurrently first, then the parent's
index is made, which only attaches them (a catalog change). A concurrent build that failed
leaves an invalid index behind; it is dropped before the build is tried again, and ``IF NOT
EXISTS`` lets a migration interrupted half-way run again. SQLite (an embedded installation,
one writer) does what Django's plain operations do.
"""

from __future__ import annotations

from typing import Any

from django.db import NotSupportedError, migrations


def _one(schema_editor: Any, sql: str, params: list[Any]) -> Any:
    with schema_editor.connection.cursor() as c:
        c.execute(sql, params)
        row = c.fetchone()
    return row[0] if row else None


def _partitioned(schema_editor: Any, table: str) -> bool:
    kind = _one(schema_editor, "SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])
    return kind == "p"


def _partitions(schema_editor: Any, table: str) -> list[str]:
    with schema_editor.connection.cursor() as c:
        c.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname",
            [table],
        )
        return [r[0] for r in c.fetchall()]


def _outside_transaction(schema_editor: Any) -> None:
    if schema_editor.connection.in_atomic_block:
        raise NotSupportedError(
            "an index built CONCURRENTLY cannot be made in a transaction: "
            "set atomic = False on the migration"
        )


def _drop_if_invalid(schema_editor: Any, name: str) -> None:
    q = schema_editor.quote_name(name)
    valid = _one(schema_editor, "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [q])  # fmt: skip
    if valid is False:  # a concurrent build that failed half-way
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {q}")


def _if_not_exists(sql: str) -> str:
    for head in ("CREATE INDEX CONCURRENTLY ", "CREATE INDEX "):
        if sql.startswith(head):
            return head + "IF NOT EXISTS " + sql[len(head) :]
    raise ValueError(sql)  # pragma: no cover - Django's own statement


def partition_index_name(partition: str, name: str) -> str:
    """The name of a partition's own index (PostgreSQL names are at most 63 bytes)."""
    return f"{partition}_{name}"[:63]


def index_create_online(schema_editor: Any, model: Any, index: Any) -> None:
    """Build ``index`` of ``model`` without blocking its writers (module docstring)."""
    conn = schema_editor.connection
    if conn.vendor != "postgresql":
        schema_editor.add_index(model, index)
        return
    _outside_transaction(schema_editor)
    table = model._meta.db_table
    if not _partitioned(schema_editor, table):
        _drop_if_invalid(schema_editor, index.name)
        sql = str(index.create_sql(model, schema_editor, concurrently=True))
        schema_editor.execute(_if_not_exists(sql), params=None)
        return
    for part in _partitions(schema_editor, table):
        name = partition_index_name(part, index.name)
        _drop_if_invalid(schema_editor, name)
        st = index.create_sql(model, schema_editor, concurrently=True)
        st.rename_table_references(table, part)
        st.parts["name"] = schema_editor.quote_name(name)
        schema_editor.execute(_if_not_exists(str(st)), params=None)
    # the parent's index finds each partition's equal index and attaches it: no build, no scan
    schema_editor.execute(_if_not_exists(str(index.create_sql(model, schema_editor))), params=None)


def index_drop_online(schema_editor: Any, model: Any, name: str) -> None:
    """Drop the index ``name`` of ``model`` if it exists, without waiting on its readers and
    writers where PostgreSQL can (``DROP INDEX CONCURRENTLY``; a partitioned table's index is
    dropped plainly with its partitions': a catalog change, PostgreSQL cannot do it otherwise)."""
    q = schema_editor.quote_name(name)
    conn = schema_editor.connection
    if conn.vendor != "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {q}", params=None)
        return
    _outside_transaction(schema_editor)
    if _partitioned(schema_editor, model._meta.db_table):
        schema_editor.execute(f"DROP INDEX IF EXISTS {q}", params=None)
    else:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {q}", params=None)


class AddIndexOnline(migrations.AddIndex):
    """``AddIndex`` built without locking out the table's writers on PostgreSQL (module
    docstring); the migration must be ``atomic = False``. Reversed by dropping it the same way."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            index_create_online(schema_editor, model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            index_drop_online(schema_editor, model, self.index.name)

    def describe(self) -> str:
        return f"{super().describe()} (online)"


class RemoveIndexOnline(migrations.RemoveIndex):
    """``RemoveIndex`` dropped with ``DROP INDEX CONCURRENTLY`` on PostgreSQL, so the drop does
    not wait for, and then hold, an ACCESS EXCLUSIVE lock on the table (every reader and writer
    queued behind it); the migration must be ``atomic = False``. Reversed by building the index
    again without locking out writers (:func:`index_create_online`)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            index_drop_online(schema_editor, model, self.name)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            index = to_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
            index_create_online(schema_editor, model, index)

    def describe(self) -> str:
        return f"{super().describe()} (online)"
