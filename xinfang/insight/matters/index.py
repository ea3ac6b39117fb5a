"""The repeat index of this process (重信重访): one :class:`RepeatIndex` over every petition.

* Built lazily on first use: from the snapshot in the data folder when there is one (written by
  ``xinfang manage repeats_rebuild --save``), otherwise from the database.
* Kept current cheaply: before each query, the petitions with an id above the last one indexed
  are added (one indexed range query). If the last indexed petition is gone or has changed
  (a deleted row, a rolled-back test transaction that let the id be reused), the index is rebuilt.
* Holds ids and numbers only. Every result is filtered by the caller through the user's
  jurisdiction (``petition_queryset_for_user``) before anything is shown, and checked against
  the petition's current text (a "why" word it no longer contains drops the match).
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

from xinfang.insight.matters.repeats import RepeatIndex, _batch_grams, _norm
from xinfang.insight.pickles import old_module_names
from xinfang.petitions.models import Petition

log = logging.getLogger(__name__)

SNAPSHOT_VERSION = 1


@dataclass
class _State:
    index: RepeatIndex | None = None
    last_id: int = 0
    last_code: str = ""


_state = _State()
_lock = threading.RLock()


def snapshot_path() -> Path:
    return Path(settings.DATA_DIR) / "insight" / "repeats.pickle"


def _rows(after: int = 0):  # type: ignore[no-untyped-def]
    qs = Petition.objects.filter(pk__gt=after).order_by("pk")
    return qs.values_list("pk", "tracking_code", "title", "content")


def repeat_index_build() -> tuple[RepeatIndex, int, str]:
    """A fresh index of every petition: (index, last id, last tracking code)."""
    index = RepeatIndex()
    last = [0, ""]

    def source():  # type: ignore[no-untyped-def]
        for pk, code, title, content in _rows().iterator(chunk_size=5000):
            last[0], last[1] = pk, code
            yield str(pk), title, content

    index.rebuild(source)
    return index, int(last[0]), str(last[1])


def repeat_index_rebuild(*, save: bool = False) -> dict:
    """Rebuild this process's index from the database; with ``save``, write the snapshot that
    other processes load at start. Returns figures for the command's report."""
    started = time.perf_counter()
    index, last_id, last_code = repeat_index_build()
    built = time.perf_counter() - started
    with _lock:
        _state.index, _state.last_id, _state.last_code = index, last_id, last_code
    out = {"petitions": len(index), "seconds": round(built, 2), "bytes": index.nbytes()}
    if save:
        out["snapshot"] = _snapshot_write(index, last_id, last_code)
    return out


def _snapshot_write(index: RepeatIndex, last_id: int, last_code: str) -> str:
    path = snapshot_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".repeats-")
    with os.fdopen(fd, "wb") as f:
        pickle.dump((SNAPSHOT_VERSION, index, last_id, last_code), f, protocol=5)
    os.replace(tmp, path)
    return str(path)


def repeat_index_save() -> dict:
    """Bring this process's index up to date (loading the snapshot or building it the first
    time) and write the snapshot that the web processes load: the worker's task, so that
    several web processes never build the index each."""
    started = time.perf_counter()
    with _lock:
        index = repeat_index(wait=True)
        assert index is not None
        path = _snapshot_write(index, _state.last_id, _state.last_code)
        return {
            "petitions": len(index),
            "seconds": round(time.perf_counter() - started, 2),
            "snapshot": path,
        }


def _load_snapshot() -> bool:
    path = snapshot_path()
    if not path.exists():
        return False
    try:
        with path.open("rb") as f:
            # The data folder is the application's own (it also holds the keys).
            with old_module_names():  # a snapshot saved before insight had sub-packages
                version, index, last_id, last_code = pickle.load(f)
    except Exception:  # a damaged or old snapshot: rebuild from the database instead
        log.warning("repeat index snapshot %s unreadable; rebuilding", path, exc_info=True)
        return False
    if version != SNAPSHOT_VERSION or not isinstance(index, RepeatIndex):
        return False
    _state.index, _state.last_id, _state.last_code = index, int(last_id), str(last_code)
    return True


def repeat_index_reset() -> None:
    """Forget the index (tests; a changed snapshot). The next use loads or builds it again."""
    with _lock:
        _state.index, _state.last_id, _state.last_code = None, 0, ""


