"""Hot issues computed ahead of their readers (issue 14: the first view of a reader clustered
every petition of the period, 2.6 s to 2 minutes at 10^5; the 5-minute precomputation covered
only readers already active; at 10^6 the worker took 1,264 s for 149 scopes, and 118 s when
nothing had changed).

A reader's hot issues depend only on the petitions the reader's gate lets through, and that set
is the same for every user of one *scope*: the user's organ, the gate that reads (the case gate
for roles that read petitions, else the statistics gate: ``rows._petitions``), and, for a staff
member an accusation names, the member (those petitions are left out for that member alone,
Art. 30 para 3, Art. 46(5)). The worker (``hot_snapshots_refresh``, enqueued by the tick every
5 minutes) keeps the default window of every scope a reader may ask (every active user who may
open the page or take the policy-matter hints) and each other window someone asked for in the
last week:

* a scope nothing touched since its last look costs nothing (``marks``: the last petition and
  event ids seen); one a change may touch reads the ids of its window (one query) and is
  grouped again only if they differ, or the day did;
* scopes whose windows hold the same petitions are grouped once, and a body's n-grams are cut
  once for every scope and kept by the worker's process for the next runs (``rows.RowBank``,
  ``vectors.HashedBodies``);
* a run spends at most ``XINFANG_HOT_REFRESH_SECONDS`` of CPU grouping changed scopes, the least
  recently computed first; the rest keep their last result (its time shown) until a later run.
  A window a reader waits on is grouped first, and one with nothing to show (new, or forgotten
  because a petition now accuses its readers) is never put off.

The page only reads the snapshot and says when it was computed. A window never computed yet is
filled at once when another scope's snapshot of today holds exactly the same petitions, or when
it holds few enough to group within the page's time (``INLINE_MAX``); otherwise the worker is
woken and the page says so: no reader waits for a large clustering.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from xinfang.core import clock
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap, user_can, user_roles_prime
from xinfang.insight.hot.marks import Changes, watermark
from xinfang.insight.hot.rows import (
    DEFAULT_WEEKS,
    HotRow,
    RowBank,
    _window,
    hot_rows_of,
    window_count,
    window_ids,
)
from xinfang.insight.hot.vectors import HashedBodies
from xinfang.insight.models import HotSnapshot
from xinfang.petitions.models import Petition

#: A window other than the default is kept computed this long after it was last asked for.
ASKED_KEEP = timedelta(days=7)
#: How often the tick wakes the worker (``insight.jobs.hot_precompute``).
REFRESH_EVERY = timedelta(minutes=5)
#: The bodies' cut n-grams, kept by the worker's process from run to run (a petition's text
#: never changes; most of a scope's petitions are the same five minutes later): ≈ 80 MB at most.
_BODIES = HashedBodies(max_nnz=10_000_000)
#: A window of at most this many petitions is grouped on the page itself when no snapshot has
#: it yet (≈ 0.1 s; bench/README.md): a new reader of a small scope never waits. 0: never.
INLINE_MAX = 200
#: How long the page may read a missing window's petitions before leaving it to the worker.
FILL_QUERY_MS = 150
#: A snapshot the worker has not computed or confirmed for two periods is read as absent
#: ("being computed"): a stopped worker must not leave a scope's clusters shown for ever, nor a
#: petition that has since become an accusation against the reader (Art. 30 para 3).
FRESH_FOR = 2 * REFRESH_EVERY


def hot_scope(user: User, named: set[int] | None = None) -> str:
    """The scope of ``user``'s hot issues: users of one scope see the same petitions.
    ``named``: the ids of the staff some accusation names, if the caller has them."""
    kind = (
        "case"
        if user_can(user, Cap.VIEW_PETITIONS)
        else "stats"
        if user_can(user, Cap.VIEW_DEIDENTIFIED)
        else "none"
    )
    if named is None:
        is_named = Petition.accused_staff.through.objects.filter(user_id=user.pk).exists()
    else:
        is_named = user.pk in named
    return f"{kind}:{user.organ_id or 0}:{user.pk if is_named else 0}"


def _reader(user: User) -> bool:
    """Whether ``user`` may ask for hot issues: the page, or the policy-matter hints."""
    return user_can(user, Cap.VIEW_HOT_ISSUES) or (
        user_can(user, Cap.PREVENTION_RECORD) and user_can(user, Cap.VIEW_PETITIONS)
    )


def snapshot_rows(rows: list[dict[str, Any]]) -> list[HotRow]:
    """A snapshot's stored rows as ``HotRow``."""
    return [
        HotRow(**{k: tuple(v) if isinstance(v, list) else v for k, v in r.items()}) for r in rows
    ]


