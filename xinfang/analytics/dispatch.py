"""The transfers and assignments rollup (``DispatchTally``, Art. 41 item 2), so the trends page
and the report read a few rows per organ and month instead of every transfer ever taken (issue
16: 0.87 s at 10^5 read live).

* ``dispatch_rebuild``: the whole count in one grouped query (the first build; after an import in
  SQL). Recounting every hour read every transfer ever taken (issue 16, the tick at scale).
* The petition hooks (``dispatch_acted``, ``dispatch_accused``), in the transaction of the step,
  queue the differences in ``DispatchDelta``: a transfer or assignment taken adds one; a step
  that moves the petition to another organ (or accused organ) moves all its counted steps from
  the old keys to the new; a voided registration takes them away; the staff an accusation names
  recorded again moves its steps between the named users' rows. Inserts only: no row a writer
  waits on.
* ``dispatch_refresh`` (``xinfang tick``, hourly): deletes the queue and adds what it read to the
  tally and the named users' rows in one transaction, so both are always of one moment (the
  named staff's subtraction in ``accountability.dispatch_counts`` reads the same snapshot as the
  tally); never built: it builds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth

from xinfang.analytics.models import DispatchAsOf, DispatchDelta, DispatchNamed, DispatchTally
from xinfang.core import clock
from xinfang.petitions.models import Petition, PetitionEvent
from xinfang.petitions.workflow import Action, State

#: The steps Art. 41 item 2 counts as transfers and assignments (Art. 22).
DISPATCH = (Action.TRANSFER, Action.ASSIGN)
_ACTIONS = [a.value for a in DISPATCH]

#: A tally row's key: holding organ, accused organ (0: none), action, local month.
Key = tuple[int, int, str, date]


def _month(at: datetime) -> date:
    return clock.local_date(at).replace(day=1)  # the local month, as TruncMonth in the rebuild


def dispatch_rebuild(*, now: datetime | None = None) -> int:
    """Count ``DispatchTally`` and ``DispatchNamed`` whole and empty the queue, in one
    transaction that reads one snapshot (on PostgreSQL REPEATABLE READ: a step committed
    meanwhile is neither counted nor its queued difference deleted, so the next fold adds it).
    Readers see the old counts or the new, never half. Returns the steps counted."""
    outer = connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and not outer:
            with connection.cursor() as c:
                c.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        now = now or clock.now()
        events = (
            PetitionEvent.objects.filter(action__in=_ACTIONS)
            .exclude(petition__state=State.VOIDED)  # a voided registration counts nowhere
            .annotate(m=TruncMonth("occurred_at"))  # the local month (TIME_ZONE), as on_local_days
        )
        keys = ("petition__current_organ_id", "petition__accused_organ_id", "action", "m")
        named = Petition.accused_staff.through.objects.values("petition_id")
        rows = events.values(*keys).annotate(k=Count("id")).order_by()
        objs = [DispatchTally(**_keys(r), n=r["k"], counted_at=now) for r in rows]
        naming = (
            events.filter(petition_id__in=named)
            .values("petition__accused_staff__id", *keys)
            .annotate(k=Count("id"))
            .order_by()
        )
        names = [
            DispatchNamed(user_id=r["petition__accused_staff__id"], **_keys(r), n=r["k"])
            for r in naming
        ]
        DispatchTally.objects.all().delete()
        DispatchNamed.objects.all().delete()
        DispatchTally.objects.bulk_create(objs, batch_size=5000)
        DispatchNamed.objects.bulk_create(names, batch_size=5000)
        DispatchDelta.objects.all().delete()  # what the counts above include
        DispatchAsOf.objects.all().delete()
        DispatchAsOf.objects.create(counted_at=now, built_at=now)
    return sum(o.n for o in objs)


def _keys(r: dict) -> dict:  # type: ignore[type-arg]
    return {
        "current_organ_id": r["petition__current_organ_id"],
        "accused_organ_id": r["petition__accused_organ_id"] or 0,
        "action": r["action"],
        "month": r["m"].date() if hasattr(r["m"], "date") else r["m"],
    }


# -- the queue (petition hooks) ----------------------------------------------------------------


def _steps_of(petition_id: int) -> Counter[tuple[str, date]]:
    """The petition's transfers and assignments by (action, local month), as written now."""
    rows = PetitionEvent.objects.filter(petition_id=petition_id, action__in=_ACTIONS)
    return Counter((a, _month(at)) for a, at in rows.values_list("action", "occurred_at"))


def _cell(p: Any) -> tuple[int, int] | None:
    """Where the petition's steps are counted: its holding and accused organ; None if voided."""
    if p.state == State.VOIDED:
        return None
    return (p.current_organ_id, p.accused_organ_id or 0)


def _named(petition_id: int) -> list[int]:
    return list(
        Petition.accused_staff.through.objects.filter(petition_id=petition_id).values_list(
            "user_id", flat=True
        )
    )


