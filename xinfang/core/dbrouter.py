"""Reads from a replica where a page asks for it, with bounded staleness (ADR 0015).

* :class:`ReplicaRouter` sends a read to the replica alias (``XINFANG_READ_REPLICA``, set
  when ``XINFANG_REPLICA_DATABASE_URL`` is) only inside :func:`replica_reads` (analytics
  dashboards, search, exports), never inside a transaction on the primary (a service reads
  what it is about to write there), and never for a user who wrote in the last
  ``XINFANG_READ_YOUR_WRITES_SECONDS``: they read their own writes from the primary.
* :class:`ReadYourWritesMiddleware` sets a signed cookie on every successful unsafe request
  and pins the next requests of that browser to the primary while the cookie is younger than
  the window (the signature carries its time; nothing is stored on the server).
* :func:`replica_notice` (a context processor) tells a page built from the replica how old
  its figures may be: the standby's replay lag, or ``XINFANG_REPLICA_MAX_LAG_SECONDS`` when it
  cannot be read.

Writes always go to ``default``. Without a replica every function here is a no-op.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable, Iterator
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, connections

log = logging.getLogger(__name__)

COOKIE = "xf_wrote"
_SALT = "xinfang.core.dbrouter.wrote"
_replica_ok: ContextVar[bool] = ContextVar("xinfang_replica_reads", default=False)
_pinned: ContextVar[bool] = ContextVar("xinfang_pinned_to_primary", default=False)


def replica_alias() -> str:
    """The replica's alias, or "" when none is configured."""
    alias = getattr(settings, "XINFANG_READ_REPLICA", "")
    return alias if alias and alias in settings.DATABASES else ""


def reading_from_replica() -> str:
    """The alias reads go to here and now: the replica's, or "" (the primary)."""
    alias = replica_alias()
    if not alias or not _replica_ok.get() or _pinned.get():
        return ""
    if connections["default"].in_atomic_block:
        return ""  # a transaction on the primary reads what it writes there
    return alias


class ReplicaRouter:
    def db_for_read(self, model, **hints):  # type: ignore[no-untyped-def]
        return reading_from_replica() or None

    def db_for_write(self, model, **hints):  # type: ignore[no-untyped-def]
        return "default"

    def allow_relation(self, obj1, obj2, **hints):  # type: ignore[no-untyped-def]
        return True  # the replica holds the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):  # type: ignore[no-untyped-def]
        return None if db == "default" else False  # a standby is migrated by replication


@contextlib.contextmanager
def replica_reads() -> Iterator[None]:
    """Reads in the block may come from the replica (unless pinned to the primary)."""
    token = _replica_ok.set(True)
    try:
        yield
    finally:
        _replica_ok.reset(token)


@contextlib.contextmanager
def primary_reads() -> Iterator[None]:
    """Every read in the block comes from the primary (a user's own recent writes)."""
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


def reads_from_replica(view: Callable) -> Callable:
    """A view whose figures may come from the replica; the page says how old they may be."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):  # type: ignore[no-untyped-def]
        request.xinfang_reads_only = True  # no "wrote" cookie for a search form's POST
        with replica_reads():
            request.xinfang_replica = reading_from_replica()
            return view(request, *args, **kwargs)

    return wrapped


def wrote_recently(request) -> bool:  # type: ignore[no-untyped-def]
    window = settings.XINFANG_READ_YOUR_WRITES_SECONDS
    stamp = request.get_signed_cookie(COOKIE, default=None, salt=_SALT, max_age=window)
    return stamp is not None


class ReadYourWritesMiddleware:
    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request):  # type: ignore[no-untyped-def]
        if not replica_alias():
            return self.get_response(request)
        pin = wrote_recently(request)
        token = _pinned.set(pin)
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(token)
        unsafe = request.method not in ("GET", "HEAD", "OPTIONS", "TRACE")
        if (
            unsafe
            and response.status_code < 400
            and not getattr(request, "xinfang_reads_only", False)
        ):
            response.set_signed_cookie(
                COOKIE,
                "1",
                salt=_SALT,
                max_age=settings.XINFANG_READ_YOUR_WRITES_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response


_LAG_SQL = (
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0"
    " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    " ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END"
)


def replica_lag_seconds(alias: str) -> float | None:
    """How far the replica's figures may lag the primary's: 0 when it has replayed all it
    received (or is not a standby at all), else the age of its last replayed transaction;
    None when it cannot be read."""
    conn = connections[alias]
    if conn.vendor != "postgresql":
        return 0.0  # SQLite: one file, no standby
    try:
        with conn.cursor() as c:
            c.execute(_LAG_SQL)
            row = c.fetchone()
    except DatabaseError:
        log.warning("replica lag unreadable", exc_info=True)
        return None
    return None if row is None or row[0] is None else max(0.0, float(row[0]))


def replica_notice(request) -> dict:  # type: ignore[no-untyped-def]
    """Template context: ``replica_lag`` (whole seconds, the configured bound when unknown)
    on a page whose reads came from the replica; nothing otherwise."""
    alias = getattr(request, "xinfang_replica", "")
    if not alias:
        return {}
    lag = replica_lag_seconds(alias)
    bound = settings.XINFANG_REPLICA_MAX_LAG_SECONDS
    return {
        "replica_lag": round(lag) if lag is not None else bound,
        "replica_lag_known": lag is not None,
    }