#: Up to this many petitions (by the highest id) the first use builds the index at once (a few
#: seconds); above it, a background thread builds it (minutes at 10^6: bench/insight/RESULTS.md)
#: and queries find nothing until it is ready, instead of holding a page for minutes.
INLINE_BUILD_MAX = 50_000
#: None: this process builds a large index itself, in a background thread. The web processes of
#: ``xinfang serve`` (gunicorn) set a function that asks the worker to build it and write the
#: snapshot instead (``xinfang.ops.server``), so several web processes never build one each.
build_elsewhere: Callable[[], object] | None = None
_builder: threading.Thread | None = None


def _build_in_background() -> None:
    global _builder
    from django.db import connections

    def run() -> None:
        global _builder
        try:
            built = repeat_index_build()
            with _lock:
                if _state.index is None:
                    _state.index, _state.last_id, _state.last_code = built
        except Exception:
            log.exception("repeat index: background build failed; the next query retries")
        finally:
            connections.close_all()
            with _lock:
                _builder = None

    with _lock:
        if _builder is None:
            _builder = threading.Thread(target=run, name="xinfang-repeat-index", daemon=True)
            _builder.start()


def repeat_index_warm() -> None:
    """Load the snapshot, or start building the index in the background (server start)."""
    if not repeat_index_ready():
        _build_in_background()


def repeat_index_ready() -> bool:
    """Whether this process's index is loaded (False while a large one is being built)."""
    with _lock:
        return _state.index is not None or _load_snapshot()


def repeat_index(*, wait: bool = True) -> RepeatIndex | None:
    """The index, current with the database: petitions registered since the last call added.

    Not loaded yet: a small database is indexed at once; a large one in a background thread,
    and until then this returns None unless ``wait`` (commands, tests)."""
    with _lock:
        if _state.index is None and not _load_snapshot():
            top = Petition.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            if top > INLINE_BUILD_MAX and not wait:
                if build_elsewhere is None:
                    _build_in_background()
                else:
                    try:
                        build_elsewhere()
                    except Exception:  # a page never fails for this; the hourly tick asks too
                        log.warning("repeat index: could not ask for a snapshot", exc_info=True)
                return None
            _state.index, _state.last_id, _state.last_code = repeat_index_build()
        assert _state.index is not None
        if _state.last_id:
            rows = list(_rows(_state.last_id - 1)[:10001])
            if not rows or rows[0][0] != _state.last_id or rows[0][1] != _state.last_code:
                _state.index, _state.last_id, _state.last_code = repeat_index_build()
                return _state.index
            rows = rows[1:]
        else:
            rows = list(_rows(0)[:10000])
        while rows:
            _state.index.add_many((str(pk), t, c) for pk, _, t, c in rows)
            _state.last_id, _state.last_code = rows[-1][0], rows[-1][1]
            rows = list(_rows(_state.last_id)[:10000]) if len(rows) >= 10000 else []
        return _state.index


@dataclass(frozen=True)
class RepeatHit:
    """An earlier petition that may be about the same matter (no text, no names)."""

    petition_id: int
    score: float
    why: tuple[str, ...]


def repeat_hits(
    *, title: str, body: str, k: int = 50, min_score: float = 0.0, exclude: int | None = None
) -> list[RepeatHit]:
    """Raw hits from the index (not yet filtered by any user's jurisdiction: callers must)."""
    if len(_norm(title, body)) < 3:
        return []
    index = repeat_index(wait=False)
    if index is None:  # a large index is being built in the background: nothing yet
        return []
    with _lock:
        if exclude is not None and str(exclude) in index:
            found = _query_as_new(index, str(exclude), title, body, k + 1, min_score)
        else:
            found = index.query(title, body, k=k + 1, min_score=min_score)
    return [RepeatHit(int(pid), score, why) for pid, score, why in found][:k]


def _query_as_new(
    index: RepeatIndex, pid: str, title: str, body: str, k: int, min_score: float
) -> list[tuple[str, float, tuple[str, ...]]]:
    """Query with an indexed petition's text as if it were not indexed yet (how the index is
    meant to be asked): its own grams are taken out of the document frequencies for the query,
    otherwise the words only it contains look like its most distinctive ones and every earlier
    petition scores about half. Restored exactly afterwards; callers hold the lock."""
    _, keys = _batch_grams([_norm(title, body)])
    buckets = index._bucket(keys)
    np.subtract.at(index._df, buckets, 1)
    index._n_df -= 1
    try:
        return index.query(title, body, k=k, min_score=min_score, exclude=pid)
    finally:
        np.add.at(index._df, buckets, 1)
        index._n_df += 1


def still_matches(hit: RepeatHit, title: str, content: str) -> bool:
    """Does the petition's current text still contain what the index says it shares?"""
    if not hit.why:
        return True
    text = _norm(title, content)
    return any(w.rstrip("…")[:3] in text for w in hit.why)
