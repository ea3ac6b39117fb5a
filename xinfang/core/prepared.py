"""ORM queries compiled once, for the hot paths that run the same query at every step.

Building a ``values_list`` query costs Django more CPU than the database spends answering it
when a petition has a handful of rows: the seal (``petitions/seal.py``) reads six tables at
every step, and half of its time was Django compiling those six queries again (bench/README.md,
"What the seal costs"). :func:`values_by_ids` compiles a query once per connection, key and
number of ids, then runs the same SQL with the new ids and applies the same converters as the
ORM would (decryption of encrypted fields, datetimes, JSON): the rows are exactly those of
``list(build(ids))``, which the tests check.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

#: Compiled once for up to this many ids (the single steps); larger lists (a batch's chunk of
#: 500) are compiled each time: then Django's compiling is a small part of the query.
CACHE_MAX_IDS = 16
_ATTR = "_xinfang_prepared"  # on the connection: gone with it, one cache per thread


@dataclass(frozen=True)
class _Prepared:
    sql: str
    compiler: Any
    converters: dict[int, Any]


def values_by_ids(
    key: str, build: Callable[[list[int]], QuerySet[Any, Any]], ids: Sequence[int]
) -> list[tuple[Any, ...]]:
    """The rows of ``build(ids)`` (a ``values_list`` query whose only parameters are ``ids``,
    in order), on the default database, compiled once per ``key`` and ``len(ids)``."""
    ids = [int(i) for i in ids]
    conn = connections[DEFAULT_DB_ALIAS]
    cache: dict[tuple[str, int], _Prepared | None] | None = getattr(conn, _ATTR, None)
    if cache is None:
        cache = {}
        setattr(conn, _ATTR, cache)
    n = len(ids)
    if (key, n) in cache:
        prep = cache[(key, n)]
    else:
        prep = _prepare(build, n, conn)
        if n <= CACHE_MAX_IDS:
            cache[(key, n)] = prep
    if prep is None:  # a query whose parameters are not just the ids: the ORM each time
        return list(build(ids).using(DEFAULT_DB_ALIAS))
    with conn.cursor() as c:
        c.execute(prep.sql, ids)
        rows: Any = c.fetchall()
    if prep.converters:
        rows = prep.compiler.apply_converters(rows, prep.converters)
    return [tuple(r) for r in rows]


def _prepare(
    build: Callable[[list[int]], QuerySet[Any, Any]], n: int, conn: Any
) -> _Prepared | None:
    marks = list(range(-1, -n - 1, -1))  # ids no row has: recognisable among the parameters
    compiler = build(marks).query.get_compiler(connection=conn)
    sql, params = compiler.as_sql()
    if list(params) != marks:
        return None
    fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
    return _Prepared(sql, compiler, compiler.get_converters(fields))
