"""The search indexer: registration queues each new petition (``SearchPending``) in its own
transaction, and a background task of ``xinfang worker`` cuts the queued texts into words.

Registration only queues (``search_queue_registered``, a hook of petitions) and enqueues one
drain task (``workbench.tasks.search_index_drain``) if none is waiting yet, in the same
transaction; the worker runs it after the commit. Several web processes therefore never run
several indexers (ADR 0011). Search finds queued petitions by their text meanwhile
(``selectors._matching_all``), so nothing depends on how soon this runs; if the worker is down,
``xinfang tick`` drains the queue too (``workbench.jobs``). With the setting
``XINFANG_SEARCH_INDEXER`` off (tests) nothing is enqueued, and ``xinfang manage search_index``
drains the queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings


def search_queue_registered(*, petitions: Sequence[Any]) -> None:
    """Hook of the registration services (``petitions.extensions.on_registered``): queue the
    new petitions in the registration's transaction, and ask the worker to index them."""
    from xinfang.core.tasks import task_enqueue_once
    from xinfang.workbench.services import search_enqueue
    from xinfang.workbench.tasks import search_index_drain

    search_enqueue(petition_ids=[p.pk for p in petitions])
    if petitions and getattr(settings, "XINFANG_SEARCH_INDEXER", False):
        task_enqueue_once(search_index_drain)