def _fresh(snap: HotSnapshot | None, now: datetime) -> bool:
    return (
        snap is not None
        and snap.computed_at is not None
        and snap.checked_at is not None
        and snap.checked_at >= now - FRESH_FOR
    )


def hot_snapshot_read(*, user: User, weeks: int, now: datetime) -> HotSnapshot:
    """The last snapshot of ``user``'s scope and window (``rows`` as ``HotRow``); when there
    is none yet, filled at once if that is cheap (``_fill``), else the empty one that asks for it
    (``computed_at`` None: the caller wakes the worker)."""
    scope = hot_scope(user)
    snap = HotSnapshot.objects.filter(scope=scope, weeks=weeks).defer("ids").first()
    if snap is None:
        snap, _ = HotSnapshot.objects.get_or_create(
            scope=scope, weeks=weeks, defaults={"asked_at": now}
        )
    elif snap.asked_at is None or snap.asked_at < now - timedelta(hours=1):
        HotSnapshot.objects.filter(pk=snap.pk).update(asked_at=now)  # kept fresh while asked
    if not _fresh(snap, now):
        snap.computed_at, snap.rows, snap.petitions = None, [], 0  # too old: as if absent
        _fill(snap, user, weeks, now)
    snap.rows = snapshot_rows(snap.rows or [])
    return snap


def _digest(ids: Sequence[int]) -> str:
    return hashlib.sha256(",".join(map(str, sorted(ids))).encode()).hexdigest()[:40]


@contextmanager
def _bounded(ms: int) -> Iterator[None]:
    """Queries inside stop after ``ms`` milliseconds on PostgreSQL (OperationalError), then the
    previous limit again: the page never waits long on a window it reads for itself (a reader
    of an organ that holds few petitions is read by a scan: ≈ 1 s at 10^6)."""
    with transaction.atomic():
        if connection.vendor != "postgresql":
            yield
            return
        with connection.cursor() as c:
            c.execute("SHOW statement_timeout")
            before = c.fetchone()[0]
            c.execute("SELECT set_config('statement_timeout', %s, true)", [f"{int(ms)}ms"])
        yield
        with connection.cursor() as c:
            c.execute("SELECT set_config('statement_timeout', %s, true)", [before])


def _fill(snap: HotSnapshot, user: User, weeks: int, now: datetime) -> None:
    """Fill a snapshot no one computed yet (a new reader's scope, a window not asked before)
    when that is cheap: another scope's snapshot of today grouped exactly the same petitions
    (the issues are a function of the petitions alone: ``rows.hot_rows_of``), or the window
    holds at most ``INLINE_MAX`` petitions. The window's ids are read through ``user``'s gate
    first, so nothing reaches a scope that may not see it."""
    local = timezone.localtime(now)
    mark = watermark()  # before the window: a change after it is seen by the next run
    try:
        with _bounded(FILL_QUERY_MS):
            ids = window_ids(user=user, weeks=weeks, now=local)
            n = window_count(user=user, weeks=weeks, now=local, ids=ids)
    except OperationalError as e:
        if getattr(e.__cause__, "sqlstate", None) != "57014":  # query_canceled: the bound
            raise  # a lost connection or a deadlock is an error, not "being computed" (revA #8)
        return  # a window the page cannot read at once: the worker's
    fp = f"{local.date().isoformat()}:{_digest(ids)}"
    same = (
        HotSnapshot.objects.filter(
            fingerprint=fp,
            computed_at__isnull=False,
            checked_at__gte=now - FRESH_FOR,
        )
        .exclude(pk=snap.pk)
        .only("rows", "computed_at", "mark")
        .first()
    )
    if same is not None:
        rows, computed_at, mark = same.rows, same.computed_at, same.mark
    elif INLINE_MAX and len(ids) <= INLINE_MAX:
        rows = [asdict(r) for r in hot_rows_of(ids=ids, weeks=weeks, now=local)]
        computed_at = clock.now()
    else:
        return
    if HotSnapshot.objects.filter(pk=snap.pk, mark=snap.mark).update(
        computed_at=computed_at,
        checked_at=now,
        fingerprint=fp,
        mark=mark,
        petitions=n,
        rows=rows,
        ids=ids,
    ):  # fmt: skip  (not if a forget came in between: then still "being computed")
        snap.computed_at, snap.checked_at, snap.petitions, snap.rows = computed_at, now, n, rows


