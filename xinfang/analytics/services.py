"""Writes of the analytics rollup (``PetitionTally``): called by the petition services in their
transactions, so the counts move with the petitions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from django.db import connection, transaction
from django.db.models import Count

from xinfang.analytics.models import TALLY_SLOTS, PetitionTally
from xinfang.core import clock
from xinfang.petitions.models import Petition
from xinfang.petitions.workflow import State

TallyKey = tuple[int, str, str, str, int, date, int]


def tally_key(p: Petition) -> TallyKey:
    """The petition's cell; its slot is fixed by its id, so its moves stay in one row of each key.
    (Rows counted before slots existed sit in slot 0: a move of such a petition can leave a
    negative row in its own slot; the sums the readers take stay right, and ``tally_rebuild``
    tidies them.)"""
    return (
        p.current_organ_id,
        p.region_id,
        p.category or "",
        p.state,
        p.accused_organ_id or 0,
        clock.local_date(p.received_at).replace(day=1),
        p.pk % TALLY_SLOTS,
    )


def tally_petitions_registered(*, petitions: Iterable[Petition]) -> None:
    """Hook of the registration services: count the new petitions."""
    tally_add(Counter(tally_key(p) for p in petitions))


def tally_petition_acted(*, petition: Petition, event: object, before: Petition) -> None:
    """Hook of ``petition_act``: move the petition from its cell before the step to its new one.
    A voided registration (a mistake or a duplicate) leaves the counts altogether (issue 12)."""
    if petition.state == State.VOIDED:
        tally_add(Counter({tally_key(before): -1}))
        return
    tally_move(tally_key(before), tally_key(petition))


def tally_add(changes: Counter[TallyKey]) -> None:
    """Add ``n`` to each key's count (negative to take away), one upsert per changed key."""
    rows = sorted((*k, n) for k, n in changes.items() if n)  # one lock order for every writer
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(PetitionTally._meta.db_table)
    cols = [
        "current_organ_id",
        "region_id",
        "category",
        "state",
        "accused_organ_id",
        "month",
        "slot",
    ]
    sql = (
        f"INSERT INTO {table} ({', '.join(map(qn, cols))}, {qn('n')}) "
        f"VALUES ({', '.join(['%s'] * (len(cols) + 1))}) "
        f"ON CONFLICT ({', '.join(map(qn, cols))}) "
        f"DO UPDATE SET {qn('n')} = {table}.{qn('n')} + excluded.{qn('n')}"
    )
    with connection.cursor() as c:
        c.executemany(sql, rows)


def tally_move(before: TallyKey, after: TallyKey) -> None:
    """One petition's key changed (a transfer, a new state, a category decided)."""
    if before != after:
        tally_add(Counter({before: -1, after: 1}))


def tally_rebuild(*, batch: int = 20_000) -> int:
    """Recount every petition (after an import in SQL, or to check); returns the petitions."""
    counts: Counter[TallyKey] = Counter()
    fields = (
        "current_organ_id", "region_id", "category", "state", "accused_organ_id", "received_at",
        "pk",
    )  # fmt: skip
    counted = Petition.objects.exclude(state=State.VOIDED)  # a voided registration counts nowhere
    rows: Iterable = counted.values_list(*fields).order_by().iterator(chunk_size=batch)
    total = 0
    for organ, region, category, state, accused, received, pk in rows:
        counts[
            (
                organ,
                region,
                category or "",
                state,
                accused or 0,
                clock.local_date(received).replace(day=1),
                pk % TALLY_SLOTS,
            )
        ] += 1
        total += 1
    with transaction.atomic():
        PetitionTally.objects.all().delete()
        tally_add(counts)
    return total


# --- The rate rollup (regulation.md §8.2): rebuilt as of a day by ``xinfang tick`` -----------


def rates_rebuild(*, as_of: date | None = None, batch: int = 5000) -> int:
    """Recompute every rate row (``RateFact``) and their counts (``RateTally``) as of ``as_of``
    (today), in one transaction: readers see the old figures or the new, never half. Idempotent.
    Returns the number of petitions read."""
    from xinfang.analytics.facts import rows_of
    from xinfang.analytics.models import RateFact, RatesAsOf, RateTally

    as_of = as_of or clock.today()
    counts: Counter[tuple] = Counter()  # type: ignore[type-arg]
    marks = _watermarks()  # before reading: what commits meanwhile is read again next time
    with transaction.atomic():
        RateTally.objects.all().delete()
        RateFact.objects.all().delete()
        pending: list[RateFact] = []
        for keys, row in rows_of(Petition.objects.all(), as_of=as_of):
            key = (keys.current_organ_id, keys.accused_organ_id, keys.region_id, keys.channel,
                   keys.category, str(row.metric), row.organ_id, row.month, row.outcome, row.days)
            counts[key] += 1
            pending.append(RateFact(
                petition_id=row.petition_id, current_organ_id=key[0], accused_organ_id=key[1],
                region_id=key[2], channel=key[3], category=key[4], metric=key[5], organ_id=key[6],
                month=key[7], outcome=key[8], days=key[9],
            ))
            if len(pending) >= batch:
                RateFact.objects.bulk_create(pending)
                pending = []
        RateFact.objects.bulk_create(pending)
        names = ("current_organ_id", "accused_organ_id", "region_id", "channel", "category",
                 "metric", "organ_id", "month", "outcome", "days")
        RateTally.objects.bulk_create(
            (RateTally(**dict(zip(names, k, strict=True)), n=n) for k, n in counts.items()),
            batch_size=batch,
        )
        petitions = volume_rebuild()
        RatesAsOf.objects.all().delete()
        RatesAsOf.objects.create(as_of=as_of, built_at=clock.now(), petitions=petitions, **marks)
    return petitions


