"""Many new rows of one model written at once, without the ORM's per-value work: the bulk
path of the importers (ADR 0020, ADR 0025: 100,000 hotline orders in one transaction).

``rows_insert(objs)`` does what ``Model.objects.bulk_create(objs)`` does — the related
objects' ids taken over, each field's ``pre_save`` where the field has one that matters
(``auto_now_add``, a blind index), the same values stored, each instance given its id and
marked saved — but cheaply:

* the ids are reserved first, in one statement (PostgreSQL: ``nextval`` of the column's own
  sequence, which other writers share; SQLite: above the table's highest id ever handed out,
  while this transaction holds the database's one write lock), so the rows that follow (events,
  deadlines, parties of a petition) can name them before anything is written;
* a value Django would pass through unchanged (text, a number, a flag, an id, on PostgreSQL a
  date or an aware time) goes as it is; every other value (an encrypted field, JSON, a time on
  SQLite) through its field's ``get_db_prep_save``, as the ORM does it;
* PostgreSQL takes the rows by ``COPY … FROM STDIN`` (psycopg 3 ``cursor.copy``: no statement
  to parse, no parameters to bind); SQLite by one prepared ``INSERT`` over ``executemany``.

Signals are not sent (``bulk_create`` sends none either). A model with a file field, or a
primary key that is not an auto field, goes through ``bulk_create`` unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.fields import Field

_PLAIN_TYPES = (str, int, bool, float)
_Converter = Callable[[Any], Any]


def _plain_field(field: Field) -> bool:
    """A field whose stored value is the Python value itself (for plain types): one of
    Django's own, or a subclass that changes nothing on the way in."""
    if isinstance(field, models.JSONField | models.FileField | models.DecimalField):
        return False
    cls = type(field)
    return (
        cls.get_prep_value is _django_get_prep_value(cls)
        and cls.get_db_prep_value is _django_attr(cls, "get_db_prep_value")
        and cls.get_db_prep_save is Field.get_db_prep_save
    )


def _django_attr(cls: type, name: str) -> Any:
    """``cls.name`` as defined by the nearest class of Django itself (not a subclass of ours)."""
    for base in cls.__mro__:
        if base.__module__.startswith("django.") and name in vars(base):
            return vars(base)[name]
    return getattr(Field, name)


def _django_get_prep_value(cls: type) -> Any:
    return _django_attr(cls, "get_prep_value")


def _converter(field: Field, conn: Any) -> _Converter:
    """value -> what ``field.get_db_prep_save(value, conn)`` gives, fast for the common case."""
    slow = field.get_db_prep_save
    if (
        isinstance(field, models.ForeignKey)
        and type(field).get_db_prep_save is models.ForeignKey.get_db_prep_save
        and _plain_field(field.target_field)
        and isinstance(field.target_field, models.AutoField | models.IntegerField)
    ):  # an id: as it is (ForeignKey.get_db_prep_save -> the target's, int(id))

        def fk(v: Any) -> Any:
            return v if v is None or type(v) is int else slow(v, conn)

        return fk
    if not _plain_field(field):
        return lambda v: slow(v, conn)
    postgres = conn.vendor == "postgresql"
    is_text = isinstance(field, models.CharField | models.TextField)

    def convert(v: Any) -> Any:
        t = type(v)
        if v is None or t is int or t is bool or t is float:
            return v
        if t is str:
            return v if is_text else slow(v, conn)
        if postgres and (t is date or (t is datetime and v.tzinfo is not None)):
            return v
        if is_text and isinstance(v, str):
            return str.__str__(v)  # a TextChoices member: its text
        return slow(v, conn)

    return convert


def _needs_pre_save(field: Field) -> bool:
    if isinstance(field, models.DateField):  # DateTimeField too: only its auto_now(_add)
        return bool(field.auto_now or field.auto_now_add)  # type: ignore[attr-defined]
    return type(field).pre_save is not Field.pre_save


class _Layout:
    def __init__(self, model: type[models.Model], conn: Any) -> None:
        meta = model._meta
        self.table = meta.db_table
        self.pk = meta.pk
        self.fields = [f for f in meta.local_concrete_fields]
        self.columns = [f.column for f in self.fields]
        self.converters = [_converter(f, conn) for f in self.fields]
        self.pre_save = [f for f in self.fields if _needs_pre_save(f)]
        self.relations = [
            f for f in self.fields if f.is_relation and (f.many_to_one or f.one_to_one)
        ]
        self.fast = isinstance(self.pk, models.AutoField) and not any(
            isinstance(f, models.FileField) for f in self.fields
        )
        self.sequence: str | None = None


_layouts: dict[tuple[str, type], _Layout] = {}


def _layout(model: type[models.Model], conn: Any) -> _Layout:
    key = (conn.alias, model)
    if key not in _layouts:
        _layouts[key] = _Layout(model, conn)
    return _layouts[key]