def _queue(changes: Counter[Key], users: Iterable[tuple[int | None, int]]) -> None:
    """Queue ``changes`` once for the tally (user None) and once per (named user, sign)."""
    rows = [
        DispatchDelta(user_id=u, current_organ_id=o, accused_organ_id=a, action=act, month=m,
                      n=sign * n)
        for u, sign in users
        for (o, a, act, m), n in changes.items()
        if n
    ]  # fmt: skip
    if rows:
        DispatchDelta.objects.bulk_create(rows)


def dispatch_acted(*, petition: Petition, event: PetitionEvent, before: Petition) -> None:
    """Hook of ``petition_act`` (and of the history import's steps): a transfer or assignment
    adds one where the petition is counted now; a step that changes where it is counted moves
    every step counted on it (a voided registration: out of the counts)."""
    was, now = _cell(before), _cell(petition)
    taken = event.action in _ACTIONS
    changes: Counter[Key] = Counter()
    if was == now:
        if not taken or now is None:
            return
        changes[(*now, str(event.action), _month(event.occurred_at))] += 1
    else:
        steps = _steps_of(petition.pk)  # with this step's event, already written
        if not steps:
            return
        old = Counter(steps)
        if taken:
            old[(str(event.action), _month(event.occurred_at))] -= 1
        if was is not None:
            for (a, m), n in old.items():
                changes[(*was, a, m)] -= n
        if now is not None:
            for (a, m), n in steps.items():
                changes[(*now, a, m)] += n
    if any(changes.values()):
        _queue(changes, [(None, 1)] + [(u, 1) for u in _named(petition.pk)])


def dispatch_accused(*, petition: Petition, user_ids: Sequence[int], before: Sequence[int] = ()) -> None:
    """Hook of ``petition_accused_set``: the steps counted on the petition leave the rows of the
    staff no longer named and come into those of the staff named now."""
    cell = _cell(petition)
    if cell is None:
        return
    named, was = set(_named(petition.pk)), set(before)
    users = [(u, 1) for u in sorted(named - was)] + [(u, -1) for u in sorted(was - named)]
    if not users:
        return
    steps = _steps_of(petition.pk)
    _queue(Counter({(*cell, a, m): n for (a, m), n in steps.items()}), users)


# -- the fold (xinfang tick) -------------------------------------------------------------------


def dispatch_refresh(*, now: datetime | None = None) -> dict[str, int]:
    """Fold the queued differences into the tally and the named users' rows (one transaction:
    both of one moment); nothing ever built: build. Idempotent."""
    now = now or clock.now()
    if not DispatchAsOf.objects.exists():
        return {"built": 1, "steps": dispatch_rebuild(now=now)}
    qn = connection.ops.quote_name
    cols = ["user_id", "current_organ_id", "accused_organ_id", "action", "month", "n"]
    with transaction.atomic():
        with connection.cursor() as c:
            # exactly the rows read are deleted: a step committing meanwhile stays queued
            c.execute(
                f"DELETE FROM {qn(DispatchDelta._meta.db_table)} "
                f"RETURNING {', '.join(map(qn, cols))}"
            )
            queued = c.fetchall()
        tally: Counter[Key] = Counter()
        named: Counter[tuple[int, int, int, str, date]] = Counter()
        for user, organ, accused, action, month, n in queued:
            m = month if isinstance(month, date) else date.fromisoformat(str(month)[:10])
            if user is None:
                tally[(organ, accused, action, m)] += n
            else:
                named[(user, organ, accused, action, m)] += n
        _upsert(DispatchTally, ["current_organ_id", "accused_organ_id", "action", "month"],
                tally, counted_at=now)  # fmt: skip
        _upsert(DispatchNamed, ["user_id", "current_organ_id", "accused_organ_id", "action",
                                "month"], named)  # fmt: skip
        if tally:
            DispatchTally.objects.filter(n=0).delete()
        if named:
            DispatchNamed.objects.filter(n=0).delete()
        DispatchAsOf.objects.update(counted_at=now)
    return {"queued": len(queued), "keys": sum(1 for n in tally.values() if n),
            "named_keys": sum(1 for n in named.values() if n)}  # fmt: skip


def _upsert(model: Any, key: list[str], changes: Counter, counted_at: datetime | None = None) -> None:  # type: ignore[type-arg]
    rows = sorted((*k, n) for k, n in changes.items() if n)  # one lock order
    if not rows:
        return
    ops = connection.ops
    rows = [tuple(ops.adapt_datefield_value(v) if isinstance(v, date) else v for v in r)
            for r in rows]  # fmt: skip
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    cols = [*key, "n"] + (["counted_at"] if counted_at is not None else [])
    update = f"{qn('n')} = {table}.{qn('n')} + excluded.{qn('n')}"
    if counted_at is not None:
        update += f", {qn('counted_at')} = excluded.{qn('counted_at')}"
        rows = [(*r, ops.adapt_datetimefield_value(counted_at)) for r in rows]
    sql = (
        f"INSERT INTO {table} ({', '.join(map(qn, cols))}) "
        f"VALUES ({', '.join(['%s'] * len(cols))}) "
        f"ON CONFLICT ({', '.join(map(qn, key))}) DO UPDATE SET {update}"
    )
    with connection.cursor() as c:
        c.executemany(sql, rows)
