"""The search indexer: a thread of the server process that drains the queue of new petitions
(``SearchPending``) after each registration commits.

Registration only queues a petition (``search_queue_registered``, a hook of petitions); cutting its text into words
happens here, outside the registration's transaction. Search finds queued petitions by their
text meanwhile (``selectors._matching_all``), so nothing depends on how soon this runs. With the
setting ``XINFANG_SEARCH_INDEXER`` off (tests, or a deployment that prefers a separate process),
``xinfang manage search_index`` drains the queue instead.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connections, transaction

log = logging.getLogger(__name__)

_lock = threading.Lock()
_wanted = threading.Event()
_thread: threading.Thread | None = None


def wake() -> None:
    """Ask the indexer to drain the queue soon (starting its thread the first time)."""
    global _thread
    if not getattr(settings, "XINFANG_SEARCH_INDEXER", False):
        return
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_run, name="xinfang-search-indexer", daemon=True)
            _thread.start()
    _wanted.set()


def search_queue_registered(*, petitions: Sequence[Any]) -> None:
    """Hook of the registration services (``petitions.extensions.on_registered``): queue the
    new petitions in the registration's transaction, and wake the indexer once it commits."""
    from xinfang.workbench.services import search_enqueue

    search_enqueue(petition_ids=[p.pk for p in petitions])
    transaction.on_commit(wake)


def drain_once() -> int:
    """One pass over the queue in this thread; returns how many petitions were indexed."""
    from xinfang.workbench.services import search_index_pending

    try:
        return search_index_pending()
    finally:
        connections.close_all()  # this thread's connections, not the request threads'


def _run() -> None:
    while True:
        _wanted.wait()
        _wanted.clear()
        try:
            drain_once()
        except Exception:  # a failed pass leaves the rows queued; try again a little later
            log.exception("search indexer: pass failed; the queue is kept, retrying in 10 s")
            time.sleep(10)
            _wanted.set()
