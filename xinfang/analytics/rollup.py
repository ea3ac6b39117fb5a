"""The rate rollup (regulation.md §8.2) written: ``RateFact`` / ``RatePending`` / ``RateTally``,
and the volume counts ``VolumeTally``.

* ``rates_rebuild``: the full build, in SQL (``rates_sql``): the migration that introduced it
  and ``xinfang manage rates_rebuild`` run it (after an import in SQL, or a change of the
  acceptance or evaluation window settings); the tick only when nothing was ever built.
* ``rates_refresh`` (``xinfang tick``): days passing move the rows that time alone moves, in a
  few set statements (``RatePending`` rows whose day has passed go into ``RateFact``; running
  limits past their last day leave it); then only the petitions in the queue ``RateDirty``
  (written by the petition hooks in the transaction of the change) are computed again, one by
  one (``facts.timed_rows_of``). ``RateTally`` moves by the difference, one upsert a key.

The queue is read before the petitions and exactly the rows read are deleted: a change that
commits meanwhile leaves its own row for the next run, so nothing is lost and nothing is read
again for nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, Sum
from django.db.models.functions import TruncMonth

from xinfang.analytics.facts import Keys, acceptance_days, timed_rows_of
from xinfang.analytics.models import (
    RateDirty,
    RateFact,
    RatePending,
    RatesAsOf,
    RateTally,
    VolumeTally,
)
from xinfang.analytics.rates import Timed
from xinfang.analytics.rates_sql import COLUMNS, Build, Dialect, Tables
from xinfang.core import clock
from xinfang.core.rows import values_insert
from xinfang.deadlines.models import Deadline
from xinfang.feedback.models import Evaluation
from xinfang.feedback.selectors import evaluation_window_days
from xinfang.petitions.models import Petition, PetitionEvent
from xinfang.petitions.workflow import State

#: ``RateTally``'s key as column names (``RATE_KEY`` with the ``_id`` of the foreign keys): the
#: fact tables' shared columns after the petition's id.
KEY = COLUMNS[1:]
CHUNK = 2000


# -- the queue (petition hooks) ----------------------------------------------------------------


def dirty_registered(*, petitions: Iterable[Petition]) -> None:
    values_insert(RateDirty, ["petition_id"], [(p.pk,) for p in petitions])  # a batch: COPY


def dirty_acted(*, petition: Petition, event: object, before: Petition) -> None:
    RateDirty.objects.create(petition_id=petition.pk)


def dirty_changed(*, petition_ids: Iterable[int]) -> None:
    RateDirty.objects.bulk_create([RateDirty(petition_id=pk) for pk in set(petition_ids)])


# -- RateTally by difference -----------------------------------------------------------------


def _tally_add(changes: Counter[tuple], model=RateTally, key: list[str] = KEY) -> None:  # type: ignore[type-arg,no-untyped-def]
    rows = sorted((*k, n) for k, n in changes.items() if n)
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    cols = ", ".join(map(qn, key))
    sql = (
        f"INSERT INTO {table} ({cols}, {qn('n')}) VALUES ({', '.join(['%s'] * (len(key) + 1))}) "
        f"ON CONFLICT ({cols}) DO UPDATE SET {qn('n')} = {table}.{qn('n')} + excluded.{qn('n')}"
    )
    gone = " AND ".join(f"{qn(c)} = %s" for c in key)
    with connection.cursor() as c:
        c.executemany(sql, rows)
        c.executemany(f"DELETE FROM {table} WHERE {gone} AND {qn('n')} = 0", [r[:-1] for r in rows])


def _grouped(qs) -> Counter[tuple]:  # type: ignore[no-untyped-def,type-arg]
    out: Counter[tuple] = Counter()  # type: ignore[type-arg]
    for r in qs.values_list(*KEY).annotate(k=Count("id")).order_by():
        out[r[:-1]] += r[-1]
    return out


# -- the full build ----------------------------------------------------------------------------


def _build(as_of: date) -> Build:
    return Build(
        Dialect(connection.vendor, settings.TIME_ZONE),
        Tables(
            petition=Petition._meta.db_table,
            event=PetitionEvent._meta.db_table,
            deadline=Deadline._meta.db_table,
            evaluation=Evaluation._meta.db_table,
        ),
        fact=RateFact._meta.db_table,
        pending=RatePending._meta.db_table,
        as_of=as_of,
        acceptance_days=acceptance_days(),
        window_days=evaluation_window_days(),
    )


def rates_rebuild(*, as_of: date | None = None) -> int:
    """Compute every rate row as of ``as_of`` (today) in SQL, and their counts, in one
    transaction (readers see the old figures or the new, never half); empties the queue as
    it was when the build began. Returns the petitions counted in the volumes."""
    as_of = as_of or clock.today()
    qn = connection.ops.quote_name
    with transaction.atomic():
        RatesAsOf.objects.all().delete()
        queued = list(RateDirty.objects.values_list("id", flat=True))
        build = _build(as_of)
        with connection.cursor() as c:
            for table in (RateTally, RateFact, RatePending):
                c.execute(f"DELETE FROM {qn(table._meta.db_table)}")
            for sql, params in build.statements():
                c.execute(sql, params)
            cols = ", ".join(map(qn, KEY))
            c.execute(
                f"INSERT INTO {qn(RateTally._meta.db_table)} ({cols}, {qn('n')}) "
                f"SELECT {cols}, COUNT(*) FROM {qn(RateFact._meta.db_table)} GROUP BY {cols}"
            )
        _forget(queued)
        petitions = volume_rebuild()
        RatesAsOf.objects.create(as_of=as_of, built_at=clock.now(), petitions=petitions)
    return petitions


def _forget(ids: list[int]) -> None:
    for i in range(0, len(ids), 10_000):
        RateDirty.objects.filter(id__in=ids[i : i + 10_000]).delete()


# -- the tick ----------------------------------------------------------------------------------


def rates_refresh(*, as_of: date | None = None) -> dict[str, int]:
    """Bring the rollup to ``as_of`` (today): let the days since the last run pass (set
    statements), then compute again the petitions changed since (the queue). Nothing built
    yet, or a day earlier than the last run's: the full build. Idempotent."""
    as_of = as_of or clock.today()
    with transaction.atomic():
        last = RatesAsOf.objects.select_for_update().order_by("-built_at").first()
        if last is None or as_of < last.as_of:
            return {"full": 1, "petitions": rates_rebuild(as_of=as_of), "moved": 0}
        moved = days_pass(as_of) if as_of > last.as_of else 0
        queued = list(RateDirty.objects.values_list("id", "petition_id"))
        ids = sorted({pid for _i, pid in queued})
        recompute(ids, as_of=as_of)
        _forget([i for i, _pid in queued])
        if ids:
            volume_recount(ids)
            last.petitions = VolumeTally.objects.aggregate(n=Sum("n"))["n"] or 0
        last.as_of, last.built_at = as_of, clock.now()
        last.save(update_fields=["as_of", "built_at", "petitions"])
    return {"full": 0, "petitions": len(ids), "moved": moved}