def ids_reserve(model: type[models.Model], n: int, *, using: str = DEFAULT_DB_ALIAS) -> list[int]:
    """``n`` new ids of ``model``'s table, in the caller's transaction (see the module)."""
    if n <= 0:
        return []
    conn = connections[using]
    lay = _layout(model, conn)
    qn = conn.ops.quote_name
    with conn.cursor() as c:
        if conn.vendor == "postgresql":
            if lay.sequence is None:
                c.execute("SELECT pg_get_serial_sequence(%s, %s)", [lay.table, lay.pk.column])
                lay.sequence = c.fetchone()[0]
            c.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [lay.sequence, n])
            return sorted(r[0] for r in c.fetchall())
        if conn.vendor != "sqlite":
            raise NotImplementedError(conn.vendor)
        if not conn.in_atomic_block:
            raise RuntimeError("ids_reserve on SQLite needs the caller's transaction")
        # Under the transaction's write lock (transaction_mode IMMEDIATE; a deferred one that
        # lost the lock meanwhile fails on its first write instead): the highest id ever given
        # (AUTOINCREMENT keeps it in sqlite_sequence, also after the row is deleted).
        c.execute(
            f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f"coalesce((SELECT max({qn(lay.pk.column)}) FROM {qn(lay.table)}), 0))",
            [lay.table],
        )
        top = int(c.fetchone()[0])
    return list(range(top + 1, top + 1 + n))


def rows_insert(objs: Sequence[models.Model], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Insert new instances of one model as ``bulk_create`` does (see the module); each gets
    its id (an id already set is kept)."""
    if not objs:
        return
    model = type(objs[0])
    conn = connections[using]
    lay = _layout(model, conn)
    if not lay.fast or conn.vendor not in ("postgresql", "sqlite"):
        model._default_manager.using(using).bulk_create(objs)
        return
    pk_att = lay.pk.attname
    missing = [o for o in objs if getattr(o, pk_att) is None]
    # A few new rows on PostgreSQL (a single registration's petition, events, deadlines,
    # parties): one INSERT … RETURNING the ids, instead of reserving them (one statement) and
    # COPY (two round trips) — and without Django compiling an INSERT each time (issue 14).
    # SQLite: one row only (the order of the rows RETURNING gives there is not defined).
    returning = len(missing) == len(objs) and (
        len(objs) < COPY_MIN_ROWS if conn.vendor == "postgresql" else len(objs) == 1
    )
    if not returning:
        for o, pk in zip(missing, ids_reserve(model, len(missing), using=using), strict=True):
            setattr(o, pk_att, pk)
    relations = lay.relations
    pre_save = lay.pre_save
    pairs = list(zip(lay.fields, lay.converters, strict=True))
    skip = lay.pk if returning else None  # the id column: the database's default (its sequence)
    rows = []
    for o in objs:
        for f in relations:  # bulk_create's _prepare_related_fields_for_save, the common case
            if getattr(o, f.attname) is None and f.is_cached(o):
                rel = f.get_cached_value(o)
                if rel is not None:
                    setattr(o, f.attname, getattr(rel, f.target_field.attname))
        for f in pre_save:
            f.pre_save(o, True)
        rows.append([conv(getattr(o, f.attname)) for f, conv in pairs if f is not skip])
        o._state.adding = False
        o._state.db = using
    if returning:
        columns = [c for f, c in zip(lay.fields, lay.columns, strict=True) if f is not skip]
        for o, pk in zip(objs, _insert_returning(conn, lay, columns, rows), strict=True):
            setattr(o, pk_att, pk)
        return
    _write(conn, lay.table, lay.columns, rows)


def _insert_returning(
    conn: Any, lay: _Layout, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[Any]:
    """The rows in one INSERT, their new ids in the order of the rows (as Django's own
    ``bulk_create`` reads them on PostgreSQL; on SQLite, one row)."""
    qn = conn.ops.quote_name
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with conn.wrap_database_errors, conn.cursor() as c:
        c.execute(
            f"INSERT INTO {qn(lay.table)} ({', '.join(qn(x) for x in columns)}) "
            f"VALUES {', '.join([one] * len(rows))} RETURNING {qn(lay.pk.column)}",
            [v for row in rows for v in row],
        )
        return [r[0] for r in c.fetchall()]


def values_insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """Insert rows of ``model`` given as values of ``fields`` (attribute names: ``petition_id``),
    stored as the ORM stores them; the other columns take their database defaults (an omitted
    auto id its next value). For rows nobody needs as instances (a queue, a link table)."""
    conn = connections[using]
    meta = model._meta
    lay = _layout(model, conn)
    by_att = {f.attname: (f, conv) for f, conv in zip(lay.fields, lay.converters, strict=True)}
    picked = [by_att[name] for name in fields]
    prepared = [[conv(v) for (_f, conv), v in zip(picked, row, strict=True)] for row in rows]
    if prepared:
        _write(conn, meta.db_table, [f.column for f, _c in picked], prepared)


#: Up to this many rows PostgreSQL takes one ``INSERT … VALUES (…), (…)`` instead of ``COPY``:
#: a COPY waits for the server twice (its start, then its end), an INSERT once, and a single
#: registration writes one row to each queue (issue 14: three COPYs were six round trips).
COPY_MIN_ROWS = 16


def _write(conn: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    qn = conn.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    with conn.cursor() as c:
        if conn.vendor == "postgresql" and len(rows) < COPY_MIN_ROWS:
            one = "(" + ", ".join(["%s"] * len(columns)) + ")"
            c.execute(
                f"INSERT INTO {qn(table)} ({cols}) VALUES {', '.join([one] * len(rows))}",
                [v for row in rows for v in row],
            )
        elif conn.vendor == "postgresql":
            # Django's cursor has no ``copy``: the raw psycopg one's errors must be turned into
            # Django's (IntegrityError, DataError) as every other query's are (revB 2).
            with conn.wrap_database_errors, c.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            c.executemany(f"INSERT INTO {qn(table)} ({cols}) VALUES ({marks})", rows)
