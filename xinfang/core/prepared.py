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


class _Arg(str):
    """A stand-in for the n-th (text) argument of a prepared query while Django compiles it: a
    string, so a text field passes it on unchanged, recognised by its type afterwards."""

    n: int

    def __new__(cls, n: int) -> _Arg:
        arg = super().__new__(cls, f"\x00argument {n}\x00")
        arg.n = n
        return arg


@dataclass(frozen=True)
class _PreparedArgs:
    sql: str
    compiler: Any
    converters: dict[int, Any]
    #: each parameter of the SQL: the index of the caller's argument, or (None, a constant)
    params: tuple[tuple[int | None, Any], ...]


def rows_by_args(
    key: str, build: Callable[..., QuerySet[Any, Any]], *args: Any
) -> list[tuple[Any, ...]]:
    """The rows of ``build(*args)`` (a ``values_list`` query), on the default database, compiled
    once per ``key`` and connection: Django compiles ``build`` with stand-ins for the arguments,
    and each later call sends the same SQL with the arguments in their places and the query's
    own constants (``revoked=False``) as compiled. The arguments are strings that must reach
    the SQL as they are (compared with a text column; not a ``__contains`` pattern, which
    Django rewrites): a query whose parameters are not the stand-ins themselves runs through
    the ORM each time. For the lookups of every request (the API token)."""
    conn = connections[DEFAULT_DB_ALIAS]
    cache: dict[tuple[str, int], Any] | None = getattr(conn, _ATTR, None)
    if cache is None:
        cache = {}
        setattr(conn, _ATTR, cache)
    ck = (f"args:{key}", len(args))
    if ck not in cache:
        cache[ck] = _prepare_args(build, len(args), conn)
    prep: _PreparedArgs | None = cache[ck]
    if prep is None:
        return [tuple(r) for r in build(*args).using(DEFAULT_DB_ALIAS)]
    params = [args[i] if i is not None else const for i, const in prep.params]
    with conn.cursor() as c:
        c.execute(prep.sql, params)
        rows: Any = c.fetchall()
    if prep.converters:
        rows = prep.compiler.apply_converters(rows, prep.converters)
    return [tuple(r) for r in rows]


def _prepare_args(
    build: Callable[..., QuerySet[Any, Any]], n: int, conn: Any
) -> _PreparedArgs | None:
    stand_ins = [_Arg(i) for i in range(n)]
    try:
        compiler = build(*stand_ins).query.get_compiler(connection=conn)
        sql, params = compiler.as_sql()
    except (TypeError, ValueError):  # a lookup that converts its value: not preparable
        return None
    layout: list[tuple[int | None, Any]] = []
    seen = set()
    for p in params:
        if type(p) is _Arg:
            layout.append((p.n, None))
            seen.add(p.n)
        elif any(type(x) is _Arg for x in (p if isinstance(p, list | tuple) else ())):
            return None  # an argument inside a list (``__in``): not handled here
        else:
            layout.append((None, p))
    if seen != set(range(n)):
        return None  # an argument was rewritten on its way into the SQL
    fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
    return _PreparedArgs(sql, compiler, compiler.get_converters(fields), tuple(layout))