def days_pass(as_of: date) -> int:
    """The rows that start or stop counting on a day up to ``as_of``, moved in SQL: running
    limits whose last day is before ``as_of`` leave ``RateFact``, pending rows whose day is
    before it enter. Returns the rows moved."""
    qn = connection.ops.quote_name
    gone = RateFact.objects.filter(until__lt=as_of)
    come = RatePending.objects.filter(since__lt=as_of)
    coming, going = _grouped(come), _grouped(gone)
    moved = sum(coming.values()) + sum(going.values())
    delta = coming
    delta.subtract(going)
    cols = ", ".join(map(qn, ("petition_id", *KEY)))
    day = as_of if connection.vendor == "postgresql" else as_of.isoformat()
    with connection.cursor() as c:
        c.execute(
            f"INSERT INTO {qn(RateFact._meta.db_table)} ({cols}) SELECT {cols} FROM "
            f"{qn(RatePending._meta.db_table)} WHERE {qn('since')} < %s",
            [day],
        )
    come.delete()
    gone.delete()
    _tally_add(delta)
    return moved


def recompute(ids: list[int], *, as_of: date) -> None:
    """Compute the rows of petitions ``ids`` again (by the petition-by-petition rules)."""
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        delta = Counter(
            {k: -n for k, n in _grouped(RateFact.objects.filter(petition_id__in=chunk)).items()}
        )
        RateFact.objects.filter(petition_id__in=chunk).delete()
        RatePending.objects.filter(petition_id__in=chunk).delete()
        facts: list[RateFact] = []
        pending: list[RatePending] = []
        for keys, timed in timed_rows_of(Petition.objects.filter(pk__in=chunk)):
            if timed.counts_on(as_of):
                fact = RateFact(**_fields(keys, timed), until=timed.until)
                facts.append(fact)
                delta[tuple(getattr(fact, c) for c in KEY)] += 1
            elif timed.since is not None and as_of <= timed.since:
                pending.append(RatePending(**_fields(keys, timed), since=timed.since))
        RateFact.objects.bulk_create(facts, batch_size=5000)
        RatePending.objects.bulk_create(pending, batch_size=5000)
        _tally_add(delta)


