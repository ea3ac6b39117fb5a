"""Hot issues computed ahead of their readers (issue 14: the first view of a reader clustered
every petition of the period, 2.6 s to 2 minutes at 10^5; the 5-minute precomputation covered
only readers already active).

A reader's hot issues depend only on the petitions the reader's gate lets through, and that set
is the same for every user of one *scope*: the user's organ, the gate that reads (the case gate
for roles that read petitions, else the statistics gate: ``views._petitions``), and, for a staff
member an accusation names, the member (those petitions are left out for that member alone,
Art. 30 para 3, Art. 46(5)). The worker (``hot_snapshots_refresh``, enqueued by the tick every
5 minutes) computes the default window of every scope a reader may ask (every active user who
may open the page or take the policy-matter hints) and each other window someone asked for in
the last week, again whenever the scope's petitions in the window changed or the day did. The
page only reads the last snapshot and says when it was computed; a window never computed yet is
asked for (the worker is woken) and the page says so at once: no reader waits for clustering.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from xinfang.core import clock
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap, user_can
from xinfang.insight.hot.rows import DEFAULT_WEEKS, HotRow, _petitions, hot_rows_for_user
from xinfang.insight.models import HotSnapshot
from xinfang.petitions.models import Petition

#: A window other than the default is kept computed this long after it was last asked for.
ASKED_KEEP = timedelta(days=7)
#: How often the tick wakes the worker (``insight.jobs.hot_precompute``).
REFRESH_EVERY = timedelta(minutes=5)
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


def hot_snapshot_read(*, user: User, weeks: int, now: datetime) -> HotSnapshot:
    """The last snapshot of ``user``'s scope and window (``rows`` as ``HotRow``); when there
    is none yet, the empty one that asks for it (``computed_at`` None: the caller wakes the
    worker)."""
    scope = hot_scope(user)
    snap = HotSnapshot.objects.filter(scope=scope, weeks=weeks).first()
    if snap is None:
        snap, _ = HotSnapshot.objects.get_or_create(
            scope=scope, weeks=weeks, defaults={"asked_at": now}
        )
    elif snap.asked_at is None or snap.asked_at < now - timedelta(hours=1):
        HotSnapshot.objects.filter(pk=snap.pk).update(asked_at=now)  # kept fresh while asked
    if snap.computed_at is not None and snap.computed_at < now - FRESH_FOR:
        snap.computed_at, snap.rows, snap.petitions = None, [], 0  # too old: as if absent
    snap.rows = snapshot_rows(snap.rows or [])
    return snap


def hot_snapshots_forget(*, organ_ids: Sequence[int] = (), user_ids: Sequence[int] = ()) -> int:
    """Delete the snapshots of the scopes of ``organ_ids`` and of ``user_ids`` (a petition now
    accuses them: what was computed for them may hold it). Their readers see "being computed"
    until the worker runs again; the windows asked stay asked."""
    q = Q(pk__in=[])
    for organ_id in organ_ids:
        q |= Q(scope__contains=f":{int(organ_id)}:")
    for user_id in user_ids:
        q |= Q(scope__endswith=f":{int(user_id)}")
    return HotSnapshot.objects.filter(q).update(
        computed_at=None, fingerprint="", rows=[], petitions=0
    )


def _fingerprint(qs) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """Which petitions the scope's window holds (a digest of their ids): the same digest means
    the same petitions, so nothing to recompute. (Never shared between scopes: a petition that
    moves between the digest and the clustering would reach a scope that may not see it.)"""
    ids = list(qs.order_by("id").values_list("id", flat=True))
    return hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:40], len(ids)


def _next(todo: set[tuple[str, int]], readers: dict[str, User], now: datetime) -> tuple[str, int]:
    """The window to compute next: one a reader asked for and is waiting on (never computed, or
    forgotten), the first asked first, including one asked while this run was under way (each
    clustering is bounded by ``MAX_PETITIONS``, so such a reader waits for at most the one
    under way, not for every scope's recomputation); then the rest in order."""
    waiting = (
        HotSnapshot.objects.filter(computed_at__isnull=True, asked_at__gte=now - ASKED_KEEP)
        .order_by("asked_at", "pk")
        .values_list("scope", "weeks")
    )
    for key in waiting:
        if key[0] in readers:
            todo.add(key)  # asked after this run began: taken in it
            return key
    return min(todo)


def hot_snapshots_refresh(*, now: datetime | None = None) -> dict[str, int]:
    """Compute every scope's default window and each window asked for in the last week whose
    petitions (or day) changed since its last computation; forget the rest. Idempotent."""
    now = now or clock.now()
    local = timezone.localtime(now)
    named = set(Petition.accused_staff.through.objects.values_list("user_id", flat=True))
    readers: dict[str, User] = {}
    for user in User.objects.filter(is_active=True, organ__isnull=False).order_by("pk"):
        if _reader(user):
            readers.setdefault(hot_scope(user, named), user)
    wanted = {(scope, DEFAULT_WEEKS) for scope in readers}
    for scope, weeks in HotSnapshot.objects.filter(asked_at__gte=now - ASKED_KEEP).values_list(
        "scope", "weeks"
    ):
        if scope in readers:
            wanted.add((scope, weeks))
    old = {(s.scope, s.weeks): s for s in HotSnapshot.objects.all()}
    stale = [s.pk for key, s in old.items() if key not in wanted]
    HotSnapshot.objects.filter(pk__in=stale).delete()
    computed = 0
    todo = set(wanted)
    while todo:
        scope, weeks = key = _next(todo, readers, now)
        todo.discard(key)
        user = readers[scope]
        window = _petitions(user).filter(
            received_at__gt=local - timedelta(weeks=weeks), received_at__lte=local
        )
        fp, n = _fingerprint(window)
        fp = f"{local.date().isoformat()}:{fp}"  # growth and weeks move with the day
        snap = old.get(key)
        if snap is not None and snap.computed_at is not None and snap.fingerprint == fp:
            # the same petitions: still right as of now (confirmed at once: a long run must
            # not let an unchanged snapshot age past FRESH_FOR and read as absent)
            HotSnapshot.objects.filter(pk=snap.pk).update(computed_at=clock.now())
            continue
        rows = hot_rows_for_user(user=user, weeks=weeks, gate=False) if n else []
        computed += 1
        HotSnapshot.objects.update_or_create(
            scope=scope,
            weeks=weeks,
            defaults={
                "computed_at": clock.now(),
                "fingerprint": fp,
                "petitions": n,
                "rows": [asdict(r) for r in rows],
            },
        )
    return {
        "scopes": len(readers),
        "windows": len(wanted),
        "computed": computed,
        "forgotten": len(stale),
    }