def hot_snapshots_forget(*, organ_ids: Sequence[int] = (), user_ids: Sequence[int] = ()) -> int:
    """Forget the snapshots of the scopes of ``organ_ids`` and of ``user_ids`` (a petition now
    accuses them: what was computed for them may hold it). Their readers see "being computed"
    (or a small window grouped at once) until the worker runs again; the windows asked stay
    asked."""
    q = Q(pk__in=[])
    for organ_id in organ_ids:
        q |= Q(scope__contains=f":{int(organ_id)}:")
    for user_id in user_ids:
        q |= Q(scope__endswith=f":{int(user_id)}")
    return HotSnapshot.objects.filter(q).update(
        computed_at=None,
        checked_at=None,
        fingerprint="",
        mark=f"forgotten {uuid.uuid4().hex}",  # a grouping under way does not write over it
        rows=[],
        ids=[],
        petitions=0,
    )


def _next(
    todo: dict[tuple[str, int], Any], readers: dict[str, User], now: datetime
) -> tuple[str, int]:
    """The window to group next: one a reader asked for and is waiting on (never computed, or
    forgotten), the first asked first, including one asked while this run was under way (each
    clustering is bounded by ``MAX_PETITIONS``, so such a reader waits for at most the one
    under way, not for every scope's recomputation); then the rest in the order given."""
    waiting = (
        HotSnapshot.objects.filter(computed_at__isnull=True, asked_at__gte=now - ASKED_KEEP)
        .order_by("asked_at", "pk")
        .values_list("scope", "weeks")
    )
    for key in waiting:
        if key[0] in readers:
            todo.setdefault(key, None)  # asked after this run began: taken in it
            return key
    return next(iter(todo))


def _unchanged(
    snap: HotSnapshot | None, day: str, mark: str, changes: Changes, window: Callable[[], Any]
) -> bool:
    """Whether nothing since the snapshot's mark can have changed its window (no query when its
    mark is the current one; else the changed petitions against its ids and its window)."""
    if snap is None or snap.computed_at is None or not snap.mark:
        return False
    if not snap.fingerprint.startswith(f"{day}:"):
        return False  # another day: the window moved, growth and weeks with it
    if snap.mark == mark:
        return True
    changed = changes.since(snap.mark)
    if changed is None:
        return False
    if not changed:
        return True
    if changed & set(snap.ids or ()):
        return False
    return not window().filter(pk__in=sorted(changed)).exists()


