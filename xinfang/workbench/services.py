"""Writes of the workbench: saved filters and the search index."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import urlencode

from django.db import connection, transaction
from django.http import QueryDict
from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.core.errors import ApplicationError, NotFound
from xinfang.core.rows import values_insert
from xinfang.directory.models import User
from xinfang.petitions.models import Petition
from xinfang.workbench.models import SavedFilter, SearchPending
from xinfang.workbench.text import terms_of_text
from xinfang.workbench.words import words_write

#: The worklist parameters a saved filter keeps (anything else, e.g. a cursor, is dropped).
FILTER_KEYS = ("state", "category", "channel", "region", "due", "flag")
MAX_SAVED_FILTERS = 30


def saved_filter_query(query: str) -> str:
    """The canonical query string of a filter: known keys with values, in a fixed order."""
    q = QueryDict(query.lstrip("?"))
    return urlencode([(k, q[k].strip()) for k in FILTER_KEYS if q.get(k, "").strip()])


def saved_filter_create(*, user: User, name: str, query: str) -> SavedFilter:
    name = name.strip()
    clean = saved_filter_query(query)
    fields: dict[str, list[str]] = {}
    if not name:
        fields["name"] = [gettext("请填写名称")]
    elif len(name) > 50:
        fields["name"] = [gettext("名称不能超过 50 个字")]
    if not clean:
        fields["query"] = [gettext("请先选择至少一个筛选条件")]
    if fields:
        raise ApplicationError(gettext("常用筛选未保存"), fields=fields)
    if SavedFilter.objects.filter(user=user).count() >= MAX_SAVED_FILTERS:
        raise ApplicationError(
            gettext("常用筛选最多保存 %(n)s 个，请先删除不用的") % {"n": MAX_SAVED_FILTERS}
        )
    return SavedFilter.objects.create(user=user, name=name, query=clean, created_at=clock.now())


def saved_filter_delete(*, user: User, filter_id: int) -> None:
    """Delete one of the user's own filters; another user's is NotFound, like a missing one."""
    deleted, _ = SavedFilter.objects.filter(user=user, pk=filter_id).delete()
    if not deleted:
        raise NotFound(gettext("未找到该常用筛选"))


def search_enqueue(*, petition_ids: Sequence[int]) -> None:
    """Queue petitions for the index, in the caller's transaction: one row each. Registration
    does it through ``indexer.search_queue_registered``, which also asks the worker to index."""
    if not petition_ids:
        return
    values_insert(SearchPending, ["petition_id"], [(i,) for i in petition_ids])  # COPY on PG


def search_index_petitions(*, petitions: Sequence[Petition]) -> None:
    """(Re)write the search words of ``petitions`` (title and content), in one transaction:
    one ``tsvector`` row each on PostgreSQL, a row per word on SQLite (``workbench.words``)."""
    if not petitions:
        return
    with transaction.atomic(savepoint=False):
        words_write(words={p.pk: terms_of_text(f"{p.title}\n{p.content}") for p in petitions})


def search_index_pending(*, batch: int = 500, limit: int | None = None) -> int:
    """Index queued petitions, ``batch`` per transaction, until the queue is empty (or
    ``limit`` are done); returns how many were indexed. Several indexers may run at once: on
    PostgreSQL each takes rows the others have not locked; SQLite serialises writers."""
    done = 0
    while limit is None or done < limit:
        n = batch if limit is None else min(batch, limit - done)
        with transaction.atomic():
            queued = SearchPending.objects.order_by("petition_id")
            if connection.features.has_select_for_update_skip_locked:
                queued = queued.select_for_update(skip_locked=True)
            ids = list(queued.values_list("petition_id", flat=True)[:n])
            if not ids:
                break
            search_index_petitions(
                petitions=list(Petition.objects.filter(id__in=ids).only("id", "title", "content"))
            )
            SearchPending.objects.filter(petition_id__in=ids).delete()
        done += len(ids)
    return done


def search_reindex(*, batch: int = 2000, petitions: Iterable[Petition] | None = None) -> int:
    """Rebuild the whole index (or that of ``petitions``); returns how many were indexed.
    A queued petition indexed here leaves the queue."""
    if petitions is None:
        petitions = Petition.objects.only("id", "title", "content").order_by("id").iterator(batch)
    done, chunk = 0, []

    def flush() -> None:
        with transaction.atomic():
            search_index_petitions(petitions=chunk)
            SearchPending.objects.filter(petition_id__in=[p.pk for p in chunk]).delete()

    for p in petitions:
        chunk.append(p)
        if len(chunk) >= batch:
            flush()
            done, chunk = done + len(chunk), []
    if chunk:
        flush()
    return done + len(chunk)


def search_identity_record(*, user: User, by: str, found: Sequence[Petition]) -> None:
    """Record a search by a party's name or phone in the audit trail (who, how, which
    petitions; not the name or number searched for)."""
    from xinfang.audit.services import audit_record

    audit_record(
        kind="identity.search",
        actor=user,
        object_type="petition",
        data={"by": by, "petition_ids": [p.pk for p in found]},
    )