def _fields(keys: Keys, t: Timed) -> dict[str, object]:
    r = t.row
    return {
        "petition_id": r.petition_id,
        "current_organ_id": keys.current_organ_id,
        "accused_organ_id": keys.accused_organ_id,
        "region_id": keys.region_id,
        "channel": keys.channel,
        "category": keys.category,
        "metric": str(r.metric),
        "organ_id": r.organ_id,
        "month": r.month,
        "outcome": r.outcome,
        "days": r.days,
    }


# -- VolumeTally -------------------------------------------------------------------------------


def _volume_rows(petitions):  # type: ignore[no-untyped-def]
    keys = ("current_organ_id", "accused_organ_id", "region_id", "category", "channel")
    rows = (
        petitions.exclude(state=State.VOIDED)  # a voided registration counts nowhere
        .annotate(
            m=TruncMonth("received_at"),
            rep=ExpressionWrapper(Q(repeat_of__isnull=False), output_field=BooleanField()),
        )
        .values(*keys, "m", "rep")
        .annotate(k=Count("id"))
        .order_by()
    )
    return [
        VolumeTally(
            current_organ_id=r["current_organ_id"],
            accused_organ_id=r["accused_organ_id"] or 0,
            region_id=r["region_id"],
            category=r["category"] or "",
            channel=r["channel"],
            repeat=bool(r["rep"]),
            month=r["m"].date() if hasattr(r["m"], "date") else r["m"],
            n=r["k"],
        )
        for r in rows
    ]


def volume_rebuild() -> int:
    """Recount ``VolumeTally`` from the petitions (one grouped query); returns the petitions."""
    objs = _volume_rows(Petition.objects.all())
    with transaction.atomic():
        VolumeTally.objects.all().delete()
        VolumeTally.objects.bulk_create(objs, batch_size=5000)
    return sum(o.n for o in objs)


def volume_recount(ids: list[int]) -> None:
    """Recount the months in which petitions ``ids`` were received (their received day never
    changes after registration: a step moves a petition between keys of the same month)."""
    months: set[date] = set()
    for i in range(0, len(ids), 10_000):
        for at in Petition.objects.filter(pk__in=ids[i : i + 10_000]).values_list(
            "received_at", flat=True
        ):
            months.add(clock.local_date(at).replace(day=1))
    if not months:
        return
    within = Q(pk__in=[])
    for m in months:
        after = (m + timedelta(days=32)).replace(day=1)
        within |= Q(received_at__gte=clock.day_start(m), received_at__lt=clock.day_start(after))
    objs = _volume_rows(Petition.objects.filter(within))
    VolumeTally.objects.filter(month__in=months).delete()
    VolumeTally.objects.bulk_create(objs, batch_size=5000)