def hot_snapshots_refresh(
    *, now: datetime | None = None, budget: float | None = None
) -> dict[str, Any]:
    """Bring every scope's default window and each window asked for in the last week up to
    date (see the module's text); forget the rest. Idempotent. ``budget``: CPU seconds of
    grouping in this run (default ``XINFANG_HOT_REFRESH_SECONDS``; 0: no limit)."""
    now = now or clock.now()
    cpu0 = time.process_time()
    budget = settings.XINFANG_HOT_REFRESH_SECONDS if budget is None else budget
    local = timezone.localtime(now)
    day = local.date().isoformat()
    mark = watermark()  # first: a change made during the run is seen by the next one
    named = set(Petition.accused_staff.through.objects.values_list("user_id", flat=True))
    readers: dict[str, User] = {}
    users = list(
        User.objects.filter(is_active=True, organ__isnull=False)
        .select_related("organ")
        .order_by("pk")
    )
    user_roles_prime(users)  # one query, not one a user
    for user in users:
        if _reader(user):
            readers.setdefault(hot_scope(user, named), user)
    wanted = {(scope, DEFAULT_WEEKS) for scope in readers}
    for scope, weeks in HotSnapshot.objects.filter(asked_at__gte=now - ASKED_KEEP).values_list(
        "scope", "weeks"
    ):
        if scope in readers:
            wanted.add((scope, weeks))
    old = {(s.scope, s.weeks): s for s in HotSnapshot.objects.defer("rows")}
    stale = [s.pk for key, s in old.items() if key not in wanted]
    HotSnapshot.objects.filter(pk__in=stale).delete()
    changes = Changes(mark)
    unchanged: list[int] = []
    due: list[tuple[str, int]] = []
    read = 0
    for key in sorted(wanted):
        scope, weeks = key
        snap = old.get(key)
        user = readers[scope]
        if _unchanged(snap, day, mark, changes, lambda: _window(user, weeks, local)):  # noqa: B023
            unchanged.append(snap.pk)  # type: ignore[union-attr]
            continue
        ids = window_ids(user=user, weeks=weeks, now=local)
        read += 1
        fp = f"{day}:{_digest(ids)}"
        if snap is not None and snap.computed_at is not None and snap.fingerprint == fp:
            unchanged.append(snap.pk)  # the same petitions: still right as of now
            continue
        due.append(key)
    HotSnapshot.objects.filter(pk__in=unchanged).update(checked_at=clock.now(), mark=mark)

    def age(key: tuple[str, int]) -> tuple[int, Any, tuple[str, int]]:
        snap = old.get(key)
        at = snap.computed_at if snap is not None else None
        return (0 if at is None else 1, at or now, key)

    todo = {key: None for key in sorted(due, key=age)}
    bank = RowBank(hashed=_BODIES)
    cut0, reused0 = _BODIES.cut, _BODIES.reused
    done: dict[str, tuple[list[dict[str, Any]], datetime]] = {}  # by fingerprint: shared
    computed = grouped = 0
    deferred: list[tuple[str, int]] = []
    while todo:
        key = _next(todo, readers, now)
        todo.pop(key)
        scope, weeks = key
        user = readers[scope]
        if budget and time.process_time() - cpu0 > budget:
            shown = HotSnapshot.objects.filter(scope=scope, weeks=weeks, computed_at__isnull=False)
            if shown.exists():  # a window with nothing to show (new, forgotten) is never put off
                deferred.append(key)
                continue
        # what the snapshot is now (a forget changes its mark), then its window read again
        # right before grouping: a petition that has since become an accusation against the
        # reader is not grouped, and one that becomes one while grouping forgets the snapshot,
        # which this run then does not overwrite
        before = HotSnapshot.objects.filter(scope=scope, weeks=weeks).values_list("mark")
        m0 = before.first()
        ids = window_ids(user=user, weeks=weeks, now=local)
        fp = f"{day}:{_digest(ids)}"
        if fp not in done:
            rows = [asdict(r) for r in hot_rows_of(ids=ids, weeks=weeks, now=local, bank=bank)]
            done[fp] = (rows, clock.now())
            grouped += 1
        rows, at = done[fp]
        fields = {
            "computed_at": at,
            "checked_at": clock.now(),
            "fingerprint": fp,
            "mark": mark,
            "petitions": window_count(user=user, weeks=weeks, now=local, ids=ids),
            "rows": rows,
            "ids": ids,
        }
        if m0 is None:
            _, made = HotSnapshot.objects.get_or_create(scope=scope, weeks=weeks, defaults=fields)
            computed += int(made)
        else:
            computed += HotSnapshot.objects.filter(scope=scope, weeks=weeks, mark=m0[0]).update(
                **fields
            )
    # changed but over the budget: still shown (with the time they were computed) while the
    # worker runs; grouped by a later run, the oldest first
    for scope, weeks in deferred:
        HotSnapshot.objects.filter(scope=scope, weeks=weeks, computed_at__isnull=False).update(
            checked_at=clock.now()
        )
    return {
        "scopes": len(readers),
        "windows": len(wanted),
        "computed": computed,
        "grouped": grouped,
        "deferred": len(deferred),
        "windows_read": read,
        "forgotten": len(stale),
        "bodies_cut": _BODIES.cut - cut0,
        "bodies_reused": _BODIES.reused - reused0,
        "cpu_seconds": round(time.process_time() - cpu0, 2),
    }