#: Ids below a watermark read again by ``rates_refresh``: a transaction that took its id before
#: the last build read the highest id may commit after it (sequences are not commit-ordered).
REREAD_IDS = 1000


def _watermarks() -> dict[str, int]:
    from django.db.models import Max

    from xinfang.feedback.models import Evaluation
    from xinfang.petitions.models import PetitionEvent

    return {
        "last_petition_id": Petition.objects.aggregate(m=Max("id"))["m"] or 0,
        "last_event_id": PetitionEvent.objects.aggregate(m=Max("id"))["m"] or 0,
        "last_evaluation_id": Evaluation.objects.aggregate(m=Max("id"))["m"] or 0,
    }


def rates_refresh(*, as_of: date | None = None, batch: int = 5000) -> tuple[str, int]:
    """Bring the rate rollup to ``as_of`` (today) doing as little as is right:

    * a new day (or no build yet): ``rates_rebuild``, since "overdue" and "window expired"
      move with the day for petitions that nothing touched;
    * the same day: only the petitions registered, stepped or evaluated since the last build
      (ids above its watermarks, less ``REREAD_IDS``) get their ``RateFact`` rows recomputed,
      and ``RateTally`` is recounted from ``RateFact`` for the months those rows were or are
      in; ``VolumeTally`` is recounted (one grouped query).

    Returns ("full" | "changed", petitions recomputed). A test checks that the result equals a
    full rebuild after random steps."""
    from xinfang.analytics.facts import rows_of
    from xinfang.analytics.models import RateFact, RatesAsOf, RateTally
    from xinfang.feedback.models import Evaluation
    from xinfang.petitions.models import PetitionEvent

    as_of = as_of or clock.today()
    last = RatesAsOf.objects.order_by("-built_at").first()
    if last is None or last.as_of != as_of or not last.last_event_id:
        return "full", rates_rebuild(as_of=as_of, batch=batch)
    marks = _watermarks()
    ids = set(Petition.objects.filter(id__gt=last.last_petition_id - REREAD_IDS)
              .values_list("id", flat=True))
    ids |= set(PetitionEvent.objects.filter(id__gt=last.last_event_id - REREAD_IDS)
               .values_list("petition_id", flat=True))
    ids |= set(Evaluation.objects.filter(id__gt=last.last_evaluation_id - REREAD_IDS)
               .values_list("petition_id", flat=True))
    names = ("current_organ_id", "accused_organ_id", "region_id", "channel", "category",
             "metric", "organ_id", "month", "outcome", "days")
    with transaction.atomic():
        old = RateFact.objects.filter(petition_id__in=ids)
        months = set(old.values_list("month", flat=True).distinct())
        old.delete()
        pending: list[RateFact] = []
        for keys, row in rows_of(Petition.objects.filter(pk__in=ids), as_of=as_of):
            months.add(row.month)
            pending.append(RateFact(
                petition_id=row.petition_id, current_organ_id=keys.current_organ_id,
                accused_organ_id=keys.accused_organ_id, region_id=keys.region_id,
                channel=keys.channel, category=keys.category, metric=str(row.metric),
                organ_id=row.organ_id, month=row.month, outcome=row.outcome, days=row.days,
            ))
        RateFact.objects.bulk_create(pending, batch_size=batch)
        RateTally.objects.filter(month__in=months).delete()
        recount = (RateFact.objects.filter(month__in=months).values(*names)
                   .annotate(k=Count("id")).order_by())
        RateTally.objects.bulk_create(
            (RateTally(**{f: r[f] for f in names}, n=r["k"]) for r in recount), batch_size=batch
        )
        petitions = volume_rebuild()
        RatesAsOf.objects.all().delete()
        RatesAsOf.objects.create(as_of=as_of, built_at=clock.now(), petitions=petitions, **marks)
    return "changed", len(ids)


def volume_rebuild() -> int:
    """Recount ``VolumeTally`` from the petitions (one grouped query); returns the petitions."""
    from django.db.models import BooleanField, Count, ExpressionWrapper, Q
    from django.db.models.functions import TruncMonth

    from xinfang.analytics.models import VolumeTally

    keys = ("current_organ_id", "accused_organ_id", "region_id", "category", "channel")
    rows = (
        Petition.objects.exclude(state=State.VOIDED)  # a voided registration counts nowhere
        .annotate(m=TruncMonth("received_at"), rep=ExpressionWrapper(
            Q(repeat_of__isnull=False), output_field=BooleanField()))
        .values(*keys, "m", "rep")
        .annotate(k=Count("id"))
        .order_by()
    )
    with transaction.atomic():
        VolumeTally.objects.all().delete()
        objs = [
            VolumeTally(
                current_organ_id=r["current_organ_id"], accused_organ_id=r["accused_organ_id"] or 0,
                region_id=r["region_id"], category=r["category"] or "", channel=r["channel"],
                repeat=bool(r["rep"]), month=r["m"].date() if hasattr(r["m"], "date") else r["m"],
                n=r["k"],
            )
            for r in rows
        ]
        VolumeTally.objects.bulk_create(objs, batch_size=5000)
    return sum(o.n for o in objs)
